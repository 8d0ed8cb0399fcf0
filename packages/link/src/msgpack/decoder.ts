import { copyBytes } from '../bytes.js';
import { DecodeError } from '../errors.js';

/** Deepest nesting of arrays and maps the decoder accepts. */
export const MAX_DECODE_DEPTH = 512;

const TWO_32 = 0x1_0000_0000;
const utf8 = new TextDecoder('utf-8', { fatal: true });

// Floats are read through these instead of a DataView: creating a view per
// message costs more than decoding the whole rest of it.
const float64 = new Float64Array(1);
const float32 = new Float32Array(float64.buffer, 0, 1);
const floatBytes = new Uint8Array(float64.buffer);
const LITTLE_ENDIAN = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1;

// Map keys repeat from message to message: short ASCII keys are remembered
// with their bytes, in a slot chosen by their length and three of their
// bytes, so the same string comes back without building it again (and
// property stores see a string they already know).
const KEY_CACHE_SIZE = 1024;
const MAX_CACHED_KEY = 24;
const keyCache: Array<string | undefined> = new Array<string | undefined>(KEY_CACHE_SIZE).fill(undefined);
const keyCacheBytes = new Uint8Array(KEY_CACHE_SIZE * MAX_CACHED_KEY);

/**
 * A strict MessagePack reader over one buffer. Integers come back exact
 * (`number` while safe, `bigint` beyond), str as strings (invalid UTF-8 is an
 * error, as for Python peers), bin as a copied `Uint8Array` (a view with {@link MsgpackReader.binViews}), maps with only
 * string keys as plain objects (a `__proto__` key becomes an ordinary own
 * property, never a prototype) and maps with other keys as `Map`.
 * Every length is checked against the bytes left before anything is
 * allocated; extension types and the reserved byte `c1` are rejected.
 */
export class MsgpackReader {
  buf: Uint8Array;
  pos: number;
  end: number;
  /**
   * Bins come back as views of `buf` instead of copies. Only for an input
   * that nobody writes to again and that is small (see `RawData.fromRange`):
   * a view then keeps no more memory alive than a copy cut from the shared
   * slab would.
   */
  binViews = false;
  private dataView: DataView | undefined;

  /** Where reading began: positions in errors count from here. */
  private origin: number;

  constructor(buf: Uint8Array, start = 0, end = buf.length) {
    this.buf = buf;
    this.pos = start;
    this.end = end;
    this.origin = start;
  }

  /** Starts reading another buffer (a reader can be reused instead of allocating one per input). */
  reset(buf: Uint8Array, start = 0, end = buf.length, binViews = false): this {
    this.buf = buf;
    this.pos = start;
    this.end = end;
    this.origin = start;
    this.binViews = binViews;
    this.dataView = undefined;
    return this;
  }

  /** Created on first use only (floats, 64-bit integers): most messages never need one. */
  get view(): DataView {
    return (this.dataView ??= new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.byteLength));
  }

  fail(what: string): never {
    throw new DecodeError(`${what} at byte ${this.pos - this.origin}`);
  }

  need(n: number): void {
    if (this.pos + n > this.end) this.fail(`truncated input: ${n} more bytes needed`);
  }

  u8(): number {
    if (this.pos >= this.end) this.fail('truncated input');
    return this.buf[this.pos++]!;
  }

  u16(): number {
    this.need(2);
    const b = this.buf;
    const p = this.pos;
    this.pos = p + 2;
    return (b[p]! << 8) | b[p + 1]!;
  }

  u32(): number {
    this.need(4);
    const v = this.u32At(this.pos);
    this.pos += 4;
    return v;
  }

  private u32At(p: number): number {
    const b = this.buf;
    return b[p]! * 0x100_0000 + ((b[p + 1]! << 16) | (b[p + 2]! << 8) | b[p + 3]!);
  }

  u64(): number | bigint {
    this.need(8);
    const hi = this.u32At(this.pos);
    const lo = this.u32At(this.pos + 4);
    if (hi < 0x20_0000) {
      this.pos += 8;
      return hi * TWO_32 + lo;
    }
    const v = this.view.getBigUint64(this.pos);
    this.pos += 8;
    return v;
  }

  i64(): number | bigint {
    this.need(8);
    const v = this.view.getBigInt64(this.pos);
    this.pos += 8;
    return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
  }

  /** Reads a string body of `length` bytes. */
  str(length: number): string {
    this.need(length);
    const buf = this.buf;
    const start = this.pos;
    const end = start + length;
    if (length < 32) {
      // Short strings (map keys, descriptors) are mostly ASCII: skip TextDecoder,
      // whose call costs more than building them here.
      for (let i = start; i < end; i++) if (buf[i]! >= 0x80) return this.strSlow(start, end);
      this.pos = end;
      return length <= 16 ? ascii(buf, start, length) : ascii(buf, start, 16) + ascii(buf, start + 16, length - 16);
    }
    return this.strSlow(start, end);
  }

  private strSlow(start: number, end: number): string {
    try {
      const s = utf8.decode(this.buf.subarray(start, end));
      this.pos = end;
      return s;
    } catch (cause) {
      throw new DecodeError(`invalid UTF-8 in string at byte ${start - this.origin}`, { cause });
    }
  }

  binBody(length: number): Uint8Array {
    this.need(length);
    const out = this.binViews ? this.buf.subarray(this.pos, this.pos + length) : copyBytes(this.buf, this.pos, this.pos + length);
    this.pos += length;
    return out;
  }

  /** A big-endian float32 (`size` 4) or float64 (`size` 8). */
  private float(size: 4 | 8): number {
    this.need(size);
    const b = this.buf;
    const p = this.pos;
    this.pos = p + size;
    if (LITTLE_ENDIAN) {
      for (let i = 0; i < size; i++) floatBytes[i] = b[p + size - 1 - i]!;
    } else {
      for (let i = 0; i < size; i++) floatBytes[i] = b[p + i]!;
    }
    return size === 8 ? float64[0]! : float32[0]!;
  }

  /** A map key: short ASCII fixstr keys through the key cache, anything else as a value. */
  private key(depth: number): unknown {
    const p = this.pos;
    const buf = this.buf;
    const b = p < this.end ? buf[p]! : 0;
    const length = b & 0x1f;
    if ((b & 0xe0) !== 0xa0 || length === 0 || length > MAX_CACHED_KEY || p + 1 + length > this.end) return this.value(depth);
    const s = p + 1;
    const last = s + length - 1;
    const slot = ((length << 5) ^ (buf[s]! << 2) ^ (buf[s + (length >> 1)]! << 1) ^ buf[last]!) & (KEY_CACHE_SIZE - 1);
    const cached = keyCache[slot];
    const at = slot * MAX_CACHED_KEY;
    if (cached !== undefined && cached.length === length) {
      // Only ASCII keys are cached: equal bytes are the same key.
      let i = 0;
      while (i < length && keyCacheBytes[at + i] === buf[s + i]) i++;
      if (i === length) {
        this.pos = s + length;
        return cached;
      }
    }
    this.pos = s;
    const key = this.str(length);
    if (key.length === length) {
      // As many UTF-16 units as bytes: ASCII.
      keyCache[slot] = key;
      for (let i = 0; i < length; i++) keyCacheBytes[at + i] = buf[s + i]!;
    }
    return key;
  }

  /** Reads one value of any type. */
  value(depth = 0): unknown {
    const b = this.u8();
    if (b < 0x80) return b;
    if (b >= 0xe0) return b - 0x100;
    if (b < 0x90) return this.map(b & 0x0f, depth);
    if (b < 0xa0) return this.array(b & 0x0f, depth);
    if (b < 0xc0) return this.str(b & 0x1f);
    switch (b) {
      case 0xc0: return null;
      case 0xc2: return false;
      case 0xc3: return true;
      case 0xc4: return this.binBody(this.u8());
      case 0xc5: return this.binBody(this.u16());
      case 0xc6: return this.binBody(this.u32());
      case 0xca: return this.float(4);
      case 0xcb: return this.float(8);
      case 0xcc: return this.u8();
      case 0xcd: return this.u16();
      case 0xce: return this.u32();
      case 0xcf: return this.u64();
      case 0xd0: { const v = this.u8(); return v < 0x80 ? v : v - 0x100; }
      case 0xd1: { const v = this.u16(); return v < 0x8000 ? v : v - 0x10000; }
      case 0xd2: return this.u32() | 0;
      case 0xd3: return this.i64();
      case 0xd9: return this.str(this.u8());
      case 0xda: return this.str(this.u16());
      case 0xdb: return this.str(this.u32());
      case 0xdc: return this.array(this.u16(), depth);
      case 0xdd: return this.array(this.u32(), depth);
      case 0xde: return this.map(this.u16(), depth);
      case 0xdf: return this.map(this.u32(), depth);
      default:
        this.pos--;
        return this.fail(b === 0xc1 ? 'reserved type byte 0xc1' : `unsupported extension type 0x${b.toString(16)}`);
    }
  }

  private array(length: number, depth: number): unknown[] {
    if (depth >= MAX_DECODE_DEPTH) this.fail(`nesting deeper than ${MAX_DECODE_DEPTH}`);
    // Each element takes at least one byte: reject impossible lengths before allocating.
    if (length > this.end - this.pos) this.fail(`array of ${length} elements is longer than the input`);
    const out = new Array<unknown>(length);
    for (let i = 0; i < length; i++) out[i] = this.value(depth + 1);
    return out;
  }

  private map(length: number, depth: number): Record<string, unknown> | Map<unknown, unknown> {
    if (depth >= MAX_DECODE_DEPTH) this.fail(`nesting deeper than ${MAX_DECODE_DEPTH}`);
    // Each entry takes at least two bytes (a key and a value).
    if (length * 2 > this.end - this.pos) this.fail(`map of ${length} entries is longer than the input`);
    const obj: Record<string, unknown> = {};
    // The wire order of the keys, kept only once a key could be an array
    // index: an object lists those first, in numeric order, so its own order
    // would no longer be the wire order if the map turns into a `Map`.
    let order: string[] | undefined;
    for (let i = 0; i < length; i++) {
      const key = this.key(depth + 1);
      if (typeof key !== 'string') return this.continueAsMap(obj, order, key, i, length, depth);
      if (order !== undefined) order.push(key);
      else if (key.charCodeAt(0) <= 0x39) (order = Object.keys(obj)).push(key); // '0'–'9' or below: maybe an index
      const v = this.value(depth + 1);
      if (key === '__proto__') {
        Object.defineProperty(obj, key, { value: v, enumerable: true, writable: true, configurable: true });
      } else {
        obj[key] = v;
      }
    }
    return obj;
  }

  /**
   * Finishes a map whose entry `index` has a key that is not a string, as a
   * `Map` in wire order: the entries read so far move over from `obj` and the
   * rest are read straight into the `Map`. Nothing is read twice, so the cost
   * stays linear however deeply such maps nest.
   */
  private continueAsMap(
    obj: Record<string, unknown>,
    order: string[] | undefined,
    firstKey: unknown,
    index: number,
    length: number,
    depth: number,
  ): Map<unknown, unknown> {
    const out = new Map<unknown, unknown>();
    // Duplicate keys: the first position and the last value, as a `Map` keeps them.
    for (const k of order ?? Object.keys(obj)) out.set(k, obj[k]);
    out.set(firstKey, this.value(depth + 1));
    for (let i = index + 1; i < length; i++) {
      const key = this.value(depth + 1);
      out.set(key, this.value(depth + 1));
    }
    return out;
  }

  /**
   * Skips one value without building it (bin bodies are not copied). The value
   * is checked as strictly as {@link MsgpackReader.value} checks it, strings
   * included, because a Python peer rejects the whole message otherwise.
   */
  skip(depth = 0): void {
    const b = this.u8();
    if (b < 0x80 || b >= 0xe0) return;
    if (b < 0x90) return this.skipItems((b & 0x0f) * 2, depth);
    if (b < 0xa0) return this.skipItems(b & 0x0f, depth);
    if (b < 0xc0) {
      this.str(b & 0x1f);
      return;
    }
    switch (b) {
      case 0xc0: case 0xc2: case 0xc3: return;
      case 0xc4: return this.advance(this.u8());
      case 0xc5: return this.advance(this.u16());
      case 0xc6: return this.advance(this.u32());
      case 0xcc: case 0xd0: return this.advance(1);
      case 0xcd: case 0xd1: return this.advance(2);
      case 0xca: case 0xce: case 0xd2: return this.advance(4);
      case 0xcb: case 0xcf: case 0xd3: return this.advance(8);
      case 0xd9: this.str(this.u8()); return;
      case 0xda: this.str(this.u16()); return;
      case 0xdb: this.str(this.u32()); return;
      case 0xdc: return this.skipItems(this.u16(), depth);
      case 0xdd: return this.skipItems(this.u32(), depth);
      case 0xde: return this.skipItems(this.u16() * 2, depth);
      case 0xdf: return this.skipItems(this.u32() * 2, depth);
      default:
        this.pos--;
        this.fail(b === 0xc1 ? 'reserved type byte 0xc1' : `unsupported extension type 0x${b.toString(16)}`);
    }
  }

  private advance(n: number): void {
    this.need(n);
    this.pos += n;
  }

  /** Skips the `count` items of an array (or keys and values of a map) at `depth`. */
  private skipItems(count: number, depth: number): void {
    if (depth >= MAX_DECODE_DEPTH) this.fail(`nesting deeper than ${MAX_DECODE_DEPTH}`);
    if (count > this.end - this.pos) this.fail(`container of ${count} items is longer than the input`);
    for (let i = 0; i < count; i++) this.skip(depth + 1);
  }
}

const fromCharCode = String.fromCharCode;

/**
 * The string of the `n` (at most 16) ASCII bytes at `b[p]`, in one call with
 * every code as its own argument: several times faster for short strings
 * than adding characters one by one, or than a call of `TextDecoder`.
 */
function ascii(b: Uint8Array, p: number, n: number): string {
  switch (n) {
    case 0: return '';
    case 1: return fromCharCode(b[p]!);
    case 2: return fromCharCode(b[p]!, b[p + 1]!);
    case 3: return fromCharCode(b[p]!, b[p + 1]!, b[p + 2]!);
    case 4: return fromCharCode(b[p]!, b[p + 1]!, b[p + 2]!, b[p + 3]!);
    case 5: return fromCharCode(b[p]!, b[p + 1]!, b[p + 2]!, b[p + 3]!, b[p + 4]!);
    case 6: return fromCharCode(b[p]!, b[p + 1]!, b[p + 2]!, b[p + 3]!, b[p + 4]!, b[p + 5]!);
    case 7: return fromCharCode(b[p]!, b[p + 1]!, b[p + 2]!, b[p + 3]!, b[p + 4]!, b[p + 5]!, b[p + 6]!);
    case 8: return fromCharCode(b[p]!, b[p + 1]!, b[p + 2]!, b[p + 3]!, b[p + 4]!, b[p + 5]!, b[p + 6]!, b[p + 7]!);
    case 16:
      return fromCharCode(b[p]!, b[p + 1]!, b[p + 2]!, b[p + 3]!, b[p + 4]!, b[p + 5]!, b[p + 6]!, b[p + 7]!,
        b[p + 8]!, b[p + 9]!, b[p + 10]!, b[p + 11]!, b[p + 12]!, b[p + 13]!, b[p + 14]!, b[p + 15]!);
    default: // 9 to 15
      return ascii(b, p, 8) + ascii(b, p + 8, n - 8);
  }
}

/** Decodes one complete MessagePack value; trailing bytes are an error. */
export function decodeValue(bytes: Uint8Array): unknown {
  return decodeValueRange(bytes, 0, bytes.length);
}

// Decoding never re-enters itself (it runs no user code): one reader serves every call.
const shared = new MsgpackReader(new Uint8Array(0));

/**
 * Decodes the one complete MessagePack value in `bytes[start, end)`; with
 * `binViews`, bins are views of `bytes` (see {@link MsgpackReader.binViews}). @internal
 */
export function decodeValueRange(bytes: Uint8Array, start: number, end: number, binViews = false): unknown {
  const reader = shared.reset(bytes, start, end, binViews);
  const value = reader.value();
  if (reader.pos !== reader.end) reader.fail(`${reader.end - reader.pos} trailing bytes`);
  return value;
}
