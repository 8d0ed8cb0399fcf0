// One `closed` contract on every topic object: `closed` resolves once it is
// closed — with the ConnectionClosedError when the client's link went,
// undefined for a deliberate close — and never rejects; `isClosed` is the
// boolean. A lost link ends every loop by throwing its error.
import { ConnectionClosedError } from '@streamtasks/link';
import { InTopic, OutTopic, SequentialInTopicSynchronizer, SynchronizedInTopic, receiveTopics } from '@streamtasks/topic';
import { createNetwork } from '@streamtasks/testing';

let net: ReturnType<typeof createNetwork>;
beforeEach(() => (net = createNetwork()));
afterEach(() => net.close());

const loop = async (source: AsyncIterable<unknown>) => {
  for await (const _ of source) void _;
};

test('close() resolves closed with undefined and sets isClosed, for every kind of topic object', async () => {
  const client = net.connect();
  const objects = [
    new InTopic(client, 300_000),
    new OutTopic(client, 300_001),
    receiveTopics(client, [300_002, 300_003]),
    new SynchronizedInTopic(client, 300_004, new SequentialInTopicSynchronizer()),
  ];
  for (const o of objects) {
    expect(o.isClosed).toBe(false);
    const closed = o.closed;
    o.close();
    expect(o.isClosed).toBe(true);
    await expect(closed).resolves.toBeUndefined();
    await expect(o.closed).resolves.toBeUndefined();
  }
  expect(client.isClosed).toBe(false);
});

test('a lost link resolves closed with its ConnectionClosedError and ends every loop by throwing it', async () => {
  const client = net.connect();
  const topic = new InTopic(client, 300_010);
  const received = receiveTopics(client, [300_011]);
  const synchronized = new SynchronizedInTopic(client, 300_012, new SequentialInTopicSynchronizer());
  const loops = [loop(topic), loop(received), loop(synchronized)];
  const clientClosed = client.closed;
  client.link.close();
  expect(client.isClosed).toBe(true);
  await expect(clientClosed).resolves.toBeUndefined();
  for (const ended of loops) await expect(ended).rejects.toBeInstanceOf(ConnectionClosedError);
  for (const o of [topic, received, synchronized]) {
    expect(o.isClosed).toBe(true);
    await expect(o.closed).resolves.toBeInstanceOf(ConnectionClosedError);
  }
});

test('a stopped client closes its in-topics without a failure: loops end quietly', async () => {
  const client = net.connect();
  const topic = new InTopic(client, 300_020);
  const received = receiveTopics(client, [300_021]);
  const loops = [loop(topic), loop(received)];
  client.stop();
  for (const ended of loops) await expect(ended).resolves.toBeUndefined();
  await expect(topic.closed).resolves.toBeUndefined();
  await expect(received.closed).resolves.toBeUndefined();
});
