// Shared setup of the native addon tests (test/native-*.test.ts): test/fixtures/binding.bpf.c
// opened and loaded once per file with a pin root of its own, and the helpers several files use.
import { afterAll, beforeAll, expect } from 'vitest';
import { constants } from 'node:os';
import { native, BpfError, type BpfObjectHandle, type NativeBinding } from '../../native/index.js';
import { ensureBpf, objectPath, testPinRoot } from './bpf.js';

export const E = constants.errno;
export const BPF_PROG_TYPE_SCHED_CLS = 3;
export const BPF_PROG_TYPE_XDP = 6;
export const SKB_MARK_OFFSET = 8; // struct __sk_buff { __u32 len; __u32 pkt_type; __u32 mark; ...
export const SKB_SIZE = 192; // sizeof(struct __sk_buff)

/** Runs fn, which must throw a BpfError, and returns that error. */
export function bpfError(fn: () => unknown): BpfError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(BpfError);
    return e as BpfError;
  }
  throw new Error('expected a BpfError, nothing was thrown');
}

/** Asserts that fn throws a BpfError of this operation and errno name; returns the error. */
export function expectBpf(fn: () => unknown, operation: string, code: string): BpfError {
  const e = bpfError(fn);
  expect({ operation: e.operation, code: e.code, errno: e.errno }).toEqual({
    operation,
    code,
    errno: (E as Record<string, number>)[code],
  });
  return e;
}

export function u32(v: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(v);
  return b;
}

/** A value of fx_hash: struct fx_counter { __u64 packets; __u64 bytes; }. */
export function counter(packets: number, bytes: number): Buffer {
  const b = Buffer.alloc(16);
  b.writeBigUInt64LE(BigInt(packets), 0);
  b.writeBigUInt64LE(BigInt(bytes), 8);
  return b;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function until(cond: () => boolean, ms = 3000): Promise<boolean> {
  for (const end = Date.now() + ms; Date.now() < end; await sleep(20)) if (cond()) return true;
  return cond();
}

/** binding.bpf.o loaded for one test file; the fields are set once its beforeAll has run. */
export class NativeFixture {
  readonly n: NativeBinding = native();
  /** Path of binding.bpf.o. */
  binding!: string;
  /** bpffs directory private to the file: the pin root of `obj` and of open(). */
  pinDir!: string;
  /** Loaded; its fx_pinned map is pinned in pinDir. */
  obj!: BpfObjectHandle;
  private readonly opened: BpfObjectHandle[] = []; // closed in afterAll even if a test failed

  /** Opens (without loading) another binding.bpf.o, by default with pinDir as pin root. */
  open(opts?: { pinRoot?: string }): BpfObjectHandle {
    return this.keep(this.n.openObject(this.binding, opts ?? { pinRoot: this.pinDir }));
  }

  /** Closes o after the file's tests if its test did not. */
  keep(o: BpfObjectHandle): BpfObjectHandle {
    this.opened.push(o);
    return o;
  }

  closeAll(): void {
    for (const o of this.opened) {
      try {
        o.close();
      } catch {
        // already closed by its test
      }
    }
  }
}

/** Registers the file's beforeAll/afterAll; `concept` names its pin directory. */
export function nativeFixture(concept: string): NativeFixture {
  const fx = new NativeFixture();
  let pins: { dir: string; cleanup: () => void } | undefined;
  beforeAll(() => {
    ensureBpf();
    pins = testPinRoot(`native-${concept}`);
    fx.pinDir = pins.dir;
    fx.binding = objectPath('fixtures/binding');
    fx.obj = fx.open();
    fx.obj.load();
  });
  afterAll(() => {
    fx.closeAll();
    pins?.cleanup();
  });
  return fx;
}
