// Latency at a fixed offered rate between two streamtasks nodes joined
// through nats-server, against plain nats.js doing the same work, three
// processes on each system (publisher → nats-server → subscriber), 100-byte
// encoded payloads. The publisher and subscriber processes are the ones of
// tcp-latency (the same precise pacer, latency from each message's
// *scheduled* send time, so a sender that falls behind is counted in full:
// no coordinated omission; the first quarter of each run is a warm-up at
// the same rate and not counted). On the streamtasks side each process is a
// node of its own on the NATS network (`nats://…?network=…`); on the NATS
// side they publish and subscribe on one subject.
import { natsUnavailable, size, startNatsServer, stopAll } from './_lib.mjs';
import { checkComplete, startNetWorker } from './_net.mjs';

/** Seconds each run offers load (after a warm-up of a third as long). */
const SECONDS = size(1.5, 0.5, 'BENCH_LATENCY_SECONDS');
const TOPIC = 100_002;
/** The goal: a p99 within this factor of plain nats.js at the same offered rate. */
const P99_FACTOR = 1.5;

export const name = 'nats-latency';
export const order = 46;
export const warmup = false;
export const description =
  `100-byte messages offered at a fixed rate for ${SECONDS} s (after a warm-up) between two nodes joined through nats-server, ` +
  'and with plain nats.js; latency from each message\'s scheduled send time (corrected for coordinated omission)';

async function run(system, rate) {
  const total = Math.round(rate * SECONDS * 1.33);
  const skip = total - Math.round(rate * SECONDS);
  const server = await startNatsServer();
  const children = [server.child];
  try {
    const url = `nats://${server.url}?network=latency${process.pid}`;
    const sub =
      system === 'nats'
        ? startNetWorker('lat-nats-sub', { url: server.url, subject: 'bench.latency', count: total, skip })
        : startNetWorker('lat-st-sub', { url, topic: TOPIC, count: total, skip });
    children.push(sub);
    await sub.waitFor(/^READY/);
    const pub =
      system === 'nats'
        ? startNetWorker('paced-nats-pub', { url: server.url, subject: 'bench.latency', count: total, rate })
        : startNetWorker('paced-st-pub', { url, topic: TOPIC, count: total, rate });
    children.push(pub);
    const r = checkComplete(await sub.result(SECONDS * 1000 * 4 + 60_000));
    return { ops: r.ops, seconds: r.seconds, unit: 'msgs/s', p50: r.p50, p99: r.p99, p999: r.p999, note: `offered ${rate.toLocaleString('en-US')} msgs/s; max ${r.max} µs` };
  } finally {
    await stopAll(...children);
  }
}

const RATES = [2_000, 5_000, 10_000];
export const cases = RATES.flatMap((rate) => {
  const workload = `2 nodes via NATS, ${rate / 1000} k msgs/s`;
  return [
    { name: workload, workload, run: () => run('streamtasks', rate), skip: natsUnavailable, target: { p99: P99_FACTOR } },
    { name: `${workload} NATS`, workload, system: 'nats', run: () => run('nats', rate), skip: natsUnavailable },
  ];
});
