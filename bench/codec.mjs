// The payload codec beside msgpackr (the test oracle and the benchmark peer
// of @streamtasks/link): encoding and decoding one typical payload, a map of
// about 90 bytes with a millisecond timestamp, many times over. Both
// decoders read the same bytes (ours: msgpackr would write the timestamp as
// a float64). The ratio rows measure both sides in one call, alternating
// batches, and give ours / msgpackr of the best batch of each, so that load
// on the machine hits both alike; the targets of the rate rows are judged on
// these ratios (`ratioCase`), the figures printed beside them.
import { performance } from 'node:perf_hooks';
import { Packr, Unpackr } from 'msgpackr';
import { decodeValue, encodeValue } from '@streamtasks/link/internal';

import { size } from './_lib.mjs';

const OPS = size(1_000_000, 200_000, 'BENCH_CODEC_OPS');
const BATCH = 10_000;
// Ratio batches are short (a few ms), so that many of them run without being preempted on a busy machine.
const RATIO_BATCH = 1000;

const payload = {
  timestamp: 1_764_547_200_123,
  value: 21.5,
  sensor: 'kitchen/temperature',
  seq: 4711,
  ok: true,
  tags: ['celsius', 'indoor'],
  raw: null,
};
const bytes = encodeValue(payload);
// msgpackr configured as a peer would use it: plain maps, no records.
const packr = new Packr({ useRecords: false });
const unpackr = new Unpackr({ useRecords: false, mapsAsObjects: true });

export const name = 'codec';
export const order = 5;
export const description = `${OPS.toLocaleString('en-US')} payloads of ${bytes.length} bytes, encoded and decoded (ours and msgpackr 2.1.4)`;

const encoders = { ours: () => encodeValue(payload), msgpackr: () => packr.pack(payload) };
const decoders = { ours: () => decodeValue(bytes), msgpackr: () => unpackr.unpack(bytes) };

/** Seconds one batch of `n` calls of `fn` takes. */
function batch(fn, n = BATCH) {
  let sink = 0;
  const t0 = performance.now();
  for (let i = 0; i < n; i++) sink += fn() === undefined ? 0 : 1;
  const seconds = (performance.now() - t0) / 1000;
  if (sink !== n) throw new Error('a codec returned nothing');
  return seconds;
}

/** The rate of one codec alone. */
function rate(fn) {
  let seconds = 0;
  for (let done = 0; done < OPS; done += BATCH) seconds += batch(fn);
  return { ops: OPS, seconds, unit: 'payloads/s' };
}

/** Ours / msgpackr in one call: alternating batches, the best batch of each. */
function ratio(pair) {
  let ours = Infinity;
  let theirs = Infinity;
  for (let done = 0; done < OPS; done += 2 * RATIO_BATCH) {
    ours = Math.min(ours, batch(pair.ours, RATIO_BATCH));
    theirs = Math.min(theirs, batch(pair.msgpackr, RATIO_BATCH));
  }
  return { value: theirs / ours, unit: '× msgpackr', note: 'rate of ours over the rate of msgpackr' };
}

export const cases = [
  { name: 'encode', run: () => rate(encoders.ours), target: { minAgainst: 'msgpackr encode', minFactor: 0.9, ratioCase: 'encode, ours / msgpackr' } },
  { name: 'msgpackr encode', run: () => rate(encoders.msgpackr) },
  { name: 'encode, ours / msgpackr', run: () => ratio(encoders) },
  { name: 'decode', run: () => rate(decoders.ours), target: { minAgainst: 'msgpackr decode', minFactor: 0.9, ratioCase: 'decode, ours / msgpackr' } },
  { name: 'msgpackr decode', run: () => rate(decoders.msgpackr) },
  { name: 'decode, ours / msgpackr', run: () => ratio(decoders) },
];
