// The counters of links and switches: what each message adds, bytes on
// serializing links, backpressure and slow-consumer events, per-topic
// forwarding counts and the route snapshots; `stats: false` counts nothing.
import {
  AddressedMessage,
  AddressesChangedMessage,
  InTopicsChangedMessage,
  MessageType,
  OutTopicsChangedMessage,
  RawData,
  SlowConsumerError,
  Switch,
  TopicControlMessage,
  TopicDataMessage,
  createQueueLinkPair,
  encodeMessage,
  type Link,
  type Message,
} from '@streamtasks/link';
import { settle } from './helpers.js';

async function next(link: Link, type: Message['type']): Promise<Message> {
  for (;;) {
    const m = await link.recv({ timeout: 2000 });
    if (m.type === type) return m;
  }
}

test('a link counts messages by wire type in both directions, and bytes when it serializes', async () => {
  const [a, b] = createQueueLinkPair({ serialize: true });
  const data = new TopicDataMessage(7, RawData.from({ x: 1 }));
  a.send(data);
  a.send(data);
  a.send(new InTopicsChangedMessage([7], []));
  a.send(new OutTopicsChangedMessage([{ id: 7, cost: 0 }], []));
  for (let i = 0; i < 4; i++) await b.recv({ timeout: 2000 });
  const size = encodeMessage(new TopicDataMessage(7, RawData.from({ x: 1 }))).length;
  expect(Array.from(a.counters.messagesOut)).toEqual([2, 0, 0, 0, 1, 1]);
  expect(Array.from(b.counters.messagesIn)).toEqual([2, 0, 0, 0, 1, 1]);
  expect(a.counters.bytesOut[MessageType.TopicData]).toBe(2 * size);
  expect(b.counters.bytesIn[MessageType.TopicData]).toBe(2 * size);
  expect(b.counters.bytesIn[MessageType.OutTopicsChanged]).toBe(a.counters.bytesOut[MessageType.OutTopicsChanged]);
  expect(a.kind).toBe('queue');
  expect(a.remoteAddress).toBeUndefined();
  expect(a.counters.openedAt).toBeLessThanOrEqual(Date.now());
});

test('the per-type counters are snapshots: changing one changes nothing in the link', async () => {
  const [a, b] = createQueueLinkPair({ serialize: true });
  a.send(new InTopicsChangedMessage([7], []));
  await b.recv({ timeout: 2000 });
  const snapshots = [a.counters.messagesOut, a.counters.bytesOut, b.counters.messagesIn, b.counters.bytesIn];
  const before = snapshots.map((s) => Array.from(s));
  for (const s of snapshots) s.fill(1e9);
  expect([a.counters.messagesOut, a.counters.bytesOut, b.counters.messagesIn, b.counters.bytesIn].map((s) => Array.from(s))).toEqual(before);
  expect(before[1]![MessageType.InTopicsChanged]).toBeGreaterThan(0);
});

test('links that pass objects count messages but no bytes; stats: false counts nothing', async () => {
  const [a, b] = createQueueLinkPair();
  a.send(new TopicControlMessage(1, true));
  await b.recv({ timeout: 2000 });
  expect(a.counters.messagesOut[MessageType.TopicControl]).toBe(1);
  expect(b.counters.messagesIn[MessageType.TopicControl]).toBe(1);
  expect(a.counters.bytesOut[MessageType.TopicControl]).toBe(0);
  const [c, d] = createQueueLinkPair({ serialize: true, stats: false });
  c.send(new TopicControlMessage(1, true));
  await d.recv({ timeout: 2000 });
  expect(c.counting).toBe(false);
  expect([...c.counters.messagesOut, ...c.counters.bytesOut, ...d.counters.messagesIn, ...d.counters.bytesIn].every((n) => n === 0)).toBe(true);
});

test('backpressure and slow-consumer events are counted on the sending end', () => {
  const [a] = createQueueLinkPair({ highWaterMark: 2, maxQueued: 3 });
  const m = new TopicControlMessage(1, false);
  a.send(m);
  expect(a.send(m)).toBe(false);
  a.send(m);
  expect(a.counters.backpressure).toBe(1);
  expect(() => a.send(m)).toThrow(SlowConsumerError);
  expect(a.counters.slowConsumer).toBe(1);
});

test('a switch counts per topic and in total, and describes its routes', async () => {
  const hub = new Switch();
  const [pubSide, pub] = createQueueLinkPair({ serialize: true });
  const [subSide, sub] = createQueueLinkPair({ serialize: true });
  const [otherSide, other] = createQueueLinkPair();
  hub.addLink(pubSide);
  hub.addLink(subSide);
  hub.addLink(otherSide);
  pub.send(new OutTopicsChangedMessage([{ id: 5, cost: 0 }, { id: 6, cost: 3 }], []));
  pub.send(new AddressesChangedMessage([{ id: 10_000, cost: 0 }], []));
  await next(sub, MessageType.OutTopicsChangedRecv);
  sub.send(new InTopicsChangedMessage([5], []));
  other.send(new InTopicsChangedMessage([5, 9], []));
  await next(pub, MessageType.InTopicsChanged);
  pub.send(new TopicControlMessage(5, true));
  for (let i = 0; i < 3; i++) pub.send(new TopicDataMessage(5, RawData.from(i)));
  for (let i = 0; i < 3; i++) await next(sub, MessageType.TopicData);
  sub.send(new AddressedMessage(10_000, 100, RawData.from('to pub')));
  sub.send(new AddressedMessage(12_345, 100, RawData.from('to nobody')));
  await next(pub, MessageType.Addressed);
  await settle();

  const wire = encodeMessage(new TopicDataMessage(5, RawData.from(0))).length;
  expect(hub.stats).toMatchObject({ topicMessages: 3, topicBytes: 3 * wire, topicDeliveries: 6, controls: 1, addressed: 1, unroutable: 1, dropped: 0 });
  const topics = new Map(hub.topicInfo().map((t) => [t.topic, t]));
  expect(topics.get(5)).toMatchObject({ cost: 1, provider: pubSide, subscribedVia: pubSide, paused: true, messages: 3, bytes: 3 * wire });
  expect(topics.get(5)!.subscribers).toEqual([subSide, otherSide]);
  expect(topics.get(5)!.providers).toEqual([[pubSide, 1]]);
  expect(topics.get(6)).toMatchObject({ cost: 4, subscribers: [], messages: 0, paused: undefined });
  expect(topics.get(9)).toMatchObject({ cost: Infinity, provider: undefined, subscribers: [otherSide] });
  expect(hub.addressInfo()).toEqual([{ address: 10_000, cost: 1, link: pubSide }]);

  // A topic nobody provides or wants any more leaves no counters behind.
  pub.send(new OutTopicsChangedMessage([], [5]));
  sub.send(new InTopicsChangedMessage([], [5]));
  other.send(new InTopicsChangedMessage([], [5]));
  await settle();
  expect(hub.topicInfo().map((t) => t.topic).sort()).toEqual([6, 9]);
  // ... but the totals keep what it counted, also once the switch is closed.
  expect(hub.stats).toMatchObject({ topicMessages: 3, topicBytes: 3 * wire, topicDeliveries: 6 });
  hub.close();
  expect(hub.stats).toMatchObject({ topicMessages: 3, topicBytes: 3 * wire, topicDeliveries: 6 });
});

test('queue links count a batch on both ends when it is delivered, and only what was delivered', async () => {
  const [a, b] = createQueueLinkPair();
  const data = new TopicDataMessage(7, RawData.from(1));
  a.send(data);
  a.send(data);
  a.send(new TopicControlMessage(7, true));
  a.send(data);
  // Nothing is delivered while the sender's code runs, so nothing is counted yet.
  expect([...a.counters.messagesOut, ...b.counters.messagesIn].every((n) => n === 0)).toBe(true);
  for (let i = 0; i < 4; i++) await b.recv({ timeout: 2000 });
  expect(Array.from(a.counters.messagesOut)).toEqual([3, 1, 0, 0, 0, 0]);
  expect(Array.from(b.counters.messagesIn)).toEqual([3, 1, 0, 0, 0, 0]);
  expect(Array.from(a.counters.messagesIn)).toEqual([0, 0, 0, 0, 0, 0]);

  // A receiver that closes its end mid-batch: the rest of the batch is never delivered nor counted.
  const [c, d] = createQueueLinkPair();
  let seen = 0;
  d.setReceiver(() => {
    if (++seen === 2) d.close();
  });
  for (let i = 0; i < 5; i++) c.send(data);
  await d.closed;
  await settle();
  expect(seen).toBe(2);
  expect(c.counters.messagesOut[MessageType.TopicData]).toBe(2);
  expect(d.counters.messagesIn[MessageType.TopicData]).toBe(2);
});

test('a switch counts the copies it hands out by the subscribers each message had', async () => {
  const hub = new Switch();
  const [pubSide, pub] = createQueueLinkPair();
  const [oneSide, one] = createQueueLinkPair();
  const [twoSide, two] = createQueueLinkPair();
  for (const l of [pubSide, oneSide, twoSide]) hub.addLink(l);
  pub.send(new OutTopicsChangedMessage([{ id: 5, cost: 0 }], []));
  await next(one, MessageType.OutTopicsChangedRecv);
  one.send(new InTopicsChangedMessage([5], []));
  await next(pub, MessageType.InTopicsChanged);
  const publish = async (n: number, ...subscribers: Link[]) => {
    for (let i = 0; i < n; i++) pub.send(new TopicDataMessage(5, RawData.from(i)));
    for (const s of subscribers) for (let i = 0; i < n; i++) await next(s, MessageType.TopicData);
  };
  await publish(2, one);
  two.send(new InTopicsChangedMessage([5], []));
  await settle();
  await publish(3, one, two);
  expect(hub.stats).toMatchObject({ topicMessages: 5, topicDeliveries: 2 + 3 * 2 });
  one.send(new InTopicsChangedMessage([], [5]));
  await settle();
  await publish(4, two);
  expect(hub.stats).toMatchObject({ topicMessages: 9, topicDeliveries: 8 + 4 });
  expect(hub.topicInfo().find((t) => t.topic === 5)).toMatchObject({ messages: 9 });
  hub.close();
});

test('a switch with stats: false counts nothing', async () => {
  const hub = new Switch({ stats: false });
  const [pubSide, pub] = createQueueLinkPair();
  const [subSide, sub] = createQueueLinkPair();
  hub.addLink(pubSide);
  hub.addLink(subSide);
  pub.send(new OutTopicsChangedMessage([{ id: 5, cost: 0 }], []));
  await next(sub, MessageType.OutTopicsChangedRecv);
  sub.send(new InTopicsChangedMessage([5], []));
  await next(pub, MessageType.InTopicsChanged);
  pub.send(new TopicDataMessage(5, RawData.from(1)));
  await next(sub, MessageType.TopicData);
  expect(hub.stats.topicMessages).toBe(0);
  expect(hub.topicInfo()[0]).toMatchObject({ topic: 5, messages: 0 });
  hub.close();
});
