// In-process pub/sub with the topic objects users write: an OutTopic on one
// client publishes 1 000 000 payloads `{ timestamp, value }` with
// `await out.send(...)`, an InTopic on another client reads them with
// `for await (const data of topic)`; both clients are attached to one Switch
// by object links.
import { performance } from 'node:perf_hooks';
import { Switch, createQueueLinkPair } from '@streamtasks/link';
import { Client } from '@streamtasks/client';
import { InTopic, OutTopic } from '@streamtasks/topic';
import { size } from './_lib.mjs';

const MESSAGES = size(1_000_000, 200_000, 'BENCH_MESSAGES');
const TOPIC = 100_000;

export const name = 'topic-pubsub';
export const order = 20;
export const description = `${MESSAGES.toLocaleString('en-US')} payloads, OutTopic.send() → Switch → \`for await\` over an InTopic (object links)`;

async function run() {
  const hub = new Switch();
  const [s1, l1] = createQueueLinkPair();
  const [s2, l2] = createQueueLinkPair();
  hub.addLink(s1);
  hub.addLink(s2);
  const publisher = new Client(l1).start();
  const subscriber = new Client(l2).start();
  const out = new OutTopic(publisher, TOPIC);
  const topic = new InTopic(subscriber, TOPIC, { maxQueued: MESSAGES });
  try {
    await out.waitRequested(true, { timeout: 5000 });
    const reader = (async () => {
      let n = 0;
      let checksum = 0;
      for await (const data of topic) {
        checksum += data.value;
        if (++n === MESSAGES) break;
      }
      return checksum;
    })();
    const t0 = performance.now();
    for (let i = 0; i < MESSAGES; i++) await out.send({ timestamp: Date.now(), value: i });
    const checksum = await reader;
    const seconds = (performance.now() - t0) / 1000;
    if (checksum !== (MESSAGES * (MESSAGES - 1)) / 2) throw new Error(`subscriber saw wrong payloads (checksum ${checksum})`);
    if (topic.dropped > 0) throw new Error(`${topic.dropped} payloads dropped`);
    return { ops: MESSAGES, seconds, unit: 'msgs/s' };
  } finally {
    out.close();
    topic.close();
    publisher.close();
    subscriber.close();
    hub.close();
  }
}

export const cases = [{ name: 'OutTopic → InTopic', run, target: { rate: 3e6 } }];
