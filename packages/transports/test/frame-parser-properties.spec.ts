/**
 * Property tests of the FrameParser (fast-check): frames with garbage
 * between them, split at random offsets, come out whole and in order with
 * every skipped byte counted; random and mutated streams give frames or a
 * FrameTooLargeError, nothing else, and the parser never holds more than one
 * frame's worth of bytes. The long run of the same checks is `npm run fuzz`.
 */
import fc from 'fast-check';
import { FrameTooLargeError } from '@streamtasks/transports';
import { FrameParser, SYNC_WORD, encodeFrame } from '@streamtasks/transports/internal';

const SEED = Number(process.env.FC_SEED ?? 0x5eed);
const RUNS = Number(process.env.FC_RUNS ?? 300);
const params = { seed: SEED, numRuns: RUNS };

const MAX = 4096;

function concat(parts: readonly Uint8Array[]): Uint8Array {
  return Uint8Array.from(Buffer.concat(parts));
}

function containsSyncWord(bytes: Uint8Array): boolean {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).indexOf(Buffer.from(SYNC_WORD)) >= 0;
}

/** Cuts `bytes` at the given offsets (taken modulo its length, sorted). */
function split(bytes: Uint8Array, cuts: readonly number[]): Uint8Array[] {
  const at = [...new Set(cuts.map((c) => (bytes.length === 0 ? 0 : c % (bytes.length + 1))))].sort((a, b) => a - b);
  const out: Uint8Array[] = [];
  let from = 0;
  for (const c of at) {
    out.push(bytes.subarray(from, c));
    from = c;
  }
  out.push(bytes.subarray(from));
  return out;
}

/** Payload bytes biased towards the sync word and its prefixes. */
const tricky = fc.uint8Array({ maxLength: 300 }).chain((base) =>
  fc.array(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 4 })), { maxLength: 4 }).map((inserts) => {
    const out = Array.from(base);
    for (const [at, n] of inserts) out.splice(out.length === 0 ? 0 : at % out.length, 0, ...SYNC_WORD.slice(0, n));
    return Uint8Array.from(out);
  }),
);
/** Bytes between frames: anything without a whole sync word (a sync word there would start a frame). */
const garbage = fc.oneof(fc.constant(new Uint8Array(0)), tricky.filter((g) => !containsSyncWord(g)));

/** Parses chunks; returns the frames, the skipped total and what was thrown (if anything). */
function run(chunks: readonly Uint8Array[], maxFrameSize = MAX): { frames: Uint8Array[]; skipped: number; error: unknown } {
  const frames: Uint8Array[] = [];
  let skipped = 0;
  const parser = new FrameParser({ maxFrameSize, onFrame: (p) => frames.push(p), onSkipped: (n) => (skipped += n) });
  let error: unknown;
  let pushed = 0;
  for (const chunk of chunks) {
    pushed += chunk.length;
    try {
      parser.push(chunk);
    } catch (err) {
      error = err;
      break;
    } finally {
      // Never more than one frame's worth of bytes held, and never more than arrived.
      expect(parser.bufferedBytes).toBeLessThanOrEqual(Math.min(pushed, maxFrameSize + 8));
    }
  }
  if (error !== undefined) {
    // Failed for good: the stream cannot be trusted any more.
    expect(() => parser.push(Uint8Array.of(0))).toThrow(error as Error);
  }
  return { frames, skipped, error };
}

describe('FrameParser properties', () => {
  test('frames with garbage between them, split anywhere, come out whole, in order, with the garbage counted', () => {
    fc.assert(fc.property(
      fc.array(fc.tuple(garbage, tricky), { maxLength: 12 }),
      garbage,
      fc.array(fc.nat(), { maxLength: 20 }),
      (frames, tail, cuts) => {
        const stream = concat([...frames.flatMap(([g, p]) => [g, encodeFrame(p)]), tail]);
        const { frames: got, skipped, error } = run(split(stream, cuts));
        expect(error).toBeUndefined();
        expect(got.map((p) => Buffer.from(p).toString('hex'))).toEqual(frames.map(([, p]) => Buffer.from(p).toString('hex')));
        // The tail may end in a sync-word prefix the parser still holds.
        const garbageTotal = frames.reduce((n, [g]) => n + g.length, 0);
        expect(skipped).toBeGreaterThanOrEqual(garbageTotal);
        expect(skipped).toBeLessThanOrEqual(garbageTotal + tail.length);
      },
    ), params);
  });

  test('random and mutated streams give frames or FrameTooLargeError, nothing else', () => {
    const validStream = fc.array(tricky, { maxLength: 6 }).map((ps) => concat(ps.map((p) => encodeFrame(p))));
    const stream = fc.oneof(
      fc.uint8Array({ maxLength: 2048 }),
      fc.tuple(validStream, fc.array(fc.tuple(fc.nat(), fc.nat({ max: 255 }), fc.nat({ max: 2 })), { minLength: 1, maxLength: 8 }))
        .map(([bytes, edits]) => {
          const out = Array.from(bytes);
          for (const [at, value, kind] of edits) {
            const i = out.length === 0 ? 0 : at % out.length;
            if (kind === 0) out[i] = value;
            else if (kind === 1) out.splice(i, 0, value);
            else out.splice(i, 1);
          }
          return Uint8Array.from(out);
        }),
    );
    fc.assert(fc.property(stream, fc.array(fc.nat(), { maxLength: 20 }), fc.integer({ min: 0, max: MAX }), (bytes, cuts, max) => {
      const { frames, error } = run(split(bytes, cuts), max);
      if (error !== undefined) expect(error).toBeInstanceOf(FrameTooLargeError);
      for (const f of frames) expect(f.length).toBeLessThanOrEqual(max);
    }), { ...params, numRuns: RUNS * 2 });
  });

  test('the result does not depend on where the stream is split', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 1024 }), fc.array(fc.nat(), { maxLength: 20 }), (bytes, cuts) => {
      const whole = run([bytes]);
      const pieces = run(split(bytes, cuts));
      expect(pieces.frames).toEqual(whole.frames);
      expect(pieces.skipped).toBe(whole.skipped);
      expect((pieces.error as Error | undefined)?.message).toBe((whole.error as Error | undefined)?.message);
    }), params);
  });
});
