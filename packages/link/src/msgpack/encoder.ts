import { copyBytes } from '../bytes.js';
import { EncodeError } from '../errors.js';

/** Deepest nesting of arrays and maps the encoder follows (guards against cycles). */
export const MAX_ENCODE_DEPTH = 512;

const TWO_32 = 0x1_0000_0000;
const utf8 = new TextEncoder();

/**
 * A MessagePack writer that produces the same bytes as Python's `msgpack`
 * package (the encoding the network's Python peers use): the smallest integer
 * form, `uint64`/`int64` beyond 32 bits (never a float for an integer),
 * `float64` for every non-integer, `str8` for 32–255-byte strings, `bin` for
 * bytes. One writer is reused; {@link MsgpackWriter.finish} copies the result
 * out, so encoded buffers never alias each other.
 */
export class MsgpackWriter {
  buf: Uint8Array;
  view: DataView;
  pos = 0;

  constructor(initialSize = 8192) {
    this.buf = new Uint8Array(initialSize);
    this.view = new DataView(this.buf.buffer);
  }

  reset(): void {
    this.pos = 0;
  }

  /** Makes room for `n` more bytes. */
  ensure(n: number): void {
    const need = this.pos + n;
    if (need <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < need) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }

  /** Returns a copy of what was written since the last reset (see `allocBytes` for where small copies live). */
  finish(): Uint8Array {
    return copyBytes(this.buf, 0, this.pos);
  }

  byte(b: number): void {
    this.ensure(1);
    this.buf[this.pos++] = b;
  }

  bytes(data: Uint8Array): void {
    this.ensure(data.length);
    this.buf.set(data, this.pos);
    this.pos += data.length;
  }

  nil(): void {
    this.byte(0xc0);
  }

  bool(value: boolean): void {
    this.byte(value ? 0xc3 : 0xc2);
  }

  /** An unsigned integer given as a safe `number`. */
  uint(value: number): void {
    this.ensure(9);
    const buf = this.buf;
    if (value < 0x80) {
      buf[this.pos++] = value;
    } else if (value < 0x100) {
      buf[this.pos++] = 0xcc;
      buf[this.pos++] = value;
    } else if (value < 0x10000) {
      buf[this.pos++] = 0xcd;
      buf[this.pos++] = value >>> 8;
      buf[this.pos++] = value & 0xff;
    } else if (value < TWO_32) {
      buf[this.pos++] = 0xce;
      this.view.setUint32(this.pos, value);
      this.pos += 4;
    } else {
      buf[this.pos++] = 0xcf;
      this.view.setUint32(this.pos, Math.floor(value / TWO_32));
      this.view.setUint32(this.pos + 4, value >>> 0);
      this.pos += 8;
    }
  }

  /** A negative integer given as a safe `number`. */
  negint(value: number): void {
    this.ensure(9);
    const buf = this.buf;
    if (value >= -0x20) {
      buf[this.pos++] = value & 0xff;
    } else if (value >= -0x80) {
      buf[this.pos++] = 0xd0;
      buf[this.pos++] = value & 0xff;
    } else if (value >= -0x8000) {
      buf[this.pos++] = 0xd1;
      this.view.setInt16(this.pos, value);
      this.pos += 2;
    } else if (value >= -0x8000_0000) {
      buf[this.pos++] = 0xd2;
      this.view.setInt32(this.pos, value);
      this.pos += 4;
    } else {
      buf[this.pos++] = 0xd3;
      this.view.setBigInt64(this.pos, BigInt(value));
      this.pos += 8;
    }
  }

  number(value: number): void {
    if (Object.is(value, -0)) {
      // -0 only comes from float arithmetic: keep it a float, as Python's -0.0.
      this.float64(value);
    } else if (Number.isSafeInteger(value)) {
      if (value >= 0) this.uint(value);
      else this.negint(value);
    } else if (Number.isInteger(value) && Math.abs(value) < 2 ** 64 && value >= -(2 ** 63)) {
      // Integral but beyond 2^53: exact as a 64-bit integer, as Python sends it.
      this.bigint(BigInt(value));
    } else {
      this.float64(value);
    }
  }

  float64(value: number): void {
    this.ensure(9);
    this.buf[this.pos++] = 0xcb;
    this.view.setFloat64(this.pos, value);
    this.pos += 8;
  }

  bigint(value: bigint): void {
    if (value >= 0n) {
      if (value <= BigInt(Number.MAX_SAFE_INTEGER)) return this.uint(Number(value));
      if (value > 0xffff_ffff_ffff_ffffn) throw new EncodeError(`integer ${value} does not fit in 64 bits`);
      this.ensure(9);
      this.buf[this.pos++] = 0xcf;
      this.view.setBigUint64(this.pos, value);
      this.pos += 8;
    } else {
      if (value >= BigInt(Number.MIN_SAFE_INTEGER)) return this.negint(Number(value));
      if (value < -0x8000_0000_0000_0000n) throw new EncodeError(`integer ${value} does not fit in 64 bits`);
      this.ensure(9);
      this.buf[this.pos++] = 0xd3;
      this.view.setBigInt64(this.pos, value);
      this.pos += 8;
    }
  }

  string(value: string): void {
    const n = value.length;
    const maxBytes = n * 3;
    const headerSize = maxBytes < 0x20 ? 1 : maxBytes < 0x100 ? 2 : maxBytes < 0x10000 ? 3 : 5;
    this.ensure(headerSize + maxBytes);
    const start = this.pos + headerSize;
    let length: number;
    if (n < 64) {
      length = writeUtf8(value, this.buf, start);
    } else {
      length = utf8.encodeInto(value, this.buf.subarray(start)).written;
    }
    // Choose the header for the real length, as Python does, and move the
    // bytes if it is shorter than the one reserved.
    const realHeader = length < 0x20 ? 1 : length < 0x100 ? 2 : length < 0x10000 ? 3 : 5;
    if (realHeader !== headerSize) this.buf.copyWithin(this.pos + realHeader, start, start + length);
    const buf = this.buf;
    let p = this.pos;
    if (realHeader === 1) {
      buf[p++] = 0xa0 | length;
    } else if (realHeader === 2) {
      buf[p++] = 0xd9;
      buf[p++] = length;
    } else if (realHeader === 3) {
      buf[p++] = 0xda;
      buf[p++] = length >>> 8;
      buf[p++] = length & 0xff;
    } else {
      buf[p++] = 0xdb;
      this.view.setUint32(p, length);
      p += 4;
    }
    this.pos = p + length;
  }

  binHeader(length: number): void {
    this.ensure(5);
    const buf = this.buf;
    if (length < 0x100) {
      buf[this.pos++] = 0xc4;
      buf[this.pos++] = length;
    } else if (length < 0x10000) {
      buf[this.pos++] = 0xc5;
      buf[this.pos++] = length >>> 8;
      buf[this.pos++] = length & 0xff;
    } else {
      buf[this.pos++] = 0xc6;
      this.view.setUint32(this.pos, length);
      this.pos += 4;
    }
  }

  bin(value: Uint8Array): void {
    this.binHeader(value.length);
    this.bytes(value);
  }

  arrayHeader(length: number): void {
    if (length < 0x10) return this.byte(0x90 | length);
    this.ensure(5);
    if (length < 0x10000) {
      this.buf[this.pos++] = 0xdc;
      this.buf[this.pos++] = length >>> 8;
      this.buf[this.pos++] = length & 0xff;
    } else {
      this.buf[this.pos++] = 0xdd;
      this.view.setUint32(this.pos, length);
      this.pos += 4;
    }
  }

  mapHeader(length: number): void {
    if (length < 0x10) return this.byte(0x80 | length);
    this.ensure(5);
    if (length < 0x10000) {
      this.buf[this.pos++] = 0xde;
      this.buf[this.pos++] = length >>> 8;
      this.buf[this.pos++] = length & 0xff;
    } else {
      this.buf[this.pos++] = 0xdf;
      this.view.setUint32(this.pos, length);
      this.pos += 4;
    }
  }

  /** Any payload value: nil, booleans, numbers, bigints, strings, bytes, arrays, maps. */
  value(value: unknown, depth = 0): void {
    switch (typeof value) {
      case 'number':
        return this.number(value);
      case 'string':
        return this.string(value);
      case 'boolean':
        return this.bool(value);
      case 'bigint':
        return this.bigint(value);
      case 'undefined':
        return this.nil();
      case 'object':
        if (value === null) return this.nil();
        if (depth >= MAX_ENCODE_DEPTH) throw new EncodeError(`payload nested deeper than ${MAX_ENCODE_DEPTH} levels (or circular)`);
        if (Array.isArray(value)) {
          this.arrayHeader(value.length);
          for (let i = 0; i < value.length; i++) this.value(value[i], depth + 1);
          return;
        }
        if (value instanceof Uint8Array) return this.bin(value);
        if (value instanceof Map) {
          this.mapHeader(value.size);
          for (const [k, v] of value) {
            this.value(k, depth + 1);
            this.value(v, depth + 1);
          }
          return;
        }
        if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer) {
          throw new EncodeError(`cannot encode ${value.constructor.name}: use a Uint8Array for bytes`);
        }
        if (value instanceof Date || value instanceof Set || value instanceof RegExp) {
          throw new EncodeError(`cannot encode a ${value.constructor.name}`);
        }
        return this.object(value as Record<string, unknown>, depth);
      default:
        throw new EncodeError(`cannot encode a value of type ${typeof value}`);
    }
  }

  /** A plain object as a map of its own enumerable string keys; `undefined` values are left out, as in JSON. */
  private object(value: Record<string, unknown>, depth: number): void {
    const keys = Object.keys(value);
    let count = 0;
    for (let i = 0; i < keys.length; i++) if (value[keys[i]!] !== undefined) count++;
    this.mapHeader(count);
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i]!;
      const v = value[key];
      if (v === undefined) continue;
      this.string(key);
      this.value(v, depth + 1);
    }
  }
}

/** Encodes a short string as UTF-8 at `pos`; returns the byte count. */
function writeUtf8(s: string, buf: Uint8Array, pos: number): number {
  const start = pos;
  for (let i = 0; i < s.length; i++) {
    let c = s.charCodeAt(i);
    if (c < 0x80) {
      buf[pos++] = c;
    } else if (c < 0x800) {
      buf[pos++] = 0xc0 | (c >> 6);
      buf[pos++] = 0x80 | (c & 0x3f);
    } else {
      if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
        const d = s.charCodeAt(i + 1);
        if (d >= 0xdc00 && d <= 0xdfff) {
          c = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
          i++;
          buf[pos++] = 0xf0 | (c >> 18);
          buf[pos++] = 0x80 | ((c >> 12) & 0x3f);
          buf[pos++] = 0x80 | ((c >> 6) & 0x3f);
          buf[pos++] = 0x80 | (c & 0x3f);
          continue;
        }
      }
      if (c >= 0xd800 && c <= 0xdfff) c = 0xfffd; // lone surrogate, as TextEncoder does
      buf[pos++] = 0xe0 | (c >> 12);
      buf[pos++] = 0x80 | ((c >> 6) & 0x3f);
      buf[pos++] = 0x80 | (c & 0x3f);
    }
  }
  return pos - start;
}

const payloadWriter = new MsgpackWriter();

/** Encodes one payload value to MessagePack bytes (Python-compatible). */
export function encodeValue(value: unknown): Uint8Array {
  payloadWriter.reset();
  try {
    payloadWriter.value(value);
    return payloadWriter.finish();
  } finally {
    payloadWriter.reset();
  }
}
