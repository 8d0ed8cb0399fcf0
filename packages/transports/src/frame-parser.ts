import { MAX_POOLED, copyBytes } from '@streamtasks/link/internal';
import { DEFAULT_MAX_FRAME_SIZE, SYNC_WORD } from './constants.js';
import { FrameTooLargeError } from './errors.js';

const S0 = SYNC_WORD[0]!;
const S1 = SYNC_WORD[1]!;
const S2 = SYNC_WORD[2]!;
const S3 = SYNC_WORD[3]!;

/** Where the parser is inside the byte stream. */
const State = { Sync: 0, Length: 1, Body: 2, Failed: 3 } as const;
type State = (typeof State)[keyof typeof State];

/** Payloads up to this size get their buffer at once; larger ones grow with what arrives. */
const PREALLOCATE_LIMIT = 1024 * 1024;

/**
 * A copy of `src[start, end)` that shares no memory with it (`Buffer#slice`
 * would return a view). Small copies are cut from a shared pool (see
 * `copyBytes` of `@streamtasks/link`).
 */
function copyOf(src: Uint8Array, start: number, end: number): Uint8Array {
  return copyBytes(src, start, end);
}

export interface FrameParserOptions {
  /** Frames longer than this many bytes are an error. Default {@link DEFAULT_MAX_FRAME_SIZE} (16 MiB). */
  maxFrameSize?: number;
  /** Called with each complete frame payload. */
  onFrame: (payload: Uint8Array) => void;
  /** Called when bytes that belong to no frame were skipped before a sync word. */
  onSkipped?: (count: number) => void;
  /**
   * True when the chunks pushed are never written to again (a Node socket's
   * `data` buffers): the pieces of a frame above the preallocation size
   * (1 MiB) are then kept as views of their chunks until the frame is
   * complete and copied once, into the payload, instead of being copied as
   * they arrive and again when joined. Default false.
   */
  chunksAreFresh?: boolean;
  /**
   * With `chunksAreFresh`: called instead of `onFrame` for a frame above the
   * preallocation size, with its pieces (views of the chunks it arrived in,
   * in order) and its length, so that a receiver that only forwards the
   * frame never joins them (no payload byte copied at all).
   */
  onLargeFrame?: (parts: readonly Uint8Array[], length: number) => void;
}

/**
 * Splits a byte stream into frames: the sync word `b8 23 a0 6f`, a
 * little-endian u32 length, then that many payload bytes.
 *
 * Chunks may be cut anywhere; the parser resumes where the last one ended.
 * Bytes outside frames are skipped until the next sync word, and every sync
 * word is found — unlike the Python reference, a mismatch never swallows a
 * sync word that starts inside the bytes just examined (the sync word has no
 * prefix that is also its suffix, so restarting at a mismatching `b8` is
 * enough).
 *
 * Every payload handed out is a fresh copy: it never aliases the chunks
 * given to {@link FrameParser.push}, which callers may reuse, nor any buffer
 * of the parser (small ones are cut from the shared pool of `copyBytes`).
 * Each payload byte is copied once (none, for the pieces handed to
 * `onLargeFrame`, which are views of chunks that are never written again).
 * Memory held for an incomplete frame grows
 * only with the bytes actually received, never with the announced length
 * (with `chunksAreFresh`, plus the rest of the first chunk it began in).
 */
export class FrameParser {
  /** Frames longer than this are an error; may be changed between chunks (e.g. after a handshake). */
  maxFrameSize: number;
  /** Total bytes skipped outside frames so far. */
  skippedBytes = 0;

  private readonly onFrame: (payload: Uint8Array) => void;
  private readonly onSkipped: ((count: number) => void) | undefined;
  private readonly onLargeFrame: ((parts: readonly Uint8Array[], length: number) => void) | undefined;
  private state: State = State.Sync;
  /** Sync bytes matched so far (0–3). */
  private matched = 0;
  /** Bytes consumed while looking for the current frame's sync word. */
  private scanned = 0;
  private lengthBytes = 0;
  private length = 0;
  /** The payload buffer when preallocated, else the pieces received (copies, or views with `chunksAreFresh`). */
  private body: Uint8Array | undefined;
  private parts: Uint8Array[] = [];
  private readonly chunksAreFresh: boolean;
  private received = 0;
  private failure: FrameTooLargeError | undefined;

  constructor(options: FrameParserOptions) {
    this.maxFrameSize = options.maxFrameSize ?? DEFAULT_MAX_FRAME_SIZE;
    this.onFrame = options.onFrame;
    this.onSkipped = options.onSkipped;
    this.chunksAreFresh = options.chunksAreFresh ?? false;
    this.onLargeFrame = this.chunksAreFresh ? options.onLargeFrame : undefined;
  }

  /** Bytes held for a frame that is not complete yet (its header and payload so far). */
  get bufferedBytes(): number {
    return this.state === State.Body ? 8 + this.received : this.state === State.Length ? 4 + this.lengthBytes : this.matched;
  }

  /**
   * Consumes a chunk, calling `onFrame` for each frame it completes, in
   * order. Throws {@link FrameTooLargeError} when a frame announces a length
   * above {@link FrameParser.maxFrameSize} (after delivering the frames
   * before it); the parser then stays failed, as the stream cannot be
   * resynchronized reliably.
   */
  push(input: Uint8Array): void {
    if (this.failure) throw this.failure;
    // A plain view: slicing a Node Buffer goes through its slower subclass.
    const chunk = input.constructor === Uint8Array ? input : new Uint8Array(input.buffer, input.byteOffset, input.byteLength);
    let i = 0;
    const n = chunk.length;
    while (i < n) {
      if (this.state === State.Sync && this.matched === 0) {
        // Fast path: whole frames one after the other, each starting right here.
        i = this.wholeFrames(chunk, i);
        if (i >= n) break;
      }
      switch (this.state) {
        case State.Sync:
          i = this.scan(chunk, i);
          break;
        case State.Length:
          while (i < n && this.lengthBytes < 4) {
            this.length += chunk[i++]! * 2 ** (8 * this.lengthBytes++);
          }
          if (this.lengthBytes === 4) this.startBody();
          break;
        case State.Body: {
          const take = Math.min(this.length - this.received, n - i);
          if (this.received === 0 && take === this.length) {
            // The whole payload is in this chunk: one copy, no bookkeeping.
            this.state = State.Sync;
            this.body = undefined;
            this.onFrame(copyOf(chunk, i, i + take));
          } else {
            if (this.received === 0 && this.length <= PREALLOCATE_LIMIT) this.body = new Uint8Array(this.length);
            if (this.body) this.body.set(chunk.subarray(i, i + take), this.received);
            else this.parts.push(this.chunksAreFresh ? chunk.subarray(i, i + take) : copyOf(chunk, i, i + take));
            this.received += take;
            if (this.received === this.length) this.finishBody();
          }
          i += take;
          break;
        }
        case State.Failed:
          throw this.failure!;
      }
    }
  }

  /**
   * Hands out the complete frames that start exactly at `i`, one after the
   * other, and returns where the first byte of anything else is (a frame
   * cut off by the end of the chunk, or bytes that are not a sync word):
   * the state machine takes over from there.
   */
  private wholeFrames(chunk: Uint8Array, i: number): number {
    const n = chunk.length;
    // Small frames that follow each other are copied out together, with their
    // headers, in one call, and handed out as views of that copy: creating the
    // view of the source that each copy needs costs more than copying 100
    // bytes. The copy comes from the shared pool as before (at most MAX_POOLED
    // bytes), so a frame kept alone holds no more memory than its own copy did.
    let copy: Uint8Array | undefined;
    /** Where in the chunk `copy` begins and ends. */
    let copyStart = 0;
    let copyEnd = 0;
    while (
      i + 8 <= n && chunk[i] === S0 && chunk[i + 1] === S1 && chunk[i + 2] === S2 && chunk[i + 3] === S3
    ) {
      const length = chunk[i + 4]! + chunk[i + 5]! * 0x100 + chunk[i + 6]! * 0x10000 + chunk[i + 7]! * 0x1000000;
      if (length > this.maxFrameSize || i + 8 + length > n) break;
      if (this.scanned > 0) {
        // Bytes before this frame were skipped while looking for its sync word.
        this.skippedBytes += this.scanned;
        this.onSkipped?.(this.scanned);
        this.scanned = 0;
      }
      const start = i + 8;
      i = start + length;
      let frame: Uint8Array;
      if (i <= copyEnd) {
        frame = copy!.subarray(start - copyStart, i - copyStart);
      } else {
        const runEnd = this.runEnd(chunk, i, start + MAX_POOLED);
        if (runEnd === i) {
          frame = copyOf(chunk, start, i);
        } else {
          copy = copyOf(chunk, start, runEnd);
          copyStart = start;
          copyEnd = runEnd;
          frame = copy.subarray(0, length);
        }
      }
      this.onFrame(frame);
      if (this.state !== State.Sync || this.failure) break;
    }
    return i;
  }

  /**
   * Where the whole frames that follow each other from `i` end, as far as
   * they end by `limit`: `i` itself when the next one does not. Frames are
   * checked again as they are handed out; this only sizes a copy.
   */
  private runEnd(chunk: Uint8Array, i: number, limit: number): number {
    const end = Math.min(chunk.length, limit);
    while (i + 8 <= end && chunk[i] === S0 && chunk[i + 1] === S1 && chunk[i + 2] === S2 && chunk[i + 3] === S3) {
      const next = i + 8 + chunk[i + 4]! + chunk[i + 5]! * 0x100 + chunk[i + 6]! * 0x10000 + chunk[i + 7]! * 0x1000000;
      if (next > end) break;
      i = next;
    }
    return i;
  }

  /** Looks for the sync word from `i`; returns where to continue. */
  private scan(chunk: Uint8Array, i: number): number {
    const n = chunk.length;
    while (i < n) {
      if (this.matched === 0) {
        const at = chunk.indexOf(S0, i);
        if (at < 0) {
          this.scanned += n - i;
          return n;
        }
        this.scanned += at - i + 1;
        this.matched = 1;
        i = at + 1;
        continue;
      }
      const b = chunk[i++]!;
      this.scanned++;
      const expected = this.matched === 1 ? S1 : this.matched === 2 ? S2 : S3;
      if (b === expected) {
        if (++this.matched === 4) {
          this.foundSync();
          return i;
        }
      } else {
        // The mismatching byte may itself start the next sync word.
        this.matched = b === S0 ? 1 : 0;
      }
    }
    return i;
  }

  private foundSync(): void {
    const skipped = this.scanned - 4;
    this.matched = 0;
    this.scanned = 0;
    this.state = State.Length;
    this.lengthBytes = 0;
    this.length = 0;
    if (skipped > 0) {
      this.skippedBytes += skipped;
      this.onSkipped?.(skipped);
    }
  }

  private startBody(): void {
    if (this.length > this.maxFrameSize) {
      this.state = State.Failed;
      this.failure = new FrameTooLargeError(this.length, this.maxFrameSize);
      throw this.failure;
    }
    this.received = 0;
    this.parts = [];
    this.body = undefined;
    if (this.length === 0) {
      this.state = State.Sync;
      this.onFrame(new Uint8Array(0));
    } else {
      this.state = State.Body;
    }
  }

  private finishBody(): void {
    const parts = this.parts;
    this.parts = [];
    this.state = State.Sync;
    let payload: Uint8Array;
    if (this.body) {
      payload = this.body;
      this.body = undefined;
    } else if (parts.length === 1 && !this.chunksAreFresh) {
      payload = parts[0]!;
    } else if (this.onLargeFrame !== undefined) {
      // The pieces are views of chunks nobody writes to again: they go out as they are.
      this.onLargeFrame(parts, this.length);
      return;
    } else {
      payload = new Uint8Array(this.length);
      let at = 0;
      for (const p of parts) {
        payload.set(p, at);
        at += p.length;
      }
    }
    this.onFrame(payload);
  }
}
