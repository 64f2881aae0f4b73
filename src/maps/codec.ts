// Fixed-layout struct codecs. Each field names its byte offset explicitly, mirroring
// bpf/vxvem_shared.h; test/layout.test.ts checks the offsets against the object's BTF.

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

export const u8 = (o: number): Field<number> =>
  scalar(o, 1, (b, p) => b.readUInt8(p + o), (b, p, v) => b.writeUInt8(checkInt(v, 0xff, 'u8'), p + o));
export const u16 = (o: number): Field<number> =>
  scalar(o, 2, (b, p) => b.readUInt16LE(p + o), (b, p, v) => b.writeUInt16LE(checkInt(v, 0xffff, 'u16'), p + o));
export const u32 = (o: number): Field<number> =>
  scalar(o, 4, (b, p) => b.readUInt32LE(p + o), (b, p, v) => b.writeUInt32LE(checkInt(v, 0xffffffff, 'u32'), p + o));
export const u64 = (o: number): Field<bigint> =>
  scalar(o, 8, (b, p) => b.readBigUInt64LE(p + o), (b, p, v) => b.writeBigUInt64LE(v, p + o));

const IPV4_RE = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

/** Dotted quad -> 32-bit value in network order as a JS number (big-endian interpretation). */
export function parseIpv4(s: string): number {
  const m = IPV4_RE.exec(s);
  if (!m) throw new CodecError(`not an IPv4 address: ${JSON.stringify(s)}`);
  const parts = m.slice(1).map(Number);
  if (parts.some((x) => x > 255)) throw new CodecError(`not an IPv4 address: ${JSON.stringify(s)}`);
  return ((parts[0]! << 24) | (parts[1]! << 16) | (parts[2]! << 8) | parts[3]!) >>> 0;
}

export function formatIpv4(v: number): string {
  return `${v >>> 24}.${(v >>> 16) & 0xff}.${(v >>> 8) & 0xff}.${v & 0xff}`;
}

/** IPv4 address stored in network order (a `be` field of the C header). */
export const ipv4 = (o: number): Field<string> =>
  scalar(o, 4, (b, p) => formatIpv4(b.readUInt32BE(p + o)), (b, p, v) => b.writeUInt32BE(parseIpv4(v), p + o));

const MAC_RE = /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/;

export function parseMac(s: string): Buffer {
  const lower = s.toLowerCase();
  if (!MAC_RE.test(lower)) throw new CodecError(`not a MAC address: ${JSON.stringify(s)}`);
  return Buffer.from(lower.split(':').map((h) => parseInt(h, 16)));
}

export function formatMac(b: Buffer, off = 0): string {
  const parts: string[] = [];
  for (let i = 0; i < 6; i++) parts.push(b[off + i]!.toString(16).padStart(2, '0'));
  return parts.join(':');
}

export const mac = (o: number): Field<string> =>
  scalar(o, 6, (b, p) => formatMac(b, p + o), (b, p, v) => parseMac(v).copy(b, p + o));

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

type Fields<T> = { [K in keyof T]: Field<T[K]> };

/** Anything a typed map can use as its key or value type. */
export interface Codec<T> {
  readonly cName: string;
  readonly size: number;
  encode(value: T, into?: Buffer, base?: number): Buffer;
  decode(buf: Buffer, base?: number): T;
}

/** Encoder/decoder of one C struct. */
export class StructCodec<T> implements Codec<T> {
  constructor(
    readonly cName: string,
    readonly size: number,
    private readonly fields: Fields<T>,
  ) {}

  encode(value: T, into?: Buffer, base = 0): Buffer {
    const buf = into ?? Buffer.alloc(this.size);
    if (!into) buf.fill(0); // padding is always zero: keys compare bytewise in the kernel
    for (const k of Object.keys(this.fields) as (keyof T)[]) {
      const v = value[k];
      if (v === undefined) throw new CodecError(`${this.cName}.${String(k)} is missing`);
      this.fields[k].write(buf, base, v);
    }
    return buf;
  }

  decode(buf: Buffer, base = 0): T {
    if (buf.length - base < this.size) throw new CodecError(`${this.cName}: ${buf.length - base} bytes, need ${this.size}`);
    const out = {} as T;
    for (const k of Object.keys(this.fields) as (keyof T)[]) out[k] = this.fields[k].read(buf, base);
    return out;
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
