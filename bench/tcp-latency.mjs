// Latency at a fixed offered rate over TCP, three processes on each system
// (publisher → streamtasks node / nats-server → subscriber), 100-byte
// encoded payloads. The publisher is paced on a precise timer (sleeping in
// the kernel until ~70 µs before a send is due, then spinning) at 10 k,
// 100 k and 300 k msgs/s, and at half the rate NATS saturates at in the same
// run (its tcp-pubsub figure when that ran first, else a short saturation run
// here). Latency is measured from each message's *scheduled* send time, not
// from when it was actually sent, so a sender that falls behind (or a queue
// that stalls it) is counted in full: no coordinated omission. The first
// quarter of every run is a warm-up at the same rate and is not counted.
import { measured, natsUnavailable, size, startNatsServer, startStreamtasksNode, stopAll } from './_lib.mjs';
import { checkComplete, startNetWorker } from './_net.mjs';
import { LIMIT } from './tcp-limit.mjs';
import { measureNats } from './tcp-pubsub.mjs';

/** Seconds each run offers load (after a warm-up of a third as long). */
const SECONDS = size(1.5, 0.5, 'BENCH_LATENCY_SECONDS');
const TOPIC = 100_001;

export const name = 'tcp-latency';
export const order = 42;
export const warmup = false;
export const description =
  `100-byte messages offered at a fixed rate for ${SECONDS} s (after a warm-up), publisher → server → subscriber processes; ` +
  'latency from each message\'s scheduled send time (corrected for coordinated omission); the figure is the rate delivered';

/** Half of NATS's saturation rate (encoded tcp-pubsub) in this run; measured here when tcp-pubsub did not run. */
async function halfNatsRate() {
  let rates = measured.get('nats-saturation');
  if (!rates?.length) {
    const r = await measureNats(false, size(300_000, 150_000));
    rates = [r.ops / r.seconds];
    measured.set('nats-saturation', rates);
  }
  const sorted = [...rates].sort((a, b) => a - b);
  return Math.round(sorted[sorted.length >> 1] / 2 / 1000) * 1000;
}

async function run(system, rate) {
  const total = Math.round(rate * SECONDS * 1.33);
  const skip = total - Math.round(rate * SECONDS);
  const server = system === 'nats' ? await startNatsServer() : await startStreamtasksNode();
  const children = [server.child];
  try {
    const sub =
      system === 'nats'
        ? startNetWorker('lat-nats-sub', { url: server.url, subject: 'bench.latency', count: total, skip })
        : startNetWorker('lat-st-sub', { url: server.url, topic: TOPIC, count: total, skip });
    children.push(sub);
    await sub.waitFor(/^READY/);
    const pub =
      system === 'nats'
        ? startNetWorker('paced-nats-pub', { url: server.url, subject: 'bench.latency', count: total, rate })
        : startNetWorker('paced-st-pub', { url: server.url, topic: TOPIC, count: total, rate });
    children.push(pub);
    const r = checkComplete(await sub.result(SECONDS * 1000 * 4 + 60_000));
    return { ops: r.ops, seconds: r.seconds, unit: 'msgs/s', p50: r.p50, p99: r.p99, p999: r.p999, note: `offered ${rate.toLocaleString('en-US')} msgs/s; max ${r.max} µs` };
  } finally {
    await stopAll(...children);
  }
}

const label = (rate) => `${rate / 1000} k msgs/s`;
const halfLabel = '50 % of NATS saturation';
let half;
const rows = [
  ...[10_000, 100_000, 300_000].map((rate) => ({ workload: label(rate), rate: () => rate, target: { p99: true, ...(rate === 10_000 ? { p50Max: 100 } : {}) } })),
  { workload: halfLabel, rate: async () => (half ??= await halfNatsRate()), target: { p99: true } },
];

export const cases = rows.flatMap((row) => [
  {
    name: `${row.workload}`,
    workload: row.workload,
    run: async () => run('streamtasks', await row.rate()),
    target: row.target,
    limit: LIMIT.small,
    skip: row.workload === halfLabel ? natsUnavailable : undefined,
  },
  { name: `${row.workload} NATS`, workload: row.workload, system: 'nats', run: async () => run('nats', await row.rate()), skip: natsUnavailable, limit: LIMIT.small },
]);
