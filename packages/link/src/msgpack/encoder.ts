import { copyBytes } from '../bytes.js';
import { EncodeError } from '../errors.js';

/** Deepest nesting of arrays and maps the encoder follows (guards against cycles). */
export const MAX_ENCODE_DEPTH = 512;

const TWO_32 = 0x1_0000_0000;
const utf8 = new TextEncoder();

/**
 * A value written by {@link MsgpackWriter.take} that leaves less room than
 * this in the buffer: the writer moves on to a fresh buffer, so that the
 * next value rarely has to move there half written.
 */
const MIN_ROOM = 1024;

/** Values needing more than this many bytes grow the buffer to their size (plus {@link MIN_ROOM}) instead of doubling it. */
const EXACT_GROWTH_ABOVE = 1024 * 1024;

/**
 * A MessagePack writer that produces the same bytes as Python's `msgpack`
 * package (the encoding the network's Python peers use): the smallest integer
 * form, `uint64`/`int64` beyond 32 bits (never a float for an integer),
 * `float64` for every non-integer, `str8` for 32–255-byte strings, `bin` for
 * bytes. One writer is reused: {@link MsgpackWriter.finish} copies the
 * result out; {@link MsgpackWriter.take} hands it out as a view of the
 * buffer, and the writer goes on after it. Either way encoded buffers never
 * alias each other.
 */
export class MsgpackWriter {
  buf: Uint8Array;
  view: DataView;
  pos = 0;
  /**
   * Where the value being written begins (0 unless {@link MsgpackWriter.take}
   * was used). When the buffer grows, the bytes from here move to the start
   * of the new one: a position kept across a write must be kept relative to it.
   */
  start = 0;
  private readonly initialSize: number;

  constructor(initialSize = 8192) {
    this.initialSize = initialSize;
    this.buf = new Uint8Array(initialSize);
    this.view = new DataView(this.buf.buffer);
  }

  /** Drops what was written since the last {@link MsgpackWriter.take} (or since the start). */
  reset(): void {
    this.pos = this.start;
  }

  /** Makes room for `n` more bytes. */
  ensure(n: number): void {
    if (this.pos + n > this.buf.length) this.grow(n);
  }

  private grow(n: number): void {
    // Bytes before `start` were handed out by `take`: only the value being written moves.
    const used = this.pos - this.start;
    const need = used + n;
    let size: number;
    if (need > EXACT_GROWTH_ABOVE) {
      // A large value (a big bin) gets room for itself and the few bytes after it, not the next power
      // of two: doubling would zero-fill up to twice the payload (16 MiB for an 8 MiB bin). Growing by
      // at least half of what is written keeps a message of many large values linear in its size.
      size = Math.max(need + MIN_ROOM, used + (used >>> 1));
    } else {
      size = Math.max(this.initialSize, this.start === 0 ? this.buf.length * 2 : 0);
      while (size < need) size *= 2;
    }
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(this.start, this.pos));
    this.buf = next;
    this.view = new DataView(next.buffer);
    this.pos = used;
    this.start = 0;
  }

  /** Returns a copy of what was written since the last reset (see `allocBytes` for where small copies live). */
  finish(): Uint8Array {
    return copyBytes(this.buf, this.start, this.pos);
  }

  /**
   * Returns what was written since the last take (or the start) without
   * copying it: a view of the buffer, which the writer never writes again;
   * the next value is written after it, or into a fresh buffer when this one
   * is nearly full. A value that made the buffer grow and fills less than
   * half of it is copied out instead, so that it does not keep the memory.
   */
  take(): Uint8Array {
    const buf = this.buf;
    const start = this.start;
    const length = this.pos - start;
    let out: Uint8Array;
    if (buf.length > this.initialSize && length < buf.length >>> 1) {
      out = copyBytes(buf, start, this.pos);
    } else {
      out = new Uint8Array(buf.buffer, start, length);
    }
    if (buf.length - this.pos < MIN_ROOM || buf.length > this.initialSize) {
      this.buf = new Uint8Array(this.initialSize);
      this.view = new DataView(this.buf.buffer);
      this.pos = 0;
    }
    this.start = this.pos;
    return out;
  }

  byte(b: number): void {
    this.ensure(1);
    this.buf[this.pos++] = b;
  }

  bytes(data: Uint8Array): void {
    const n = data.length;
    this.ensure(n);
    if (n <= 16) {
      // A loop beats the call of `set` for a few bytes (message keys, headers).
      const buf = this.buf;
      const p = this.pos;
      for (let i = 0; i < n; i++) buf[p + i] = data[i]!;
    } else {
      this.buf.set(data, this.pos);
    }
    this.pos += n;
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
    if (value >>> 0 === value && (value !== 0 || 1 / value > 0)) {
      // 0 to 2^32 - 1 (not -0): the most common numbers, checked in one step.
      this.uint(value);
    } else if (Object.is(value, -0)) {
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
    // The header is chosen for the length in UTF-16 units, which the UTF-8
    // length is never below: ASCII (the common case) needs no move; longer
    // text that needs a longer header moves its bytes once.
    const headerSize = n < 0x20 ? 1 : n < 0x100 ? 2 : n < 0x10000 ? 3 : 5;
    this.ensure(5 + n * 3);
    const buf = this.buf;
    const start = this.pos + headerSize;
    let length: number;
    if (n < 64) {
      length = writeUtf8(value, buf, start);
    } else {
      length = utf8.encodeInto(value, buf.subarray(start)).written;
    }
    // Choose the header for the real length, as Python does.
    const realHeader = length < 0x20 ? 1 : length < 0x100 ? 2 : length < 0x10000 ? 3 : 5;
    if (realHeader !== headerSize) buf.copyWithin(this.pos + realHeader, start, start + length);
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
        if (Array.isArray(value)) return this.array(value, depth);
        // Plain objects first: one prototype check instead of the instanceof chain below.
        if (Object.getPrototypeOf(value) === Object.prototype) return this.object(value as Record<string, unknown>, depth);
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

  private array(value: readonly unknown[], depth: number): void {
    const n = value.length;
    this.arrayHeader(n);
    for (let i = 0; i < n; i++) this.value(value[i], depth + 1);
  }

  /**
   * A plain object as a map of its own enumerable string keys; `undefined`
   * values are left out, as in JSON. The entries are written in one pass
   * behind a one-byte header; a map of more than 15 entries then moves its
   * bytes once to make room for the longer header.
   */
  private object(value: Record<string, unknown>, depth: number): void {
    this.ensure(1);
    const headerAt = this.pos - this.start; // relative: the buffer may grow below
    this.pos++;
    let count = 0;
    for (const key in value) {
      if (!hasOwn.call(value, key)) continue;
      const v = value[key];
      if (v === undefined) continue;
      this.string(key);
      this.value(v, depth + 1);
      count++;
    }
    let at = this.start + headerAt;
    if (count < 0x10) {
      this.buf[at] = 0x80 | count;
      return;
    }
    const extra = count < 0x10000 ? 2 : 4;
    this.ensure(extra);
    at = this.start + headerAt;
    const buf = this.buf;
    buf.copyWithin(at + 1 + extra, at + 1, this.pos);
    this.pos += extra;
    if (extra === 2) {
      buf[at] = 0xde;
      buf[at + 1] = count >>> 8;
      buf[at + 2] = count & 0xff;
    } else {
      buf[at] = 0xdf;
      this.view.setUint32(at + 1, count);
    }
  }
}

const hasOwn = Object.prototype.hasOwnProperty;

/** Encodes a short string as UTF-8 at `pos`; returns the byte count. */
function writeUtf8(s: string, buf: Uint8Array, pos: number): number {
  // ASCII (keys, most short strings) in a loop of its own; the rest from the first other character on.
  const n = s.length;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x80) return i + writeUtf8From(s, i, buf, pos + i);
    buf[pos + i] = c;
  }
  return n;
}

/** Encodes `s` from index `from` on as UTF-8 at `pos`; returns the byte count. */
function writeUtf8From(s: string, from: number, buf: Uint8Array, pos: number): number {
  const start = pos;
  for (let i = from; i < s.length; i++) {
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

// Payloads are small: a 16 KiB buffer holds many of them, each handed out as a view of it.
const payloadWriter = new MsgpackWriter(16 * 1024);

/** Encodes one payload value to MessagePack bytes (Python-compatible). */
export function encodeValue(value: unknown): Uint8Array {
  try {
    payloadWriter.value(value);
  } catch (err) {
    payloadWriter.reset();
    throw err;
  }
  return payloadWriter.take();
}
