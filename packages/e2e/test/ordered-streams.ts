// The long stream of the faults scenarios, whatever joins the switches:
// two publishers each send a run of numbered messages on their own topic,
// one subscriber checks that every message arrives once and in order per
// topic and provider. faults.spec.ts runs it over TCP, nats-faults.spec.ts
// with NATS in the middle.
import type { Id } from '@streamtasks/link';
import type { Client } from '@streamtasks/client';
import { OutTopic } from '@streamtasks/topic';

export interface OrderedStreams {
  /** One client per topic, each publishing on its topic. */
  publishers: readonly Client[];
  subscriber: Client;
  topics: readonly Id[];
  perTopic: number;
  /** How long the publishers may wait for the subscriber's request. */
  requestTimeout: number;
  /** How long every message may take to arrive once all are sent. */
  deliveryTimeout: number;
}

export interface OrderedStreamsResult {
  /** The messages received, of `topics.length × perTopic`. */
  total: number;
  /** One line per message that arrived out of order or twice. */
  failures: string[];
}

export async function runOrderedStreams(options: OrderedStreams): Promise<OrderedStreamsResult> {
  const { publishers, subscriber, topics, perTopic } = options;
  const expected = new Map<Id, number>(topics.map((t) => [t, 0]));
  const failures: string[] = [];
  let total = 0;
  let done!: () => void;
  const all = new Promise<void>((resolve) => (done = resolve));
  for (const topic of topics) {
    subscriber.subscribe(topic, {
      data: (data) => {
        const { n } = data.value as { n: number };
        if (n !== expected.get(topic)) failures.push(`topic ${topic}: #${n} instead of #${expected.get(topic)}`);
        expected.set(topic, n + 1);
        if (++total === topics.length * perTopic) done();
      },
    });
  }
  const outs = topics.map((topic, i) => new OutTopic(publishers[i]!, topic));
  try {
    await Promise.all(outs.map((o) => o.waitRequested(true, { timeout: options.requestTimeout })));
    for (let n = 0; n < perTopic; n++) await Promise.all(outs.map((o) => o.send({ n })));
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<void>((resolve) => (timer = setTimeout(resolve, options.deliveryTimeout)));
    await Promise.race([all, late]);
    clearTimeout(timer);
  } finally {
    for (const o of outs) o.close();
  }
  return { total, failures };
}
