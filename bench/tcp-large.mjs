// Large payloads over TCP: 64 KiB, 1 MiB and 8 MiB payloads from a
// publisher process through a server process to a subscriber process, as
// fast as the publisher may send. Every payload is a fresh copy of a
// template with its sequence number in front (the publisher has to produce
// new bytes for every message), in memory that is not zeroed first, as the
// bare pipe's publisher does it (streamtasks and NATS alike); the subscriber checks size and order without
// decoding it. NATS runs with max_payload raised to fit 8 MiB. Both servers
// are configured as an operator moving multi-MiB messages would, and
// equally: the bytes a server may hold for one slow connection before it
// drops it (nats-server's max_pending, the streamtasks node's
// maxBufferedBytes, both 64 MiB by default, only 8 messages of 8 MiB) are
// raised to 32 of the largest payload, 256 MiB. Neither server ever slows a
// publisher for a subscriber. Figures in MB/s of payload; the "of limit"
// column compares with the bare pipe moving frames of the same size.
import { natsUnavailable, stopAll } from './_lib.mjs';
import { combine, startNatsServerWith, startNetWorker, startStreamtasksNodeWith } from './_net.mjs';
import { LARGE_SIZES, LARGE_TOTAL, LIMIT } from './tcp-limit.mjs';

const TOPIC = 100_003;
/** Bytes either server may hold for one connection before dropping it as a slow consumer: 32 of the largest payload. */
const MAX_PENDING = 32 * Math.max(...LARGE_SIZES.map(([bytes]) => bytes));

export const name = 'tcp-large';
export const order = 48;
export const warmup = false;
export const description = `${LARGE_TOTAL / 2 ** 20} MiB of payload per run in messages of 64 KiB, 1 MiB or 8 MiB, publisher → server → subscriber processes, each server allowed ${MAX_PENDING / 2 ** 20} MiB pending per connection (NATS max_pending, streamtasks maxBufferedBytes); MB/s of payload`;

async function run(system, bytes) {
  const count = Math.max(8, Math.round(LARGE_TOTAL / bytes));
  const server =
    system === 'nats'
      ? await startNatsServerWith([`max_payload: ${9 * 2 ** 20}`, `max_pending: ${MAX_PENDING}`])
      : await startStreamtasksNodeWith({ maxBufferedBytes: MAX_PENDING });
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
