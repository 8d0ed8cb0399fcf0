// Fan-out over TCP: one publisher process sends 100-byte encoded messages on
// one topic as fast as it may, a streamtasks node (or nats-server) delivers
// each to 8 subscriber processes, each of which decodes every message and
// checks that none is lost or out of order. The figure is deliveries per
// second, from the first arrival at any subscriber to the last at any.
import { natsUnavailable, size, startNatsServer, startStreamtasksNode, startWorker, stopAll } from './_lib.mjs';
import { combine, startNetWorker } from './_net.mjs';
import { FAN_OUT, LIMIT } from './tcp-limit.mjs';

const MESSAGES = size(150_000, 40_000);
const TOPIC = 100_002;

export const name = 'tcp-fanout';
export const order = 44;
export const warmup = false;
export const description = `${MESSAGES.toLocaleString('en-US')} messages of 100 bytes from one publisher process to ${FAN_OUT} subscriber processes on one topic, through one server process`;

async function run(system) {
  const server = system === 'nats' ? await startNatsServer() : await startStreamtasksNode();
  const children = [server.child];
  try {
    const subs = Array.from({ length: FAN_OUT }, () =>
      system === 'nats'
        ? startNetWorker('many-nats-subs', { url: server.url, clients: 1, perClient: MESSAGES })
        : startNetWorker('many-st-subs', { url: server.url, clients: 1, firstTopic: TOPIC, perClient: MESSAGES }),
    );
    children.push(...subs);
    await Promise.all(subs.map((s) => s.waitFor(/^READY/)));
    children.push(
      system === 'nats'
        ? startWorker('nats-pub', { url: server.url, subject: 'bench.c.0', count: MESSAGES, flushEvery: 1000, raw: false })
        : startWorker('st-pub', { url: server.url, topic: TOPIC, count: MESSAGES, raw: false }),
    );
    const results = await Promise.all(subs.map((s) => s.result(120_000)));
    return combine(results, { unit: 'deliveries/s' });
  } finally {
    await stopAll(...children);
  }
}

const workload = `1 → ${FAN_OUT} subscriber processes`;
export const cases = [
  { name: 'streamtasks', workload, run: () => run('streamtasks'), target: { ratio: 1.5 }, limit: LIMIT.fanOut },
  { name: 'NATS', workload, system: 'nats', run: () => run('nats'), skip: natsUnavailable, limit: LIMIT.fanOut },
];
