// The core of the fuzzer (tools/fuzz.mjs) and of its short run in `npm test`
// (tools/fuzz.test.mjs): inputs derived from a seed and an index, the checks
// each input must pass, the differential check against msgpackr and the time
// bound. Works on the BUILT packages, which the caller passes in.
import { Buffer } from 'node:buffer';
import { performance } from 'node:perf_hooks';
import { Unpackr } from 'msgpackr';
import { families, plainPayload } from './fuzz-families.mjs';
import { mutateTree, serialize, tree } from './fuzz-grammar.mjs';

export const SYNC = [0xb8, 0x23, 0xa0, 0x6f];

// ---- deterministic randomness ---------------------------------------------

/** mulberry32: a small PRNG with a 32-bit state. */
export function prng(seed) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n) => Math.floor(next() * n);
  return {
    next,
    int,
    byte: () => int(256),
    pick: (list) => list[int(list.length)],
    bytes: (n) => {
      const out = new Uint8Array(n);
      for (let i = 0; i < n; i++) out[i] = int(256);
      return out;
    },
  };
}

/** The PRNG of one input: a hash of the seed and the index. */
export function inputRandom(seed, index) {
  let h = Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(index, 0xc2b2ae35);
  h ^= h >>> 16;
  h = Math.imul(h, 0x7feb352d);
  h ^= h >>> 15;
  return prng(h);
}

// ---- inputs ----------------------------------------------------------------

export function makeGenerators(link) {
  const { AddressedMessage, AddressesChangedMessage, InTopicsChangedMessage, OutTopicsChangedMessage, RawData,
    TopicControlMessage, TopicDataMessage, encodeMessage, encodeValue, MAX_COST } = link;

  const id = (r) => {
    switch (r.int(4)) {
      case 0: return r.int(200);
      case 1: return r.int(0x1_0000_0000);
      case 2: return Math.floor(r.next() * Number.MAX_SAFE_INTEGER);
      default: return BigInt(Number.MAX_SAFE_INTEGER) + 1n + (BigInt(r.int(0x1_0000_0000)) << 20n);
    }
  };
  const cost = (r) => (r.int(2) ? r.int(1000) : r.int(MAX_COST + 1));
  const str = (r, n) => {
    let s = '';
    for (let i = 0; i < n; i++) s += r.int(8) ? String.fromCharCode(32 + r.int(90)) : String.fromCodePoint(r.int(0x10ffff + 1) & ~0x800);
    return s;
  };
  const value = (r, depth = 0) => {
    switch (r.int(depth > 3 ? 7 : 10)) {
      case 0: return null;
      case 1: return r.int(2) === 1;
      case 2: return r.int(2) ? r.int(300) - 150 : Math.floor((r.next() - 0.5) * 2 ** 53);
      case 3: return r.int(2) ? (r.next() - 0.5) * 1e6 : BigInt.asIntN(64, BigInt(r.int(2 ** 31)) << BigInt(r.int(33)));
      case 4: return str(r, r.int(40));
      case 5: return r.bytes(r.int(64));
      case 6: return r.pick(['__proto__', 'constructor', 'prototype', 'timestamp', '']);
      case 7: return Array.from({ length: r.int(5) }, () => value(r, depth + 1));
      case 8: {
        const o = {};
        for (let i = r.int(5); i > 0; i--) {
          const k = r.int(3) ? str(r, r.int(8)) : r.pick(['__proto__', 'constructor', 'prototype']);
          Object.defineProperty(o, k, { value: value(r, depth + 1), enumerable: true, writable: true, configurable: true });
        }
        return o;
      }
      default: return new Map(Array.from({ length: 1 + r.int(3) }, (_, i) => [i * 7 - 3, value(r, depth + 1)]));
    }
  };
  const pricedIds = (r) => Array.from({ length: r.int(4) }, () => ({ id: id(r), cost: cost(r) }));
  const ids = (r) => Array.from({ length: r.int(4) }, () => id(r));
  const message = (r) => {
    switch (r.int(6)) {
      case 0: return new TopicDataMessage(id(r), RawData.from(value(r)));
      case 1: return new TopicControlMessage(id(r), r.int(2) === 1);
      case 2: return new AddressedMessage(id(r), r.int(70000), RawData.from(value(r)));
      case 3: return new AddressesChangedMessage(pricedIds(r), ids(r));
      case 4: return new InTopicsChangedMessage(ids(r), ids(r));
      default: return new OutTopicsChangedMessage(pricedIds(r), ids(r));
    }
  };

  // Byte sequences that stress a MessagePack reader.
  const hostile = [
    [0xdf, 0xff, 0xff, 0xff, 0xff], [0xdd, 0xff, 0xff, 0xff, 0xff], [0xc6, 0xff, 0xff, 0xff, 0xff],
    [0xdb, 0x7f, 0xff, 0xff, 0xff], [0xde, 0xff, 0xff], [0xdc, 0xff, 0xff], [0xc1], [0xd4, 0x01, 0x02],
    [0xc7, 0xff, 0x01], [0xcf, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff], [0xd3, 0x80, 0, 0, 0, 0, 0, 0, 0],
    [0xa9, ...Buffer.from('__proto__')], [0xab, ...Buffer.from('constructor')], [0xa3, 0x5f, 0x69, 0x64],
    [0xa4, ...Buffer.from('cost')], [0xa4, ...Buffer.from('data')], [0xc4, 0x00], [0xc0], [0xc2], [0xc3],
    [0xed, 0xa0, 0x80], [0xa2, 0xc3, 0x28], SYNC, [0x00, 0x00, 0x00, 0x00], [0xff, 0xff, 0xff, 0xff],
  ];

  const mutate = (r, bytes) => {
    const out = Array.from(bytes);
    for (let n = 1 + r.int(4); n > 0; n--) {
      const i = out.length === 0 ? 0 : r.int(out.length);
      switch (r.int(6)) {
        case 0: out[i] = r.byte(); break;
        case 1: out.splice(i, 0, r.byte()); break;
        case 2: out.splice(i, 1 + r.int(4)); break;
        case 3: out.length = i; break;
        case 4: out.splice(i, 0, ...r.pick(hostile)); break;
        default: out[i] ^= 1 << r.int(8);
      }
    }
    return Uint8Array.from(out);
  };

  const nested = (r) => {
    const depth = r.int(2) ? 400 + r.int(400) : r.int(20);
    const out = [];
    for (let i = 0; i < depth; i++) out.push(r.pick([0x91, 0x81, 0xa1, 0x61, 0xdc, 0x00, 0x01]));
    out.push(...r.pick(hostile));
    return Uint8Array.from(out);
  };

  const familyNames = Object.keys(families);
  const fixstr = (k) => [0xa0 | k.length, ...Buffer.from(k)];
  // Appends without spreading: the values of a grammar message run to tens of thousands of bytes.
  const append = (out, bytes) => {
    for (let i = 0; i < bytes.length; i++) out.push(bytes[i]);
    return out;
  };
  const binOf = (bytes) => append([0xc6, (bytes.length >>> 24) & 0xff, (bytes.length >>> 16) & 0xff, (bytes.length >>> 8) & 0xff, bytes.length & 0xff], bytes);

  /** A message map written from the grammar: fields in random order, extra keys, fields of any type. */
  const grammarMessage = (r, features) => {
    const type = r.int(6);
    const fields = {
      0: ['topic', 'data'], 1: ['topic', 'paused'], 2: ['address', 'port', 'data'],
      3: ['add', 'remove'], 4: ['add', 'remove'], 5: ['add', 'remove'],
    }[type];
    const entries = fields.map((k) => {
      if (r.int(5) === 0) return [k, serialize(r, tree(r, features))];
      if (k === 'data') return [k, binOf(serialize(r, tree(r, features)))];
      if (k === 'paused') return [k, [r.pick([0xc2, 0xc3, 0x00, 0x01])]];
      if (k === 'add' || k === 'remove') {
        const n = r.int(4);
        const priced = (type === 3 || type === 5) && k === 'add';
        return [k, [0x90 | n, ...Array.from({ length: n }, () => (priced ? [0x82, ...fixstr('id'), r.int(128), ...fixstr('cost'), r.int(128)] : [r.int(128)])).flat()]];
      }
      return [k, [r.int(128)]];
    });
    entries.push(['_id', [type]]);
    for (let i = r.int(3); i > 0; i--) entries.push([r.pick(['x', 'extra', 'topic', '_id', 'data']), serialize(r, tree(r, features))]);
    for (let i = entries.length - 1; i > 0; i--) {
      if (r.int(3) === 0) {
        const j = r.int(i + 1);
        [entries[i], entries[j]] = [entries[j], entries[i]];
      }
    }
    const out = [0x80 | entries.length];
    for (const [k, v] of entries) append(append(out, fixstr(k)), v);
    return Uint8Array.from(out);
  };

  /**
   * Input number `index`: its bytes, the family it comes from, and for a
   * valid grammar value the set of features it uses on which this codec and
   * msgpackr differ on purpose (see tools/fuzz-grammar.mjs).
   */
  return function input(r) {
    switch (r.int(12)) {
      case 0: return { family: 'random bytes', bytes: r.bytes(r.int(17)) };
      case 1: return { family: 'random bytes', bytes: r.bytes(r.int(1024)) };
      case 2: return { family: 'mutated message', bytes: mutate(r, encodeMessage(message(r))) };
      case 3: return { family: 'mutated value', bytes: mutate(r, encodeValue(value(r))) };
      case 4: return { family: 'valid message', bytes: encodeMessage(message(r)) };
      case 5: return { family: 'nesting', bytes: nested(r) };
      case 6: {
        const parts = [];
        for (let n = 1 + r.int(6); n > 0; n--) parts.push(...r.pick(hostile), ...r.bytes(r.int(4)));
        return { family: 'hostile bytes', bytes: Uint8Array.from(parts) };
      }
      case 7:
      case 8: {
        const features = new Set();
        return { family: 'grammar value', bytes: Uint8Array.from(serialize(r, tree(r, features))), features };
      }
      case 9: {
        const features = new Set();
        const t = mutateTree(r, tree(r, features));
        return { family: 'mutated grammar value', bytes: Uint8Array.from(serialize(r, t)) };
      }
      case 10: {
        const features = new Set();
        const bytes = grammarMessage(r, features);
        return { family: 'grammar message', bytes: r.int(3) ? bytes : mutate(r, bytes) };
      }
      default: {
        const family = r.pick(familyNames);
        const size = 16 << r.int(9); // 16 B to 4 KiB
        return { family: `family: ${family}`, bytes: families[family](size) };
      }
    }
  };
}

// ---- checks ----------------------------------------------------------------

export function makeChecks(link, transports) {
  const { DecodeError, MessageType, decodeMessage, decodeValue, encodeMessage, encodeValue } = link;
  const { FrameParser, FrameTooLargeError, encodeFrame } = transports;
  const tally = { messages: 0, messageErrors: 0, values: 0, valueErrors: 0, frames: 0, frameTooLarge: 0 };

  const expectDecodeError = (err, what) => {
    if (err instanceof DecodeError && err.code === 'ERR_DECODE') return;
    throw new Error(`${what} threw ${err?.name ?? typeof err}: ${err?.message ?? String(err)}`, { cause: err });
  };

  const sameBytes = (a, b) => a.length === b.length && Buffer.compare(a, b) === 0;

  const checkMessage = (bytes) => {
    let m;
    try {
      m = decodeMessage(bytes);
    } catch (err) {
      expectDecodeError(err, 'decodeMessage');
      tally.messageErrors++;
      return;
    }
    tally.messages++;
    const again = decodeMessage(encodeMessage(m));
    if (again.type !== m.type) throw new Error('a decoded message re-encodes as another type');
    if (m.type === MessageType.TopicData || m.type === MessageType.Addressed) {
      try {
        void m.data.value;
      } catch (err) {
        expectDecodeError(err, 'the payload of a decoded message');
      }
    }
  };

  const checkValue = (bytes) => {
    let v;
    try {
      v = decodeValue(bytes);
    } catch (err) {
      expectDecodeError(err, 'decodeValue');
      tally.valueErrors++;
      return;
    }
    tally.values++;
    const canonical = encodeValue(v);
    if (!sameBytes(encodeValue(decodeValue(canonical)), canonical)) throw new Error('a decoded value does not re-encode canonically');
  };

  const checkFrames = (r, bytes) => {
    const max = r.pick([16, 64, 1024, 16 * 1024 * 1024]);
    // The input framed, raw, or between frames and garbage.
    let stream;
    switch (r.int(4)) {
      case 0: stream = encodeFrame(bytes); break;
      case 1: stream = bytes; break;
      case 2: stream = Buffer.concat([r.bytes(r.int(8)), encodeFrame(bytes), Uint8Array.from(SYNC.slice(0, r.int(4))), encodeFrame(r.bytes(r.int(32))), bytes]); break;
      default: {
        // A frame header announcing a length near 4 GiB, then a trickle.
        const header = Uint8Array.from([...SYNC, 0xff, 0xff, 0xff, 0xf0 | r.int(16)]);
        stream = Buffer.concat([bytes.subarray(0, r.int(bytes.length + 1)), header, bytes]);
      }
    }
    const parser = new FrameParser({ maxFrameSize: max, onFrame: (p) => {
      if (p.length > max) throw new Error(`a frame of ${p.length} bytes passed a maximum of ${max}`);
      tally.frames++;
      checkMessage(p);
    } });
    let at = 0;
    while (at < stream.length) {
      const n = 1 + r.int(r.int(2) ? 8 : stream.length);
      try {
        parser.push(stream.subarray(at, at + n));
      } catch (err) {
        if (!(err instanceof FrameTooLargeError)) throw new Error(`FrameParser threw ${err?.name}: ${err?.message}`, { cause: err });
        tally.frameTooLarge++;
        return;
      }
      at += n;
      if (parser.bufferedBytes > Math.min(at, max + 8)) throw new Error(`FrameParser holds ${parser.bufferedBytes} bytes after ${at} with a maximum of ${max}`);
    }
  };

  return { tally, checkMessage, checkValue, checkFrames };
}

// ---- differential check against msgpackr ----------------------------------------

// msgpackr configured as close to this codec as it goes: plain maps, no
// records, 64-bit integers as numbers while safe and bigint beyond.
const unpackr = new Unpackr({ useRecords: false, mapsAsObjects: true, int64AsType: 'auto' });

/** Deep equality of a value decoded here and one decoded by msgpackr (object keys in any order). */
export function sameValue(a, b) {
  if (typeof a === 'number' || typeof b === 'number') return Object.is(a, b);
  if (a instanceof Uint8Array || b instanceof Uint8Array) {
    return a instanceof Uint8Array && b instanceof Uint8Array && a.length === b.length && Buffer.compare(a, b) === 0;
  }
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((x, i) => sameValue(x, b[i]));
  }
  if (a !== null && typeof a === 'object' && b !== null && typeof b === 'object') {
    if (a instanceof Map || b instanceof Map) return false;
    const ka = Object.keys(a).sort();
    const kb = Object.keys(b).sort();
    return ka.length === kb.length && ka.every((k, i) => k === kb[i] && sameValue(a[k], b[k]));
  }
  return a === b;
}

/**
 * The two decoders on a valid generated value. Without any feature on which
 * they differ on purpose, both must accept it and agree on the value; with
 * one, this codec must do what it documents (reject invalid UTF-8 and
 * extension types, accept the rest). Returns the outcome for the tally.
 */
export function makeDifferential(link) {
  const { decodeValue } = link;
  const tally = { agreed: 0, theirsRejected: 0, documented: 0 };
  const check = (bytes, features) => {
    let ours;
    let oursError;
    try {
      ours = decodeValue(bytes);
    } catch (err) {
      oursError = err;
    }
    if (features.size > 0) {
      const mustReject = features.has('badUtf8') || features.has('ext');
      if (mustReject !== (oursError !== undefined)) {
        throw new Error(`with ${[...features].join(', ')} the decoder ${oursError ? `rejected the value: ${oursError.message}` : 'accepted the value'}`);
      }
      tally.documented++;
      return;
    }
    if (oursError) throw new Error(`a valid value was rejected: ${oursError.message}`, { cause: oursError });
    let theirs;
    try {
      theirs = unpackr.unpack(bytes);
    } catch {
      tally.theirsRejected++;
      return;
    }
    if (!sameValue(ours, theirs)) throw new Error('msgpackr decodes a valid value to another value');
    tally.agreed++;
  };
  return { tally, check };
}

// ---- time bound ---------------------------------------------------------------------

/**
 * The time bound: decoding an input (decodeValue and decodeMessage) may take
 * at most this many times as long per byte as decoding a plain payload of
 * the same size, measured in the same run. Inputs under MIN_BOUND_BYTES count
 * as that size (a thrown error has a fixed cost of a few microseconds).
 */
export const BOUND_RATIO = 25;
export const MIN_BOUND_BYTES = 256;

export function makeTiming(link) {
  const { decodeMessage, decodeValue } = link;
  const decodeBoth = (bytes) => {
    try {
      decodeValue(bytes);
    } catch {
      // DecodeErrors are checked elsewhere: here only the time counts.
    }
    try {
      decodeMessage(bytes);
    } catch {
      // as above
    }
  };
  const once = (bytes) => {
    const t0 = performance.now();
    decodeBoth(bytes);
    return performance.now() - t0;
  };
  /** The fastest of `runs` decodes of `bytes`, in ms. */
  const best = (bytes, runs) => {
    let min = Infinity;
    for (let i = 0; i < runs; i++) min = Math.min(min, once(bytes));
    return min;
  };
  const baselines = new Map();
  const bucketOf = (size) => {
    let bucket = MIN_BOUND_BYTES;
    while (bucket < size) bucket *= 2;
    return bucket;
  };
  /** ns per byte of a plain payload of `bucket` bytes, timed now (the best of 7 runs). */
  const timeBaseline = (bucket) => {
    const plain = plainPayload(bucket);
    const reps = Math.max(1, Math.ceil(256 * 1024 / bucket));
    let min = Infinity;
    for (let run = 0; run < 7; run++) {
      const t0 = performance.now();
      for (let i = 0; i < reps; i++) decodeBoth(plain);
      min = Math.min(min, (performance.now() - t0) / reps);
    }
    return (min * 1e6) / plain.length;
  };
  /** ns per byte of a plain payload of about `size` bytes (sizes rounded up to a power of two), timed once. */
  const baseline = (size) => {
    const bucket = bucketOf(size);
    let ns = baselines.get(bucket);
    if (ns === undefined) baselines.set(bucket, (ns = timeBaseline(bucket)));
    return ns;
  };
  /**
   * Times one input; one that looks slower than the bound is timed again
   * (the best of several runs, so that a pause of the machine does not
   * count); `runs` > 1 times it that often from the start. Returns ns per
   * (counted) byte and the ratio to the baseline.
   */
  const measure = (bytes, runs = 1) => {
    const counted = Math.max(bytes.length, MIN_BOUND_BYTES);
    let ms = best(bytes, runs);
    let base = baseline(bytes.length);
    // Over the bound: the best of more and more runs (the first ones may run
    // before the JIT compiled the paths this input takes, or be interrupted).
    for (let runs = 7; runs <= 343 && (ms * 1e6) / counted > BOUND_RATIO * base; runs *= 7) ms = Math.min(ms, best(bytes, runs));
    if ((ms * 1e6) / counted > BOUND_RATIO * base) {
      // Still over: the plain payload is timed again now, beside the input, so
      // that a baseline taken while the machine was idler does not condemn an
      // input timed while it is busy (the ratio compares like with like).
      base = Math.max(base, timeBaseline(bucketOf(bytes.length)));
      ms = Math.min(ms, best(bytes, 343));
    }
    const nsPerByte = (ms * 1e6) / counted;
    return { nsPerByte, ratio: nsPerByte / base, baseline: base };
  };
  /** Runs every family a hundred times at two sizes, so that measuring starts with compiled code. */
  const warmUp = () => {
    for (const make of Object.values(families)) {
      for (const size of [64, 1024]) {
        const bytes = make(size);
        for (let i = 0; i < 100; i++) decodeBoth(bytes);
      }
    }
    for (let size = MIN_BOUND_BYTES; size <= 64 * 1024; size *= 2) baseline(size);
  };
  return { measure, baseline, warmUp };
}
