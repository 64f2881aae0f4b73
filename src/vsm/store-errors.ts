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
