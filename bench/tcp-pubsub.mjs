// Pub/sub over TCP with three processes on both systems: a publisher process
// → a server process → a subscriber process. streamtasks: a node as
// `streamtasks node` runs it (from `startNode`) with a publisher and a subscriber client
// connected over TCP; NATS: nats-server with the npm client. Every message is
// the same 100-byte MessagePack payload `{ timestamp, value, pad }` (encoded
// by the publisher, decoded by the subscriber, on both systems). Throughput
// is measured at the subscriber, from the first message to the last;
// latency from the monotonic timestamp in each payload (so it includes the
// queueing of a publisher that sends as fast as it is allowed to). The CPU
// time each of the three processes spent per message is recorded too: on a
// loaded machine it moves less than the wall-clock figures.
//
// Neither server slows a publisher for a subscriber: a publisher running
// flat out leaves its lead over the subscriber buffered in the server (tens
// of MB in a run here, more when the subscriber is scheduled out for a
// moment), and past the server's limit for one connection (64 MiB by
// default on both) the subscriber is dropped as a slow consumer and the run
// fails. Both servers get the same, larger limit (nats-server's max_pending,
// the streamtasks node's maxBufferedBytes), as an operator running a
// publisher this far ahead of its subscriber would set; the streamtasks
// node is then started from `startNode`, as its command line has no flag
// for it.
import { cpuPerOp, cpuSnapshot, measured, natsUnavailable, size, startWorker, stopAll } from './_lib.mjs';
import { startNatsServerWith, startStreamtasksNodeWith } from './_net.mjs';
import { LIMIT } from './tcp-limit.mjs';

const MESSAGES = size(1_000_000, 200_000, 'BENCH_MESSAGES');
/**
 * The NATS publisher waits for the server (a PING round trip) after this many
 * messages, so its buffer stays bounded. Of 100, 300, 1 000, 3 000, 10 000,
 * 100 000 and never, 1 000 gave NATS its best throughput on the benchmark
 * machine (and a low latency).
 */
const NATS_FLUSH_EVERY = 1_000;
const TOPIC = 100_000;
/** Bytes either server may hold for one connection before dropping it as a slow consumer (see above). */
const MAX_PENDING = 256 * 2 ** 20;

export const name = 'tcp-pubsub';
export const order = 40;
export const warmup = false;
export const description =
  `${MESSAGES.toLocaleString('en-US')} messages of 100 bytes, publisher process → server process → subscriber process over TCP; ` +
  `measured at the subscriber; latency from timestamps in the payload; each server allowed ${MAX_PENDING / 2 ** 20} MiB pending per connection (NATS max_pending, streamtasks maxBufferedBytes)`;

/** Waits for the subscriber's figure; adds the CPU time each process spent per message. */
async function finish(server, pub, sub) {
  try {
    await pub.waitFor(/^READY/);
    const before = cpuSnapshot({ publisher: pub, server, subscriber: sub });
    const r = await sub.result(120_000);
    r.cpu = cpuPerOp(before, r.received);
    // A run that lost or reordered messages has no valid figure.
    if (r.received !== r.expected) throw new Error(`only ${r.received} of ${r.expected} messages arrived`);
    if (r.outOfOrder) throw new Error(`${r.outOfOrder} messages arrived out of order`);
    return r;
  } finally {
    await stopAll(pub, server, sub);
  }
}

async function streamtasks(raw) {
  const { child: node, url } = await startStreamtasksNodeWith({ maxBufferedBytes: MAX_PENDING });
  const sub = startWorker('st-sub', { url, topic: TOPIC, count: MESSAGES, raw });
  await sub.waitFor(/^READY/);
  const pub = startWorker('st-pub', { url, topic: TOPIC, count: MESSAGES, raw });
  return finish(node, pub, sub);
}

/** NATS pub/sub at full speed; the encoded rates are kept in `measured` for tcp-latency. */
export async function measureNats(raw, messages = MESSAGES) {
  const { child: server, url } = await startNatsServerWith([`max_pending: ${MAX_PENDING}`]);
  const sub = startWorker('nats-sub', { url, subject: 'bench.pubsub', count: messages, raw });
  await sub.waitFor(/^READY/);
  const pub = startWorker('nats-pub', { url, subject: 'bench.pubsub', count: messages, flushEvery: NATS_FLUSH_EVERY, raw });
  const r = await finish(server, pub, sub);
  if (!raw) measured.set('nats-saturation', [...(measured.get('nats-saturation') ?? []), r.ops / r.seconds]);
  return r;
}

const count = `${MESSAGES >= 1e6 ? `${MESSAGES / 1e6} M` : `${MESSAGES / 1e3} k`} × 100 B`;
const encoded = `${count}, encoded`;
const raw = `${count}, raw bytes`;
export const cases = [
  { name: 'streamtasks', workload: encoded, run: () => streamtasks(false), target: { rate: 1_000_000, ratio: 2.5, ofLimit: 0.25 }, limit: LIMIT.small },
  { name: 'NATS', workload: encoded, system: 'nats', run: () => measureNats(false), skip: natsUnavailable, limit: LIMIT.small },
  { name: 'streamtasks raw', workload: raw, run: () => streamtasks(true), target: { ratio: 1.0 }, limit: LIMIT.small },
  { name: 'NATS raw', workload: raw, system: 'nats', run: () => measureNats(true), skip: natsUnavailable, limit: LIMIT.small },
];
