// What counting costs: in-process pub/sub through one Switch (message
// objects, the cheapest path, where counting weighs the most) with the
// counters of the links and the switch on, and with them off
// (`createQueueLinkPair({ stats: false })`, `new Switch({ stats: false })`).
//
// The effect is a few per cent, the noise of a loaded machine is more, so the
// measurement is built to see through it:
// - three pipelines live side by side in one process: counters on, and
//   counters off twice (off₁, off₂), built in the order off₁, on, off₂;
// - a round sends one short batch (BATCH messages, a fraction of a
//   millisecond) through each of the three, in one of the six possible
//   orders, cycling through all of them, so no pipeline is always first or
//   always after the same other one;
// - each batch is timed by the wall clock: a batch that another process or a
//   garbage collection interrupted is an outlier in its round, and the
//   median of many rounds does not see it (the process's CPU time has too
//   coarse a resolution for batches this short, and counts the GC threads);
// - the figure is the median over the rounds of on / off₁ − 1, with its 95 %
//   confidence interval (order statistics, no assumption about the
//   distribution); the A/A control is the same arithmetic for off₂ / off₁,
//   two pipelines that differ in nothing: how far it is from 0 is the noise
//   floor of the figure.
// Both rows come from the same rounds: the A/A row reports the measurement the
// row above it made.
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { RawData, TopicDataMessage } from '@streamtasks/link';

import { measured, size } from './_lib.mjs';
import { switchedPair } from './_switched.mjs';

/** Messages per batch: below the queue links' high-water mark (1024), so a batch never waits for a drain. */
const BATCH = 1_000;
const ROUNDS = size(2_000, 500, 'BENCH_ROUNDS');
const WARMUP_ROUNDS = size(200, 60, 'BENCH_WARMUP_ROUNDS');
const TOPIC = 100;
/** The six orders of the three pipelines (0 off₁, 1 on, 2 off₂). */
const ORDERS = [[0, 1, 2], [1, 2, 0], [2, 0, 1], [2, 1, 0], [1, 0, 2], [0, 2, 1]];

export const name = 'stats-overhead';
export const order = 11;
export const description = `publisher link → Switch → subscriber link, counters on vs off: ${ROUNDS.toLocaleString('en-US')} rounds of one ${BATCH.toLocaleString('en-US')}-message batch through each of three pipelines (on, off, off) in rotating order; median of the per-round ratios, and the A/A control (off vs off) of the same rounds`;

/** A publisher and a subscriber joined by a Switch, counting or not; `batch(n)` sends n messages and resolves with the milliseconds until all arrived. */
async function pipeline(stats) {
  let received = 0;
  let target = 0;
  let done = () => {};
  const { hub, pub, close } = await switchedPair({
    topic: TOPIC,
    linkOptions: { stats },
    switchOptions: { stats },
    onData() {
      if (++received === target) done();
    },
  });
  let sent = 0;
  return {
    hub,
    pub,
    get sent() {
      return sent;
    },
    async batch(n) {
      target += n;
      const arrived = new Promise((resolve) => (done = resolve));
      const t0 = performance.now();
      for (let i = 0; i < n; i++) {
        if (!pub.send(new TopicDataMessage(TOPIC, RawData.from({ timestamp: 0, value: sent++ })))) await pub.drained();
      }
      await arrived;
      return performance.now() - t0;
    },
    close,
  };
}

/** The median of `xs` and a 95 % confidence interval for it (ranks n/2 ± 0.98·√n, distribution-free). */
function medianWithInterval(xs) {
  const s = Float64Array.from(xs).sort();
  const n = s.length;
  const m = n >> 1;
  const h = Math.ceil(0.98 * Math.sqrt(n));
  return { median: s[m], low: s[Math.max(0, m - h)], high: s[Math.min(n - 1, m + h)] };
}

const percent = (x) => `${x >= 0 ? '+' : ''}${x.toFixed(2)} %`;
const describe = (r) => `${percent(r.median)} (95 % CI ${percent(r.low)} … ${percent(r.high)})`;

async function measure() {
  const pipelines = [];
  for (const stats of [false, true, false]) pipelines.push(await pipeline(stats));
  const [off1, on, off2] = pipelines;
  try {
    const ms = pipelines.map(() => new Float64Array(ROUNDS));
    for (let r = 0; r < WARMUP_ROUNDS; r++) for (const k of ORDERS[r % 6]) await pipelines[k].batch(BATCH);
    const t0 = performance.now();
    for (let r = 0; r < ROUNDS; r++) for (const k of ORDERS[r % 6]) ms[k][r] = await pipelines[k].batch(BATCH);
    const seconds = (performance.now() - t0) / 1000;

    // The counters must have counted everything with counting on, and nothing with it off.
    const counted = [on.hub.stats.topicMessages, on.pub.counters.messagesOut[0]];
    if (counted.some((n) => n !== on.sent)) throw new Error(`counted ${counted.join(' and ')} of ${on.sent} messages`);
    if ([off1, off2].some((p) => p.hub.stats.topicMessages !== 0 || p.pub.counters.messagesOut[0] !== 0)) throw new Error('counted with stats off');

    const ratio = (a, b) => Array.from(ms[a], (x, r) => (x / ms[b][r] - 1) * 100);
    const overhead = medianWithInterval(ratio(1, 0));
    const control = medianWithInterval(ratio(2, 0));
    const rate = (k) => `${(BATCH / medianWithInterval(ms[k]).median / 1000).toFixed(2)} M`;
    const result = {
      overhead,
      control,
      note:
        `on vs off ${describe(overhead)}, A/A off vs off ${describe(control)}; ` +
        `median batch rates on ${rate(1)}, off ${rate(0)} / ${rate(2)} msgs/s; ` +
        `${ROUNDS} rounds × 3 × ${BATCH} messages in ${seconds.toFixed(1)} s, load average ${os.loadavg()[0].toFixed(1)}`,
    };
    measured.set('stats-overhead', result);
    return result;
  } finally {
    for (const p of pipelines) p.close();
  }
}

export const cases = [
  {
    name: 'counters on vs off (in-process pub/sub)',
    async run() {
      const { overhead, note } = await measure();
      return { value: overhead.median, unit: '%', note };
    },
    target: { max: 5 },
  },
  {
    name: 'A/A control: counters off vs off (same rounds)',
    run() {
      const last = measured.get('stats-overhead');
      if (!last) throw new Error('the A/A control reports the rounds of the row above it, which did not run');
      measured.delete('stats-overhead');
      return { value: last.control.median, unit: '%', note: `95 % CI ${percent(last.control.low)} … ${percent(last.control.high)}` };
    },
  },
];
