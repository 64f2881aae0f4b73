// Waiting for a condition with a deadline (tests never assert on timings): polls every 50 ms.
export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Polls `f` until `ok` holds of its value; throws naming `what` and the last value after `ms`. */
export async function until<T>(what: string, f: () => T | Promise<T>, ok: (v: T) => boolean, ms = 5000): Promise<T> {
  const end = Date.now() + ms;
  let v = await f();
  while (!ok(v) && Date.now() < end) {
    await sleep(50);
    v = await f();
  }
  if (!ok(v)) throw new Error(`${what}: still ${JSON.stringify(v)} after ${ms} ms`);
  return v;
}
