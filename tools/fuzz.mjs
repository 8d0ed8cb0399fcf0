#!/usr/bin/env node
// Fuzzes what reads bytes from peers, from the BUILT packages (run
// `npm run build` first, or `npm run fuzz`, which does). Inputs and checks
// live in tools/fuzz-core.mjs:
//
//   - decodeMessage: a message or a DecodeError, nothing else; an accepted
//     message re-encodes, and its payload decodes to a value or a DecodeError;
//   - decodeValue: a value or a DecodeError; a decoded value re-encodes, and
//     one more round trip gives the same bytes;
//   - FrameParser: the input framed, raw, or spliced with frames and garbage,
//     split at random offsets: frames or a FrameTooLargeError, nothing else,
//     never more than one frame's worth of bytes held;
//   - msgpackr: every valid generated value decodes to the same value there,
//     except where the two differ on purpose (tools/fuzz-grammar.mjs);
//   - time: decoding an input takes at most BOUND_RATIO (25) times as long per
//     byte as decoding a plain payload of the same size in the same run.
//
// Inputs are random bytes; valid messages and payloads with bytes flipped,
// inserted, removed or cut off; grammar-built valid MessagePack and messages,
// also mutated structurally (nested, types swapped, lengths and keys
// corrupted); hand-made hostile MessagePack; and the adversarial families of
// tools/fuzz-families.mjs at sizes from 16 B to 4 KiB. Each input is derived
// from the seed and its index alone, so a failure names the index that
// replays it. The slowest inputs (by time per byte, relative to the plain
// payload) are printed; `--update-corpus` adds them to the regression corpus
// tools/fuzz-corpus.json, which tests replay.
//
// Exits non-zero on an unexpected error type, a disagreement with msgpackr,
// an input slower than the bound or the budget (a worker stuck on one input
// is stopped by a watchdog), or a polluted Object.prototype.
//
// usage: node tools/fuzz.mjs [--count N] [--seconds S] [--seed S] [--workers W] [--budget MS] [--replay INDEX] [--update-corpus]
import { Buffer } from 'node:buffer';
import { readFileSync, writeFileSync } from 'node:fs';
import { setInterval, clearInterval } from 'node:timers';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { availableParallelism } from 'node:os';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { URL, fileURLToPath } from 'node:url';
import { BOUND_RATIO, inputRandom, makeChecks, makeDifferential, makeGenerators, makeTiming } from './fuzz-core.mjs';

const CORPUS = fileURLToPath(new URL('./fuzz-corpus.json', import.meta.url));
/** Inputs kept per run as the slowest, and in the corpus at most (besides its pinned entries). */
const KEEP = 12;
const CORPUS_SIZE = 40;
/** Longest input kept in the corpus (hex doubles it). */
const MAX_CORPUS_INPUT = 8 * 1024;

// ---- worker ----------------------------------------------------------------

/** Keeps the `KEEP` slowest entries of a list by ratio. */
function keepSlowest(list, entry) {
  if (list.length === KEEP && entry.ratio <= list[list.length - 1].ratio) return;
  list.push(entry);
  list.sort((a, b) => b.ratio - a.ratio);
  if (list.length > KEEP) list.length = KEEP;
}

async function workerMain() {
  const { seed, from, to, step, budget, progress, deadline } = workerData;
  // The public entries and the internal ones (the reader, writer and framing helpers).
  const link = { ...(await import('@streamtasks/link')), ...(await import('@streamtasks/link/internal')) };
  const transports = { ...(await import('@streamtasks/transports')), ...(await import('@streamtasks/transports/internal')) };
  const input = makeGenerators(link);
  const { tally, checkMessage, checkValue, checkFrames } = makeChecks(link, transports);
  const differential = makeDifferential(link);
  const timing = makeTiming(link);
  const done = new Int32Array(progress.buffer, progress.byteOffset + workerData.slot * 8, 2);
  // Compiled code and the plain payloads' figures first, so that neither counts against an input.
  timing.warmUp();
  parentPort.postMessage({ kind: 'ready' });
  const slowest = [];
  const worstByFamily = {};
  /** The checks of input `index` again, timed, leaving the tally as it was: ms. */
  const recheck = (index) => {
    const saved = { ...tally };
    const r = inputRandom(seed, index);
    const { bytes } = input(r);
    const t0 = performance.now();
    checkMessage(bytes);
    checkValue(bytes);
    checkFrames(r, bytes);
    const took = performance.now() - t0;
    Object.assign(tally, saved);
    return took;
  };
  for (let index = from; index < to; index += step) {
    if (deadline !== undefined && ((index - from) / step) % 256 === 0 && Date.now() > deadline) break;
    // Published before the input runs, so the watchdog can name a stuck one.
    Atomics.store(done, 1, index);
    const t0 = performance.now();
    const r = inputRandom(seed, index);
    let generated;
    let checksTook;
    try {
      generated = input(r);
      const { bytes, features } = generated;
      checkMessage(bytes);
      checkValue(bytes);
      checkFrames(r, bytes);
      if (features) differential.check(bytes, features);
      // The budget covers the checks; the time bound (measured next, retried when close) has its own limit.
      checksTook = performance.now() - t0;
      const t = timing.measure(bytes);
      const entry = { ...t, index, family: generated.family, length: bytes.length };
      if ((worstByFamily[entry.family]?.ratio ?? 0) < t.ratio) worstByFamily[entry.family] = entry;
      keepSlowest(slowest, { ...entry, bytes });
      if (t.ratio > BOUND_RATIO) {
        throw new Error(`decoding took ${t.nsPerByte.toFixed(1)} ns per byte, ${t.ratio.toFixed(1)}× a plain payload (bound ${BOUND_RATIO}×)`);
      }
    } catch (err) {
      const hex = generated?.bytes && Buffer.from(generated.bytes).toString('hex');
      parentPort.postMessage({ kind: 'failure', index, family: generated?.family, hex, error: err?.stack ?? String(err) });
      return;
    }
    // Over the budget: the checks run once more on the same input (its
    // randomness made anew), so that a pause of a loaded machine is not taken
    // for a slow input; only the faster of the two counts.
    let took = checksTook;
    if (took > budget) took = Math.min(took, recheck(index));
    if (took > budget) {
      const hex = Buffer.from(generated.bytes).toString('hex');
      parentPort.postMessage({ kind: 'failure', index, family: generated.family, hex, error: `input took ${took.toFixed(1)} ms (budget ${budget} ms)` });
      return;
    }
    Atomics.add(done, 0, 1);
  }
  // The slowest inputs timed once more, thoroughly (the best of many runs): the figures reported.
  for (const e of slowest) {
    Object.assign(e, timing.measure(e.bytes, 343));
    e.hex = e.bytes.length <= MAX_CORPUS_INPUT ? Buffer.from(e.bytes).toString('hex') : undefined;
    delete e.bytes;
  }
  slowest.sort((a, b) => b.ratio - a.ratio);
  for (const e of Object.values(worstByFamily)) delete e.bytes;
  parentPort.postMessage({ kind: 'done', tally, differential: differential.tally, slowest, worstByFamily, baseline: timing.baseline(1024) });
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
      'update-corpus': { type: 'boolean', default: false },
      seconds: { type: 'string' },
    },
  });
  const seed = Number(values.seed) | 0;
  const budget = Number(values.budget);
  const replay = values.replay === undefined ? undefined : Number(values.replay);
  const count = replay === undefined ? Number(values.count) : replay + 1;
  const from = replay ?? 0;
  const workers = replay === undefined ? Math.max(1, Number(values.workers)) : 1;
  if (!(count > 0) || !(budget > 0)) throw new Error('--count and --budget must be positive');

  // --seconds: stop after that long (the inputs done so far are reported).
  const deadline = values.seconds === undefined ? undefined : Date.now() + Number(values.seconds) * 1000;
  const prototypeBefore = Object.getOwnPropertyNames(Object.prototype).join();
  const progress = new Int32Array(new SharedArrayBuffer(workers * 8));
  const total = count - from;
  console.log(`fuzz: ${total} inputs, seed ${seed}, ${workers} worker(s), budget ${budget} ms per input`);
  const started = performance.now();
  let failed = false;
  const tally = { messages: 0, messageErrors: 0, values: 0, valueErrors: 0, frames: 0, frameTooLarge: 0 };
  const differential = { agreed: 0, theirsRejected: 0, documented: 0 };
  let slowest = [];
  const worstByFamily = {};
  let baseline = 0;

  const runs = Array.from({ length: workers }, (_, slot) => new Promise((resolve) => {
    const worker = new Worker(fileURLToPath(import.meta.url), {
      workerData: { seed, from: from + slot, to: count, step: workers, budget, progress, slot, deadline },
    });
    const cells = new Int32Array(progress.buffer, slot * 8, 2);
    // The watchdog: an input that never finishes stops the run.
    let seen = -1;
    let since = performance.now();
    let ready = false;
    const watchdog = setInterval(() => {
      if (!ready) return; // still warming up
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
      if (msg.kind === 'ready') {
        ready = true;
        since = performance.now();
      } else if (msg.kind === 'failure') {
        failed = true;
        console.error(`FAILURE on input ${msg.index}, ${msg.family ?? 'unknown family'} (replay: --seed ${seed} --replay ${msg.index})`);
        if (msg.hex !== undefined) console.error(`input: ${msg.hex.length > 4096 ? `${msg.hex.slice(0, 4096)}…` : msg.hex}`);
        console.error(msg.error);
      } else {
        for (const k of Object.keys(tally)) tally[k] += msg.tally[k];
        for (const k of Object.keys(differential)) differential[k] += msg.differential[k];
        slowest = [...slowest, ...msg.slowest].sort((a, b) => b.ratio - a.ratio).slice(0, KEEP);
        for (const [family, e] of Object.entries(msg.worstByFamily)) {
          if ((worstByFamily[family]?.ratio ?? 0) < e.ratio) worstByFamily[family] = e;
        }
        baseline = Math.max(baseline, msg.baseline);
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
    `msgpackr agreed on ${differential.agreed} valid values, rejected ${differential.theirsRejected}, ` +
    `${differential.documented} differ on purpose`,
  );
  const show = (e) => `${e.nsPerByte.toFixed(1)} ns/B, ${e.ratio.toFixed(2)}× plain, ${e.length} B, #${e.index}, ${e.family}`;
  console.log(`fuzz: plain payload ${baseline.toFixed(1)} ns/B (1 KiB); bound ${BOUND_RATIO}× plain per byte`);
  if (slowest.length) console.log(`fuzz: worst time per byte: ${show(slowest[0])}`);
  console.log('fuzz: worst per family (as first measured; the slowest inputs above were timed again):');
  for (const e of Object.values(worstByFamily).sort((a, b) => b.ratio - a.ratio)) console.log(`  ${show(e)}`);
  if (values['update-corpus'] && !failed) updateCorpus(slowest, seed);
  if (failed || (done !== total && deadline === undefined)) {
    console.log('fuzz: FAILED');
    process.exitCode = 1;
  } else {
    console.log('fuzz: OK, no unexpected error, no hang');
  }
}

/** Merges the slowest inputs of a run into the corpus: its pinned entries stay, the rest are the slowest ever seen. */
function updateCorpus(slowest, seed) {
  const corpus = JSON.parse(readFileSync(CORPUS, 'utf8'));
  const pinned = corpus.inputs.filter((e) => e.pinned);
  const found = corpus.inputs.filter((e) => !e.pinned);
  for (const e of slowest) {
    if (e.hex === undefined || found.some((f) => f.hex === e.hex) || pinned.some((f) => f.hex === e.hex)) continue;
    found.push({ name: `seed ${seed} input ${e.index}`, family: e.family, ratio: Number(e.ratio.toFixed(2)), hex: e.hex });
  }
  found.sort((a, b) => b.ratio - a.ratio);
  corpus.inputs = [...pinned, ...found.slice(0, CORPUS_SIZE)];
  writeFileSync(CORPUS, `${JSON.stringify(corpus, null, 2)}\n`);
  console.log(`fuzz: corpus now holds ${corpus.inputs.length} inputs (${CORPUS})`);
}

if (isMainThread) {
  await main();
} else {
  await workerMain();
}
