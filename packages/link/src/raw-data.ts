import { MAX_POOLED, joinBytes } from './bytes.js';
import { decodeValue, decodeValueRange } from './msgpack/decoder.js';
import { encodeValue } from './msgpack/encoder.js';

const EMPTY = Symbol('empty');

/**
 * A payload held as a decoded value, as its MessagePack bytes, or both.
 *
 * Each form is computed from the other only when asked for, and at most once:
 * a switch forwarding a message between two serialized links passes the bytes
 * through without ever decoding them, and a payload published in-process is
 * never encoded unless it crosses a serialized link.
 *
 * Treat a decoded value as read-only: the same `RawData` reaches every
 * subscriber of a topic. The bins of a small payload received from another
 * process are views of the message's own copy of its bytes (never of a
 * socket's read buffer): writing to one changes {@link RawData.bytes} too.
 */
export class RawData<T = unknown> {
  private _value: T | typeof EMPTY;
  private _bytes: Uint8Array | undefined;
  /** The encoding as a range of a larger buffer (a received message), until `bytes` is read. */
  private _src: Uint8Array | undefined;
  private _start: number;
  private _end: number;
  /** Bins of the value may be views of `_src` (see {@link RawData.fromRange}). */
  private _binViews: boolean;
  /** The encoding as a range of the pieces of a large frame (see {@link RawData.fromParts}), until someone needs it whole. */
  private _parts: readonly Uint8Array[] | undefined = undefined;

  private constructor(value: T | typeof EMPTY, bytes: Uint8Array | undefined, src?: Uint8Array, start = 0, end = 0, binViews = false) {
    this._value = value;
    this._bytes = bytes;
    this._src = src;
    this._start = start;
    this._end = end;
    this._binViews = binViews;
  }

  /** Wraps a value; it is encoded when a serialized link needs it. */
  static from<T>(value: T): RawData<T> {
    return new RawData<T>(value, undefined);
  }

  /**
   * Wraps MessagePack bytes (the encoding of one value). They are decoded when
   * someone reads {@link RawData.value}; a malformed encoding surfaces then as
   * a `DecodeError`.
   */
  static fromBytes<T = unknown>(bytes: Uint8Array): RawData<T> {
    return new RawData<T>(EMPTY, bytes);
  }

  /**
   * Refers to the MessagePack bytes `src[start, end)` (of a received
   * message) without copying them or making a view until they are needed.
   *
   * `owned`: nobody writes to `src` again and it is this message's own (a
   * frame copied out of the socket's read buffer). The value's bins are then
   * decoded as views of `src` when `src` is small (at most `MAX_POOLED`
   * bytes: it lives in a shared slab, and a kept view holds no more memory
   * than a copy of its own cut from a slab would), and copied otherwise, so
   * that a small bin never keeps a large message alive.
   * @internal
   */
  static fromRange<T = unknown>(src: Uint8Array, start: number, end: number, owned = false): RawData<T> {
    return new RawData<T>(EMPTY, undefined, src, start, end, owned && src.length <= MAX_POOLED);
  }

  /**
   * Refers to bytes `[start, end)` of the concatenation of `parts` (the
   * pieces of a received large frame) without joining them: a switch that
   * forwards the message in pieces never does. The first reader of the
   * bytes or the value joins them, once.
   * @internal
   */
  static fromParts<T = unknown>(parts: readonly Uint8Array[], start: number, end: number): RawData<T> {
    const data = new RawData<T>(EMPTY, undefined, undefined, start, end);
    data._parts = parts;
    return data;
  }

  /** True while the payload has not been decoded yet. */
  get isSerialized(): boolean {
    return this._value === EMPTY;
  }

  /** The decoded payload. Throws `DecodeError` if the bytes are not valid MessagePack. */
  get value(): T {
    if (this._value === EMPTY) {
      this.join();
      const src = this._src;
      this._value = (src !== undefined ? decodeValueRange(src, this._start, this._end, this._binViews) : decodeValue(this._bytes!)) as T;
    }
    return this._value;
  }

  /**
   * The payload's MessagePack bytes if they are known without encoding the
   * value, else undefined.
   * @internal
   */
  get knownBytes(): Uint8Array | undefined {
    this.join();
    if (this._bytes === undefined && this._src !== undefined) this._bytes = this._src.subarray(this._start, this._end);
    return this._bytes;
  }

  /**
   * Records that `src[start, end)` holds this payload's encoding (the codec
   * encoded it into a message), unless its bytes are known already.
   * @internal
   */
  adoptEncoding(src: Uint8Array, start: number, end: number): void {
    if (this._bytes !== undefined || this._src !== undefined || this._parts !== undefined) return;
    this._src = src;
    this._start = start;
    this._end = end;
  }

  /** The payload's MessagePack bytes. Throws `EncodeError` for values MessagePack cannot carry. */
  get bytes(): Uint8Array {
    this.join();
    if (this._bytes === undefined) {
      this._bytes = this._src === undefined ? encodeValue(this._value) : this._src.subarray(this._start, this._end);
    }
    return this._bytes;
  }

  /** Copies the pieces of a large frame into bytes of the payload's own (once). */
  private join(): void {
    const parts = this._parts;
    if (parts === undefined) return;
    this._parts = undefined;
    this._bytes = joinBytes(parts, this._start, this._end);
  }
}
