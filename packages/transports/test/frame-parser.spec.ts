import { decodeMessage, MessageType } from '@streamtasks/link';
import { FrameTooLargeError } from '@streamtasks/transports';
import { FrameParser, SYNC_WORD, encodeFrame } from '@streamtasks/transports/internal';
import { hex, loadVectors, toHex, type FramingVectors } from './vectors.js';

const vectors = loadVectors<FramingVectors>('framing.json');
const stream = hex(vectors.stream_of_both_hex);
const payloads = vectors.frames.map((f) => f.payload_hex);

/** Parses chunks and returns the payloads (hex) and the skipped-byte reports. */
function parse(chunks: Uint8Array[], maxFrameSize?: number): { frames: string[]; skipped: number[]; parser: FrameParser } {
  const frames: string[] = [];
  const skipped: number[] = [];
  const parser = new FrameParser({ maxFrameSize, onFrame: (p) => frames.push(toHex(p)), onSkipped: (n) => skipped.push(n) });
  for (const c of chunks) parser.push(c);
  return { frames, skipped, parser };
}

function concat(...parts: Uint8Array[]): Uint8Array {
  return Uint8Array.from(Buffer.concat(parts));
}

describe('FrameParser', () => {
  test('reference frames decode to their messages', () => {
    expect(toHex(Uint8Array.from(SYNC_WORD))).toBe(vectors.sync_word_hex);
    const { frames } = parse([stream]);
    expect(frames).toEqual(payloads);
    expect(decodeMessage(hex(frames[0]!))).toMatchObject({ type: MessageType.TopicData, topic: 100000 });
    expect(decodeMessage(hex(frames[1]!))).toMatchObject({ type: MessageType.InTopicsChanged, add: [100000] });
  });

  test('encodeFrame reproduces the reference frames', () => {
    for (const f of vectors.frames) expect(toHex(encodeFrame(hex(f.payload_hex)))).toBe(f.frame_hex);
  });

  test('split at every byte offset (two chunks)', () => {
    for (let cut = 0; cut <= stream.length; cut++) {
      expect(parse([stream.subarray(0, cut), stream.subarray(cut)]).frames).toEqual(payloads);
    }
  });

  test('split at every pair of offsets (three chunks)', () => {
    for (let a = 0; a <= stream.length; a += 3) {
      for (let b = a; b <= stream.length; b++) {
        const { frames } = parse([stream.subarray(0, a), stream.subarray(a, b), stream.subarray(b)]);
        expect(frames).toEqual(payloads);
      }
    }
  });

  test('one byte at a time', () => {
    expect(parse(Array.from(stream, (b) => Uint8Array.of(b))).frames).toEqual(payloads);
  });

  test('garbage before and between frames is skipped and reported', () => {
    const [f1, f2] = vectors.frames.map((f) => hex(f.frame_hex));
    const junk = Uint8Array.from([1, 2, 3, 0xb8, 0x23, 0xa0, 9, 0xb8, 0xb8, 0x23]);
    const input = concat(junk, f1!, Uint8Array.of(0xff, 0x00), f2!);
    for (let cut = 0; cut <= input.length; cut++) {
      const { frames, skipped, parser } = parse([input.subarray(0, cut), input.subarray(cut)]);
      expect(frames).toEqual(payloads);
      expect(skipped).toEqual([junk.length, 2]);
      expect(parser.skippedBytes).toBe(junk.length + 2);
    }
  });

  test('Known fault 8: a stray b8 right before a sync word does not hide the frame (the reference misses it)', () => {
    const [f1, f2] = vectors.frames.map((f) => hex(f.frame_hex));
    for (const prefix of [[0xb8], [0xb8, 0x23], [0xb8, 0x23, 0xa0], [0xb8, 0xb8, 0x23, 0xa0, 0xb8]]) {
      const input = concat(Uint8Array.from(prefix), f1!, Uint8Array.from(prefix), f2!);
      for (let cut = 0; cut <= input.length; cut++) {
        const { frames, skipped } = parse([input.subarray(0, cut), input.subarray(cut)]);
        expect(frames).toEqual(payloads);
        expect(skipped).toEqual([prefix.length, prefix.length]);
      }
    }
  });

  test('empty frames', () => {
    const input = concat(encodeFrame(new Uint8Array(0)), encodeFrame(Uint8Array.of(7)), encodeFrame(new Uint8Array(0)));
    for (let cut = 0; cut <= input.length; cut++) {
      expect(parse([input.subarray(0, cut), input.subarray(cut)]).frames).toEqual(['', '07', '']);
    }
  });

  test('large frames across many chunks, above and below the preallocation size', () => {
    for (const size of [70_000, 3 * 1024 * 1024 + 5]) {
      const payload = Uint8Array.from({ length: size }, (_, i) => (i * 7) & 0xff);
      const frame = encodeFrame(payload);
      const got: Uint8Array[] = [];
      const parser = new FrameParser({ onFrame: (p) => got.push(p) });
      for (let at = 0; at < frame.length; at += 65_536) parser.push(frame.subarray(at, at + 65_536));
      expect(got).toHaveLength(1);
      expect(Buffer.compare(got[0]!, payload)).toBe(0);
    }
  });

  test('with chunksAreFresh a frame above 1 MiB is joined from its chunks into a payload of its own', () => {
    const payload = Uint8Array.from({ length: 3 * 1024 * 1024 + 5 }, (_, i) => (i * 13) & 0xff);
    const frame = concat(encodeFrame(Uint8Array.of(1)), encodeFrame(payload), encodeFrame(Uint8Array.of(2)));
    for (const chunkSize of [65_536, 4 * 1024 * 1024]) {
      const got: Uint8Array[] = [];
      const parser = new FrameParser({ chunksAreFresh: true, onFrame: (p) => got.push(p) });
      const chunks: Uint8Array[] = [];
      for (let at = 0; at < frame.length; at += chunkSize) chunks.push(frame.slice(at, at + chunkSize));
      for (const c of chunks) parser.push(c);
      expect(got.map((p) => p.length)).toEqual([1, payload.length, 1]);
      expect(Buffer.compare(got[1]!, payload)).toBe(0);
      // One buffer of exactly the payload, none of the chunks'.
      expect(got[1]!.byteOffset).toBe(0);
      expect(got[1]!.buffer.byteLength).toBe(payload.length);
      for (const c of chunks) expect(got[1]!.buffer).not.toBe(c.buffer);
    }
  });

  test('with onLargeFrame a frame above 1 MiB is handed out as views of its chunks, never joined', () => {
    const payload = Uint8Array.from({ length: 3 * 1024 * 1024 + 5 }, (_, i) => (i * 13) & 0xff);
    const small = Uint8Array.from({ length: 1024 * 1024 }, (_, i) => i & 0xff);
    const frame = concat(encodeFrame(Uint8Array.of(1)), encodeFrame(payload), encodeFrame(small));
    const chunks: Uint8Array[] = [];
    for (let at = 0; at < frame.length; at += 65_536) chunks.push(frame.slice(at, at + 65_536));
    const got: Uint8Array[] = [];
    const large: { parts: readonly Uint8Array[]; length: number }[] = [];
    const parser = new FrameParser({
      chunksAreFresh: true,
      onFrame: (p) => got.push(p),
      onLargeFrame: (parts, length) => large.push({ parts, length }),
    });
    for (const c of chunks) parser.push(c);
    // The frames up to 1 MiB come whole, as before.
    expect(got.map((p) => p.length)).toEqual([1, small.length]);
    expect(Buffer.compare(got[1]!, small)).toBe(0);
    expect(large).toHaveLength(1);
    const { parts, length } = large[0]!;
    expect(length).toBe(payload.length);
    expect(Buffer.compare(Buffer.concat(parts), payload)).toBe(0);
    // Every piece is a view of one of the chunks: no byte was copied.
    for (const p of parts) expect(chunks.some((c) => c.buffer === p.buffer)).toBe(true);
  });

  test('onLargeFrame is only used with chunksAreFresh (pieces of reused chunks are copied and joined)', () => {
    const payload = Uint8Array.from({ length: 2 * 1024 * 1024 }, (_, i) => (i * 7) & 0xff);
    const frame = encodeFrame(payload);
    const got: Uint8Array[] = [];
    const parser = new FrameParser({ onFrame: (p) => got.push(p), onLargeFrame: () => { throw new Error('not expected'); } });
    for (let at = 0; at < frame.length; at += 65_536) parser.push(frame.subarray(at, at + 65_536));
    expect(got).toHaveLength(1);
    expect(Buffer.compare(got[0]!, payload)).toBe(0);
  });

  test('payloads never alias the chunks they came from', () => {
    const chunk = Buffer.from(encodeFrame(Uint8Array.of(1, 2, 3)));
    const got: Uint8Array[] = [];
    const parser = new FrameParser({ onFrame: (p) => got.push(p) });
    parser.push(chunk);
    chunk.fill(0); // the caller reuses its buffer
    expect(Array.from(got[0]!)).toEqual([1, 2, 3]);
    // Small payloads are cut from a shared pool (copyBytes): never from the chunk.
    expect(got[0]!.buffer).not.toBe(chunk.buffer);

    // Spanning chunks that are reused between pushes.
    const frame = encodeFrame(Uint8Array.of(9, 8, 7, 6));
    const reused = new Uint8Array(5);
    reused.set(frame.subarray(0, 5));
    parser.push(reused);
    reused.set(frame.subarray(5, 10));
    parser.push(reused);
    reused.fill(0);
    parser.push(frame.subarray(10));
    expect(Array.from(got[1]!)).toEqual([9, 8, 7, 6]);
  });

  test('an oversize length is an error after the frames before it, and the parser stays failed', () => {
    const ok = encodeFrame(Uint8Array.of(1));
    const big = new Uint8Array(8);
    big.set(SYNC_WORD);
    new DataView(big.buffer).setUint32(4, 1025, true);
    const got: string[] = [];
    const parser = new FrameParser({ maxFrameSize: 1024, onFrame: (p) => got.push(toHex(p)) });
    let error: unknown;
    try {
      parser.push(concat(ok, big, ok));
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(FrameTooLargeError);
    expect(error).toMatchObject({ code: 'ERR_FRAME_TOO_LARGE', size: 1025, maxSize: 1024 });
    expect(got).toEqual(['01']);
    expect(() => parser.push(ok)).toThrow(FrameTooLargeError);
  });

  test('the maximum itself is allowed, and the default is 16 MiB', () => {
    expect(new FrameParser({ onFrame: () => {} }).maxFrameSize).toBe(16 * 1024 * 1024);
    expect(parse([encodeFrame(new Uint8Array(1024))], 1024).frames).toHaveLength(1);
  });

  test('a huge announced length holds memory only for the bytes received', () => {
    const header = new Uint8Array(8);
    header.set(SYNC_WORD);
    new DataView(header.buffer).setUint32(4, 0xffffffff, true);
    const parser = new FrameParser({ maxFrameSize: 0xffffffff, onFrame: () => {} });
    parser.push(header);
    parser.push(new Uint8Array(10));
    expect(parser.bufferedBytes).toBe(18);
  });
});

describe('FrameParser: small frames copied out together', () => {
  test('a run of small frames and a large one after it: each frame its own bytes, none a view of the chunk', () => {
    const small = Array.from({ length: 40 }, (_, i) => new Uint8Array(60).fill(i));
    const large = new Uint8Array(5000).fill(0xee);
    const chunk = concat(...small.map((p) => encodeFrame(p)), encodeFrame(large), encodeFrame(small[1]!));
    const got: Uint8Array[] = [];
    new FrameParser({ onFrame: (p) => got.push(p) }).push(chunk);
    expect(got.map(toHex)).toEqual([...small, large, small[1]!].map(toHex));
    for (const p of got) expect(p.buffer).not.toBe(chunk.buffer);
    // Writing to one frame (or to the chunk) changes no other frame.
    chunk.fill(0);
    got[0]!.fill(0xff);
    expect(toHex(got[1]!)).toBe(toHex(small[1]!));
    expect(toHex(got[41]!)).toBe(toHex(small[1]!));
  });
});
