// Fixed-layout struct codecs. Each field names its byte offset explicitly, mirroring
// bpf/vxvem_shared.h; test/layout.test.ts checks the offsets against the object's BTF.
import { formatIpv4, formatMac, parseIpv4, writeMac } from '../common/address.js';

/** A C member as the layout test sees it (snake_case name, byte offset, byte size). */
export interface CMember {
  name: string;
  offset: number;
  size: number;
}

export interface Field<T> {
  read(buf: Buffer, base: number): T;
  write(buf: Buffer, base: number, value: T): void;
  /** The C members this field stands for, given its TS name. */
  members(tsName: string): CMember[];
}

export class CodecError extends Error {
  override readonly name = 'CodecError';
}

const snake = (s: string): string => s.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

function scalar<T>(offset: number, size: number, read: Field<T>['read'], write: Field<T>['write']): Field<T> {
  return { read, write, members: (n) => [{ name: snake(n), offset, size }] };
}

function checkInt(v: number, max: number, what: string): number {
  if (!Number.isInteger(v) || v < 0 || v > max) throw new CodecError(`${what}: ${v} is not an integer in 0..${max}`);
  return v;
}

// Writers index bytes directly: Buffer's writeUInt*LE re-validate on every call, and bulk
// installs encode millions of fields.
export const u8 = (o: number): Field<number> =>
  scalar(o, 1, (b, p) => b[p + o]!, (b, p, v) => void (b[p + o] = checkInt(v, 0xff, 'u8')));
export const u16 = (o: number): Field<number> =>
  scalar(o, 2, (b, p) => b.readUInt16LE(p + o), (b, p, v) => {
    checkInt(v, 0xffff, 'u16');
    b[p + o] = v & 0xff;
    b[p + o + 1] = v >>> 8;
  });
export const u32 = (o: number): Field<number> =>
  scalar(o, 4, (b, p) => b.readUInt32LE(p + o), (b, p, v) => {
    checkInt(v, 0xffffffff, 'u32');
    const i = p + o;
    b[i] = v & 0xff;
    b[i + 1] = (v >>> 8) & 0xff;
    b[i + 2] = (v >>> 16) & 0xff;
    b[i + 3] = v >>> 24;
  });
export const u64 = (o: number): Field<bigint> =>
  scalar(o, 8, (b, p) => b.readBigUInt64LE(p + o), (b, p, v) => {
    if (v === 0n) b.fill(0, p + o, p + o + 8); // the common case (fresh entries) without BigInt math
    else b.writeBigUInt64LE(v, p + o);
  });

/** IPv4 address stored in network order (a `be` field of the C header). */
export const ipv4 = (o: number): Field<string> =>
  scalar(o, 4, (b, p) => formatIpv4(b.readUInt32BE(p + o)), (b, p, v) => {
    const x = parseIpv4(v);
    const i = p + o;
    b[i] = x >>> 24;
    b[i + 1] = (x >>> 16) & 0xff;
    b[i + 2] = (x >>> 8) & 0xff;
    b[i + 3] = x & 0xff;
  });

export const mac = (o: number): Field<string> =>
  scalar(o, 6, (b, p) => formatMac(b, p + o), (b, p, v) => writeMac(v, b, p + o));

/** A fixed byte array (`__u8 name[size]`), copied in and out; a shorter value is zero-padded. */
export const bytes = (o: number, size: number): Field<Buffer> =>
  scalar(o, size, (b, p) => Buffer.from(b.subarray(p + o, p + o + size)), (b, p, v) => {
    if (v.length > size) throw new CodecError(`${v.length} bytes exceed the field's ${size}`);
    b.fill(0, p + o, p + o + size);
    v.copy(b, p + o);
  });

/** A `count` member followed by a fixed array of which the first `count` elements are used. */
export function countedArray<T>(countOffset: number, offset: number, max: number, elemSize: number,
  elem: (o: number) => Field<T>, countName = 'count'): Field<T[]> {
  return {
    read(b, p) {
      const n = b.readUInt32LE(p + countOffset);
      if (n > max) throw new CodecError(`count ${n} exceeds ${max}`);
      const out: T[] = [];
      for (let i = 0; i < n; i++) out.push(elem(offset + i * elemSize).read(b, p));
      return out;
    },
    write(b, p, v) {
      if (v.length > max) throw new CodecError(`${v.length} elements exceed the maximum of ${max}`);
      b.writeUInt32LE(v.length, p + countOffset);
      b.fill(0, p + offset, p + offset + max * elemSize);
      v.forEach((x, i) => elem(offset + i * elemSize).write(b, p, x));
    },
    members: (n) => [
      { name: countName, offset: countOffset, size: 4 },
      { name: snake(n), offset, size: max * elemSize },
    ],
  };
}

/** A member that is itself a struct, written through that struct's codec (port_fast.port). */
export function nested<T>(offset: number, codec: Codec<T>): Field<T> {
  return {
    read: (b, p) => codec.decode(b, p + offset),
    write: (b, p, v) => void codec.encode(v, b, p + offset),
    members: (n) => [{ name: snake(n), offset, size: codec.size }],
  };
}

type Fields<T> = { [K in keyof T]: Field<T[K]> };

/** Anything a typed map can use as its key or value type. */
export interface Codec<T> {
  readonly cName: string;
  readonly size: number;
  encode(value: T, into?: Buffer, base?: number): Buffer;
  /** encode() into a slot whose padding is known to be zero already. */
  encodeOver?(value: T, into: Buffer, base: number): Buffer;
  decode(buf: Buffer, base?: number): T;
}

/** Encoder/decoder of one C struct. */
export class StructCodec<T> implements Codec<T> {
  private readonly list: [keyof T, Field<T[keyof T]>][];

  constructor(
    readonly cName: string,
    readonly size: number,
    private readonly fields: Fields<T>,
  ) {
    this.list = (Object.keys(fields) as (keyof T)[]).map((k) => [k, fields[k]]);
  }

  encode(value: T, into?: Buffer, base = 0): Buffer {
    const buf = into ?? Buffer.alloc(this.size); // alloc zero-fills: padding is always zero
    if (into) buf.fill(0, base, base + this.size); // keys compare bytewise in the kernel
    return this.encodeOver(value, buf, base);
  }

  /**
   * Like encode, for a slot whose padding is already zero (a fresh buffer, or one this codec
   * wrote before: fields never touch padding). Saves a fill per entry in bulk writes.
   */
  encodeOver(value: T, buf: Buffer, base: number): Buffer {
    for (const [k, f] of this.list) {
      const v = value[k];
      if (v === undefined) throw new CodecError(`${this.cName}.${String(k)} is missing`);
      f.write(buf, base, v);
    }
    return buf;
  }

  decode(buf: Buffer, base = 0): T {
    if (buf.length - base < this.size) throw new CodecError(`${this.cName}: ${buf.length - base} bytes, need ${this.size}`);
    const out = {} as T;
    for (const [k, f] of this.list) out[k] = f.read(buf, base);
    return out;
  }

  /** The fields in declaration order. */
  fieldNames(): (keyof T & string)[] {
    return this.list.map(([k]) => k as keyof T & string);
  }

  /** A field's byte offset in the struct. */
  offsetOf(name: keyof T & string): number {
    return this.fields[name].members(name)[0]!.offset;
  }

  /** One field's reader, for scans that need a field or two of many entries, not whole objects. */
  reader<F extends keyof T>(name: F): (buf: Buffer, base?: number) => T[F] {
    const f = this.fields[name];
    return (buf, base = 0) => f.read(buf, base);
  }

  /** The C members covered, for the layout test (padding members are not listed). */
  members(): CMember[] {
    return (Object.keys(this.fields) as (keyof T & string)[]).flatMap((k) => this.fields[k].members(k));
  }
}

/** A host-order __u32 key or value (VNI, ifindex, slot). */
export const U32: Codec<number> = {
  cName: '__u32',
  size: 4,
  encode(v, into, base = 0) {
    const b = into ?? Buffer.alloc(4);
    b.writeUInt32LE(checkInt(v, 0xffffffff, '__u32'), base);
    return b;
  },
  decode: (b, base = 0) => b.readUInt32LE(base),
};

/** A __u64 value (e.g. one drop counter slot). */
export const U64: Codec<bigint> = {
  cName: '__u64',
  size: 8,
  encode(v, into, base = 0) {
    const b = into ?? Buffer.alloc(8);
    b.writeBigUInt64LE(v, base);
    return b;
  },
  decode: (b, base = 0) => b.readBigUInt64LE(base),
};
