// File writes that either reach the disk whole or leave the file as it was. Failures are
// StoreWriteErrors whose `intact` says whether "as it was" could be guaranteed.
import { closeSync, existsSync, fstatSync, fsyncSync, ftruncateSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { StoreWriteError, errnoCode } from './store-errors.js';

function failure(step: string, file: string, e: unknown, intact: boolean): StoreWriteError {
  return new StoreWriteError(file, errnoCode(e), `${step} ${file} failed (${(e as Error).message})`, intact);
}

/** write(2) may write part of the buffer (a disk filling up): loop until all of it is written or it throws. */
function writeAll(fd: number, data: Buffer): void {
  for (let off = 0; off < data.length;) off += writeSync(fd, data, off);
}

function openOrFail(file: string, flags: string): number {
  try {
    return openSync(file, flags);
  } catch (e) {
    throw failure('open', file, e, true);
  }
}

/** close(2) after a successful fsync has nothing more to report on Linux; the fd is gone either way. */
function closeQuietly(fd: number): void {
  try {
    closeSync(fd);
  } catch {
    // nothing to do: see above
  }
}

/** Makes a rename or a file creation in `dir` durable (the entry lives in the directory). */
function fsyncDir(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeQuietly(fd);
  }
}

/**
 * Appends `data` and fsyncs. On any failure (ENOSPC after a partial write, EIO, an fsync error)
 * the file is cut back to its previous length and that cut is fsynced, so the next reader never
 * sees part of `data`. After a failed fsync the kernel may have dropped the dirty pages, so the
 * write is not retried: it is undone.
 */
export function appendDurably(file: string, data: string): void {
  const created = !existsSync(file);
  const fd = openOrFail(file, 'a');
  try {
    let before: number;
    try {
      before = fstatSync(fd).size;
    } catch (e) {
      throw failure('stat', file, e, true);
    }
    try {
      writeAll(fd, Buffer.from(data));
      fsyncSync(fd);
      if (created) fsyncDir(dirname(file));
    } catch (e) {
      let intact = true;
      try {
        ftruncateSync(fd, before);
        fsyncSync(fd);
      } catch {
        intact = false;
      }
      throw failure('append to', file, e, intact);
    }
  } finally {
    closeQuietly(fd);
  }
}

/**
 * Replaces `file` atomically: FILE.tmp written and fsynced, renamed over `file`, the directory
 * fsynced. A failure before the rename leaves `file` as it was (`intact`); a failure to fsync the
 * directory after it leaves either version on disk after a crash (`intact` false).
 */
export function replaceDurably(file: string, data: string): void {
  const tmp = `${file}.tmp`;
  try {
    const fd = openSync(tmp, 'w');
    try {
      writeAll(fd, Buffer.from(data));
      fsyncSync(fd);
    } finally {
      closeQuietly(fd);
    }
    renameSync(tmp, file);
  } catch (e) {
    try {
      rmSync(tmp, { force: true });
    } catch {
      // a leftover FILE.tmp is harmless: the next replace overwrites it
    }
    throw failure('write', file, e, true);
  }
  try {
    fsyncDir(dirname(file));
  } catch (e) {
    throw failure('fsync the directory of', file, e, false);
  }
}

/** Empties `file` and fsyncs (a missing file stays missing). */
export function emptyDurably(file: string): void {
  if (!existsSync(file)) return;
  const fd = openOrFail(file, 'r+');
  try {
    ftruncateSync(fd, 0);
    fsyncSync(fd);
  } catch (e) {
    throw failure('empty', file, e, false);
  } finally {
    closeQuietly(fd);
  }
}
