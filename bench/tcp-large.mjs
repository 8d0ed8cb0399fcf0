// Large payloads over TCP: 64 KiB, 1 MiB and 8 MiB payloads from a
// publisher process through a server process to a subscriber process, as
// fast as the publisher may send. Every payload is a fresh copy of a
// template with its sequence number in front (the publisher has to produce
// new bytes for every message), in memory that is not zeroed first, as the
// bare pipe's publisher does it (streamtasks and NATS alike); the subscriber checks size and order without
// decoding it. NATS runs with max_payload raised to fit 8 MiB. Figures in
// MB/s of payload; the "of limit" column compares with the bare pipe moving
// frames of the same size.
import { natsUnavailable, startStreamtasksNode, stopAll } from './_lib.mjs';
import { combine, startNatsServerWith, startNetWorker } from './_net.mjs';
import { LARGE_SIZES, LARGE_TOTAL, LIMIT } from './tcp-limit.mjs';

const TOPIC = 100_003;

export const name = 'tcp-large';
export const order = 48;
export const warmup = false;
export const description = `${LARGE_TOTAL / 2 ** 20} MiB of payload per run in messages of 64 KiB, 1 MiB or 8 MiB, publisher → server → subscriber processes; MB/s of payload`;

async function run(system, bytes) {
  const count = Math.max(8, Math.round(LARGE_TOTAL / bytes));
  const server = system === 'nats' ? await startNatsServerWith([`max_payload: ${9 * 2 ** 20}`]) : await startStreamtasksNode();
  const children = [server.child];
  try {
    const sub =
      system === 'nats'
        ? startNetWorker('big-nats-sub', { url: server.url, subject: 'bench.large', count, bytes })
        : startNetWorker('big-st-sub', { url: server.url, topic: TOPIC, count, bytes });
    children.push(sub);
    await sub.waitFor(/^READY/);
    children.push(
      system === 'nats'
        ? startNetWorker('big-nats-pub', { url: server.url, subject: 'bench.large', count, bytes })
        : startNetWorker('big-st-pub', { url: server.url, topic: TOPIC, count, bytes }),
    );
    return combine([await sub.result(120_000)], { unit: 'MB/s', opsPer: bytes / 1e6 });
  } finally {
    await stopAll(...children);
  }
}

export const cases = LARGE_SIZES.flatMap(([bytes, label]) => {
  const workload = `${label} payloads`;
  const target = bytes >= 2 ** 20 ? { ofLimit: 0.6 } : undefined;
  return [
    { name: label, workload, run: () => run('streamtasks', bytes), target, limit: LIMIT.large(label) },
    { name: `${label} NATS`, workload, system: 'nats', run: () => run('nats', bytes), skip: natsUnavailable, limit: LIMIT.large(label) },
  ];
});
