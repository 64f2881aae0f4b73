// The embedded store's failures, as callers see them. Each message is one line that names the
// file: it is what the operator reads on stderr, in a gRPC status or in a NeutronError.

/** A write that did not reach the disk: the change is refused and the store is as it was. */
export class StoreWriteError extends Error {
  override readonly name = 'StoreWriteError';
  /**
   * @param file the file being written
   * @param code the errno code (ENOSPC, EIO, ...) or '' when not from the system
   * @param intact false when the file could not be put back as it was: the store then refuses
   *   every later change, and a restart reads what the disk really holds
   */
  constructor(readonly file: string, readonly code: string, message: string, readonly intact = true) {
    super(message);
  }
}

/** A store that cannot be read as written: the VSM does not start on it. */
export class StoreDamagedError extends Error {
  override readonly name = 'StoreDamagedError';
  /** `line` is 1-based; absent when the whole file is unreadable. */
  constructor(readonly file: string, readonly line: number | undefined, message: string) {
    super(message);
  }
}

/** `ENOSPC: no space left on device, write` -> its code, for messages and status mapping. */
export function errnoCode(e: unknown): string {
  return typeof (e as NodeJS.ErrnoException | undefined)?.code === 'string' ? (e as NodeJS.ErrnoException).code! : '';
}

/**
 * A shared store (etcd) that could not commit a change: unreachable, or without quorum. The change
 * is refused (gRPC UNAVAILABLE, Neutron 503) and the state stays as it was; reads go on from memory.
 */
export class StoreUnavailableError extends Error {
  override readonly name = 'StoreUnavailableError';
}

/**
 * The state moved (a change on another replica, or an earlier one here) after a request was
 * validated against it: nothing was written, and the request is run again on the newer state.
 * `revision` is the store's revision that made it stale (the caller waits to have it).
 */
export class StaleStateError extends Error {
  override readonly name = 'StaleStateError';
  constructor(readonly revision: number) {
    super(`the state moved to revision ${revision} while the change was validated`);
  }
}

/**
 * Runs `f` (a whole request: validation and change) again while it fails on a stale state; a
 * request that keeps losing the race to other replicas is refused after `attempts` runs.
 */
export async function retryStale<T>(f: () => T | Promise<T>, attempts = 20): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await f();
    } catch (e) {
      if (!(e instanceof StaleStateError)) throw e;
      if (i >= attempts) throw new StoreUnavailableError(`change refused: other replicas changed the state ${attempts} times while it was being made; try again`);
    }
  }
}
