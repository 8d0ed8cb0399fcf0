#!/usr/bin/env node
// Fuzzes what reads bytes from peers, from the BUILT packages (run
// `npm run build` first, or `npm run fuzz`, which does):
//
//   - decodeMessage: a message or a DecodeError, nothing else; an accepted
//     message re-encodes, and its payload decodes to a value or a DecodeError;
//   - decodeValue: a value or a DecodeError; a decoded value re-encodes, and
//     one more round trip gives the same bytes;
//   - FrameParser: the input framed, raw, or spliced with frames and garbage,
//     split at random offsets: frames or a FrameTooLargeError, nothing else,
//     never more than one frame's worth of bytes held.
//
// Inputs are random bytes, valid messages and payloads with bytes flipped,
// inserted, removed or cut off, and hand-made hostile MessagePack (huge
// lengths, deep nesting, __proto__ keys). Each input is derived from the seed
// and its index alone, so a failure names the index that replays it.
//
// Exits non-zero on an unexpected error type, on an input that takes longer
// than the time budget (a worker stuck on one input is stopped by a watchdog),
// or on a polluted Object.prototype.
//
// usage: node tools/fuzz.mjs [--count N] [--seed S] [--workers W] [--budget MS] [--replay INDEX]
import { Buffer } from 'node:buffer';
import { setInterval, clearInterval } from 'node:timers';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { availableParallelism } from 'node:os';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';

const SYNC = [0xb8, 0x23, 0xa0, 0x6f];

// ---- deterministic randomness ---------------------------------------------

/** mulberry32: a small PRNG with a 32-bit state. */
function prng(seed) {
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
function inputRandom(seed, index) {
  let h = Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(index, 0xc2b2ae35);
  h ^= h >>> 16;
  h = Math.imul(h, 0x7feb352d);
  h ^= h >>> 15;
  return prng(h);
}

// ---- inputs ----------------------------------------------------------------

function makeGenerators(link) {
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

  /** Input number `index`: its bytes and the family it comes from. */
  return function input(r) {
    switch (r.int(8)) {
      case 0: return r.bytes(r.int(17));
      case 1: return r.bytes(r.int(1024));
      case 2:
      case 3: return mutate(r, encodeMessage(message(r)));
      case 4: return mutate(r, encodeValue(value(r)));
      case 5: return encodeMessage(message(r));
      case 6: return nested(r);
      default: {
        const parts = [];
        for (let n = 1 + r.int(6); n > 0; n--) parts.push(...r.pick(hostile), ...r.bytes(r.int(4)));
        return Uint8Array.from(parts);
      }
    }
  };
}

// ---- checks ----------------------------------------------------------------

function makeChecks(link, transports) {
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

// ---- worker ----------------------------------------------------------------

async function workerMain() {
  const { seed, from, to, step, budget, progress } = workerData;
  const link = await import('@streamtasks/link');
  const transports = await import('@streamtasks/transports');
  const input = makeGenerators(link);
  const { tally, checkMessage, checkValue, checkFrames } = makeChecks(link, transports);
  const done = new Int32Array(progress.buffer, progress.byteOffset + workerData.slot * 8, 2);
  let slowest = 0;
  let slowestIndex = -1;
  for (let index = from; index < to; index += step) {
    // Published before the input runs, so the watchdog can name a stuck one.
    Atomics.store(done, 1, index);
    const t0 = performance.now();
    const r = inputRandom(seed, index);
    let bytes;
    try {
      bytes = input(r);
      checkMessage(bytes);
      checkValue(bytes);
      checkFrames(r, bytes);
    } catch (err) {
      parentPort.postMessage({ kind: 'failure', index, hex: bytes && Buffer.from(bytes).toString('hex'), error: err?.stack ?? String(err) });
      return;
    }
    const took = performance.now() - t0;
    if (took > slowest) {
      slowest = took;
      slowestIndex = index;
    }
    if (took > budget) {
      parentPort.postMessage({ kind: 'failure', index, hex: Buffer.from(bytes).toString('hex'), error: `input took ${took.toFixed(1)} ms (budget ${budget} ms)` });
      return;
    }
    Atomics.add(done, 0, 1);
  }
  parentPort.postMessage({ kind: 'done', tally, slowest, slowestIndex });
}

// ---- main ------------------------------------------------------------------

async function main() {
  const { values } = parseArgs({
    options: {
      count: { type: 'string', default: '100000' },
      seed: { type: 'string', default: String(Date.now() % 0x7fffffff) },
      workers: { type: 'string', default: String(Math.max(1, Math.min(4, availableParallelism()))) },
      budget: { type: 'string', default: '1000' },
      replay: { type: 'string' },
    },
  });
  const seed = Number(values.seed) | 0;
  const budget = Number(values.budget);
  const replay = values.replay === undefined ? undefined : Number(values.replay);
  const count = replay === undefined ? Number(values.count) : replay + 1;
  const from = replay ?? 0;
  const workers = replay === undefined ? Math.max(1, Number(values.workers)) : 1;
  if (!(count > 0) || !(budget > 0)) throw new Error('--count and --budget must be positive');

  const prototypeBefore = Object.getOwnPropertyNames(Object.prototype).join();
  const progress = new Int32Array(new SharedArrayBuffer(workers * 8));
  const total = count - from;
  console.log(`fuzz: ${total} inputs, seed ${seed}, ${workers} worker(s), budget ${budget} ms per input`);
  const started = performance.now();
  let failed = false;
  const tally = { messages: 0, messageErrors: 0, values: 0, valueErrors: 0, frames: 0, frameTooLarge: 0 };
  let slowest = { ms: 0, index: -1 };

  const runs = Array.from({ length: workers }, (_, slot) => new Promise((resolve) => {
    const worker = new Worker(fileURLToPath(import.meta.url), {
      workerData: { seed, from: from + slot, to: count, step: workers, budget, progress, slot },
    });
    const cells = new Int32Array(progress.buffer, slot * 8, 2);
    // The watchdog: an input that never finishes stops the run.
    let seen = -1;
    let since = performance.now();
    const watchdog = setInterval(() => {
      const now = Atomics.load(cells, 0);
      if (now !== seen) {
        seen = now;
        since = performance.now();
      } else if (performance.now() - since > Math.max(5 * budget, 5000)) {
        console.error(`HANG: worker ${slot} is stuck on input ${Atomics.load(cells, 1)} (replay: --seed ${seed} --replay ${Atomics.load(cells, 1)})`);
        failed = true;
        void worker.terminate();
      }
    }, 250);
    worker.on('message', (msg) => {
      if (msg.kind === 'failure') {
        failed = true;
        console.error(`FAILURE on input ${msg.index} (replay: --seed ${seed} --replay ${msg.index})`);
        if (msg.hex !== undefined) console.error(`input: ${msg.hex.length > 4096 ? `${msg.hex.slice(0, 4096)}…` : msg.hex}`);
        console.error(msg.error);
      } else {
        for (const k of Object.keys(tally)) tally[k] += msg.tally[k];
        if (msg.slowest > slowest.ms) slowest = { ms: msg.slowest, index: msg.slowestIndex };
      }
    });
    worker.on('error', (err) => {
      failed = true;
      console.error(`worker ${slot} crashed: ${err.stack ?? err}`);
    });
    worker.on('exit', () => {
      clearInterval(watchdog);
      resolve();
    });
  }));

  const report = setInterval(() => {
    let n = 0;
    for (let i = 0; i < workers; i++) n += Atomics.load(progress, i * 2);
    const s = (performance.now() - started) / 1000;
    console.log(`  ${n} / ${total} inputs, ${s.toFixed(0)} s, ${Math.round(n / s)} inputs/s`);
  }, 10_000);
  await Promise.all(runs);
  clearInterval(report);

  let done = 0;
  for (let i = 0; i < workers; i++) done += Atomics.load(progress, i * 2);
  if (Object.getOwnPropertyNames(Object.prototype).join() !== prototypeBefore) {
    failed = true;
    console.error('FAILURE: Object.prototype changed');
  }
  const seconds = (performance.now() - started) / 1000;
  console.log(
    `fuzz: ${done} of ${total} inputs in ${seconds.toFixed(1)} s (seed ${seed}): ` +
    `decodeMessage ${tally.messages} messages / ${tally.messageErrors} DecodeErrors; ` +
    `decodeValue ${tally.values} values / ${tally.valueErrors} DecodeErrors; ` +
    `FrameParser ${tally.frames} frames / ${tally.frameTooLarge} FrameTooLargeErrors; ` +
    `slowest input ${slowest.ms.toFixed(2)} ms (#${slowest.index})`,
  );
  if (failed || done !== total) {
    console.log('fuzz: FAILED');
    process.exitCode = 1;
  } else {
    console.log('fuzz: OK, no unexpected error, no hang');
  }
}

if (isMainThread) {
  await main();
} else {
  await workerMain();
}
