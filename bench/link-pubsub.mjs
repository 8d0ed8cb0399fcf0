// In-process pub/sub through one Switch: a publisher link sends 1 000 000
// TopicData messages `{ timestamp, value }` on one topic, a subscriber link
// counts them (and reads each payload). Measured with message objects passed
// as they are, and with every message serialized to bytes and decoded again
// on each link, as a socket would. The reference is the bare cost of one
// async queue hop with the same batching and backpressure as a queue link.
import { performance } from 'node:perf_hooks';
import { RawData, TopicDataMessage } from '@streamtasks/link';

import { size } from './_lib.mjs';
import { switchedPair } from './_switched.mjs';

const MESSAGES = size(1_000_000, 200_000, 'BENCH_MESSAGES');
const TOPIC = 100;
const HIGH_WATER_MARK = 1024;

export const name = 'link-pubsub';
export const order = 10;
export const description = `${MESSAGES.toLocaleString('en-US')} messages, publisher link → Switch → subscriber link`;

async function pubsub(serialize) {
  let received = 0;
  let checksum = 0;
  let done;
  const finished = new Promise((resolve) => (done = resolve));
  const { pub, close } = await switchedPair({
    topic: TOPIC,
    linkOptions: { serialize },
    onData(m) {
      checksum += m.data.value.value;
      if (++received === MESSAGES) done();
    },
  });

  const t0 = performance.now();
  for (let i = 0; i < MESSAGES; i++) {
    if (!pub.send(new TopicDataMessage(TOPIC, RawData.from({ timestamp: Date.now(), value: i })))) await pub.drained();
  }
  await finished;
  const seconds = (performance.now() - t0) / 1000;
  close();
  if (checksum !== (MESSAGES * (MESSAGES - 1)) / 2) throw new Error(`subscriber saw wrong payloads (checksum ${checksum})`);
  return { ops: MESSAGES, seconds, unit: 'msgs/s' };
}

/**
 * One hop through a plain array queue: the producer pushes, a microtask
 * hands the batch to the consumer, the producer waits for a drain above the
 * same high-water mark a queue link uses.
 */
async function bareQueueHop() {
  let pending = [];
  let scheduled = false;
  let blocked;
  let received = 0;
  let checksum = 0;
  let done;
  const finished = new Promise((resolve) => (done = resolve));
  const consume = (item) => {
    checksum += item.value;
    if (++received === MESSAGES) done();
  };
  const flush = () => {
    scheduled = false;
    const batch = pending;
    pending = [];
    for (let i = 0; i < batch.length; i++) consume(batch[i]);
    if (blocked) {
      const wake = blocked;
      blocked = undefined;
      wake();
    }
  };
  const push = (item) => {
    pending.push(item);
    if (!scheduled) {
      scheduled = true;
      globalThis.queueMicrotask(flush);
    }
    return pending.length < HIGH_WATER_MARK;
  };

  const t0 = performance.now();
  for (let i = 0; i < MESSAGES; i++) {
    if (!push({ timestamp: Date.now(), value: i })) await new Promise((resolve) => (blocked = resolve));
  }
  await finished;
  const seconds = (performance.now() - t0) / 1000;
  if (checksum !== (MESSAGES * (MESSAGES - 1)) / 2) throw new Error('consumer saw wrong items');
  return { ops: MESSAGES, seconds, unit: 'msgs/s' };
}

export const reference = { name: 'bare async queue hop', run: bareQueueHop };

export const cases = [
  { name: 'objects', run: () => pubsub(false), target: { rate: 1.5e6, minAgainst: 'bare async queue hop', minFactor: 0.5 } },
  { name: 'serialized', run: () => pubsub(true), target: { rate: 0.6e6 } },
];
