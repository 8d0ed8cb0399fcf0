// Adversarial input families for the decoders, and the measurement that
// proves their cost is linear. Each family builds MessagePack bytes of about
// a requested size from one hostile shape repeated or nested; the families
// test (tools/decoder-families.test.mjs) decodes each at 1 KiB and 64 KiB and
// compares the time per byte, and the fuzzer (tools/fuzz.mjs) mixes them into
// its inputs and keeps the slowest as a regression corpus.
//
// No package is imported here: the bytes are written by hand, so a family
// can hold what no encoder would write (lying lengths, invalid UTF-8,
// extension types, keys that collide in the decoder's key cache).
import process from 'node:process';

/** The deepest nesting the MessagePack reader accepts (MAX_DECODE_DEPTH of @streamtasks/link). */
export const DEPTH_LIMIT = 512;

const ascii = (s) => Array.from(s, (c) => c.charCodeAt(0));
const fixstr = (s) => [0xa0 | s.length, ...ascii(s)];
const u16 = (n) => [(n >>> 8) & 0xff, n & 0xff];
const u32 = (n) => [(n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff];

/** An array32 header for `count` elements. */
const array32 = (count) => [0xdd, ...u32(count)];
/** A map32 header for `count` entries. */
const map32 = (count) => [0xdf, ...u32(count)];

/**
 * Repeats `unit` (the bytes of `values` values) behind an array32 header
 * until the whole is at least `size` bytes.
 */
function arrayOf(unit, size, values = 1) {
  const count = Math.max(1, Math.ceil((size - 5) / unit.length));
  const out = new Uint8Array(5 + count * unit.length);
  out.set(array32(count * values), 0);
  for (let i = 0; i < count; i++) out.set(unit, 5 + i * unit.length);
  return out;
}

/** `{"a": {"a": … nil …, 1: nil}, 1: nil}`: maps whose second key is an integer, `levels` deep. */
export function mixedKeyLevels(levels) {
  const out = [];
  for (let i = 0; i < levels; i++) out.push(0x82, ...fixstr('a'));
  out.push(0xc0);
  for (let i = 0; i < levels; i++) out.push(0x01, 0xc0);
  return out;
}

/** Arrays nested `levels` deep around nil. */
const arrayLevels = (levels) => [...new Array(levels).fill(0x91), 0xc0];

/** The string key cache of the reader: 1024 slots, a key's slot is its 31-polynomial hash. */
const KEY_CACHE_SLOTS = 1024;
function keyCacheSlot(key) {
  let hash = key.length;
  for (let i = 0; i < key.length; i++) hash = (Math.imul(hash, 31) + key.charCodeAt(i)) | 0;
  return hash & (KEY_CACHE_SLOTS - 1);
}

/** `count` different 4-letter keys that all land in one slot of the key cache. */
export function collidingKeys(count) {
  const out = [];
  const target = keyCacheSlot('aaaa');
  for (let n = 0; out.length < count; n++) {
    const key = String.fromCharCode(97 + (n % 26), 97 + (Math.floor(n / 26) % 26), 97 + (Math.floor(n / 676) % 26), 97 + (Math.floor(n / 17576) % 26));
    if (keyCacheSlot(key) === target) out.push(key);
  }
  return out;
}

const COLLIDING = collidingKeys(16);

/**
 * The families: name → (size in bytes) → the input. Every input is one
 * MessagePack value; some are valid, some are rejected (late, so that the
 * decoder has read most of the input before it finds the fault).
 */
export const families = {
  // Maps whose keys are strings, then an integer: at most one level is fully nested,
  // each repetition nests 100 levels deep.
  'mixed-key maps': (size) => arrayOf(mixedKeyLevels(100), size),
  // Mixed keys at the depth limit (the array around them takes one level).
  'mixed-key maps at the depth limit': (size) => arrayOf(mixedKeyLevels(DEPTH_LIMIT - 1), size),
  // Arrays nested to the limit, repeated.
  'nesting at the depth limit': (size) => arrayOf(arrayLevels(DEPTH_LIMIT - 1), size),
  // Arrays nested one level beyond the limit after a long valid prefix: rejected at the end.
  'nesting beyond the depth limit': (size) => {
    const prefix = arrayOf(arrayLevels(DEPTH_LIMIT - 2), Math.max(8, size - DEPTH_LIMIT - 8));
    const bad = arrayLevels(DEPTH_LIMIT + 1);
    return Uint8Array.from([0x92, ...prefix, ...bad]);
  },
  // array32 of nils, empty arrays and empty maps: one byte per element.
  'tiny containers': (size) => arrayOf([0xc0, 0x90, 0x80], size, 3),
  // One key over and over: every entry overwrites the last.
  'repeated keys': (size) => {
    const count = Math.ceil((size - 5) / 3);
    const out = new Uint8Array(5 + count * 3);
    out.set(map32(count), 0);
    for (let i = 0; i < count; i++) out.set([0xa1, 0x61, i & 0x7f], 5 + i * 3);
    return out;
  },
  // Repeated keys, some of them integers: the map turns into a Map once.
  'repeated mixed keys': (size) => {
    const count = Math.ceil((size - 5) / 3);
    const out = new Uint8Array(5 + count * 3);
    out.set(map32(count), 0);
    for (let i = 0; i < count; i++) out.set(i % 2 ? [0xa1, 0x31, 0x00] : [0x01, 0xcc, 0x00], 5 + i * 3);
    return out;
  },
  // Keys that all fall in one slot of the key cache, alternating so that every lookup misses.
  'key cache collisions': (size) => {
    const unit = COLLIDING.flatMap((k) => [...fixstr(k), 0xc0]);
    const count = Math.ceil((size - 5) / 6);
    const out = new Uint8Array(5 + count * 6);
    out.set(map32(count), 0);
    for (let i = 0; i < count; i++) out.set(unit.slice((i % COLLIDING.length) * 6, (i % COLLIDING.length) * 6 + 6), 5 + i * 6);
    return out;
  },
  // Nested arrays whose last element at every level claims more bytes than there are.
  'lengths past the end': (size) => {
    const levels = Math.min(DEPTH_LIMIT - 2, Math.max(1, Math.floor(size / 16)));
    const fill = Math.max(0, size - levels * 3 - 16);
    const out = [];
    for (let i = 0; i < levels; i++) out.push(0x92, 0xc0);
    // The innermost array: a bin that fills the input, then a str32 far longer than the input.
    out.push(0x92, 0xc5, ...u16(fill), ...new Array(fill).fill(0x00), 0xdb, 0x7f, 0xff, 0xff, 0xff);
    return Uint8Array.from(out);
  },
  // Strings and bins of every header width, each holding a few bytes.
  'str and bin headers of every width': (size) =>
    arrayOf([0xa3, 0x61, 0x62, 0x63, 0xd9, 0x03, 0x61, 0x62, 0x63, 0xda, ...u16(3), 0x61, 0x62, 0x63, 0xdb, ...u32(3), 0x61, 0x62, 0x63,
      0xc4, 0x02, 0x01, 0x02, 0xc5, ...u16(2), 0x01, 0x02, 0xc6, ...u32(2), 0x01, 0x02], size, 7),
  // Valid values, then one extension header of each width at the end: rejected there.
  'ext headers of every width': (size) => {
    const body = arrayOf([0xa3, 0x61, 0x62, 0x63], Math.max(8, size - 24));
    return Uint8Array.from([0x97, ...body, 0xd4, 0x01, 0x00, 0xd5, 0x01, 0, 0, 0xd6, 0x01, 0, 0, 0, 0, 0xc7, 0x01, 0x01, 0x00, 0xc8, 0, 1, 1, 0, 0xc9, 0, 0, 0, 1, 1, 0]);
  },
  // Long strings whose last byte is not UTF-8: the whole string is read to find out.
  'invalid UTF-8 at the end of long strings': (size) => {
    const unit = [0xd9, 200, ...new Array(199).fill(0x61), 0xff];
    const body = arrayOf(unit, size);
    // Only the last string is bad: the others are valid 'a's.
    for (let i = 5; i < body.length - unit.length; i += unit.length) body[i + 201] = 0x62;
    return body;
  },
  // Short strings (the decoder's ASCII path), each with a two-byte character at
  // another position, and at the end one whose bad byte is at the position next in turn.
  'invalid UTF-8 at every position': (size) => {
    const string = (at, bad) => {
      const u = [0xbf, ...new Array(31).fill(0x61)];
      if (bad) u[1 + at] = 0xff;
      else u.splice(1 + at, 2, 0xc3, 0xa9); // é
      return u;
    };
    const count = Math.max(1, Math.ceil((size - 5) / 32) - 1);
    const out = [...array32(count + 1)];
    for (let i = 0; i < count; i++) out.push(...string(i % 30, false));
    out.push(...string(count % 31, true));
    return Uint8Array.from(out);
  },
  // A plain payload, for reference: what decoding an ordinary map costs per byte.
  'plain payload': (size) => plainPayload(size),
};

/** An ordinary payload of about `size` bytes: an array of small timestamped records. */
export function plainPayload(size) {
  const record = [0x83, ...fixstr('timestamp'), 0xcf, 0, 0, 0x01, 0x93, 0x1b, 0x2c, 0x4d, 0x00, ...fixstr('value'), 0xcb, 0x40, 0x09, 0x21, 0xfb, 0x54, 0x44, 0x2d, 0x18,
    ...fixstr('name'), ...fixstr('sensor-1')];
  return arrayOf(record, size);
}

// ---- measurement -------------------------------------------------------------

/** CPU time of this process in ms: unlike the wall clock, it does not run on while other processes have the CPU. */
export function cpuMs() {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

/**
 * Nanoseconds (of CPU time) per byte that `run` takes for an input of
 * `bytes` bytes: the fastest of `runs` timed batches (each long enough to
 * measure) after a warm-up. CPU time and the minimum make the figure what the
 * code costs when nothing else interferes: a loaded machine makes it noisier
 * but not larger.
 */
export function nsPerByte(run, bytes, { runs = 5, batchMs = 6 } = {}) {
  let reps = 1;
  for (;;) {
    const t0 = cpuMs();
    for (let i = 0; i < reps; i++) run();
    const took = cpuMs() - t0;
    if (took >= batchMs) break;
    reps = Math.min(reps * 4, Math.ceil((reps * batchMs * 1.5) / Math.max(took, 0.01)));
  }
  let best = Infinity;
  for (let r = 0; r < runs; r++) {
    const t0 = cpuMs();
    for (let i = 0; i < reps; i++) run();
    best = Math.min(best, (cpuMs() - t0) / reps);
  }
  return (best * 1e6) / bytes;
}

/**
 * How the cost per byte grows from a small input to a large one: the ratio
 * of their {@link nsPerByte}, measured up to `attempts` times and the
 * smallest kept, so one disturbed measurement does not decide.
 */
export function growth(small, large, { attempts = 3, enough = 1.5, ...options } = {}) {
  let best = Infinity;
  for (let a = 0; a < attempts && best > enough; a++) {
    best = Math.min(best, nsPerByte(large.run, large.bytes, options) / nsPerByte(small.run, small.bytes, options));
  }
  return best;
}
