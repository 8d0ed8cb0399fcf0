// Several topics as one stream (Python's TopicsReceiver), and registration
// for the lifetime of a block.
import { RawData } from '@streamtasks/link';
import { ClientStoppedError } from '@streamtasks/client';
import { InTopic, TopicClosedError, TopicControlData, outTopic, receiveTopics, registerScoped } from '@streamtasks/topic';
import { createNetwork, eventually, nextEvent } from '@streamtasks/testing';

const A = 100_000;
const B = 100_001;

let net: ReturnType<typeof createNetwork>;
beforeEach(() => (net = createNetwork()));
afterEach(() => net.close());

async function publishers() {
  const client = net.connect();
  const a = outTopic(client, A);
  const b = outTopic(client, B);
  return { a, b };
}

test('yields [topic, data] from every topic in arrival order; controls through recvDataControl', async () => {
  const { a, b } = await publishers();
  const received = receiveTopics<{ v: string }>(net.connect(), [A, B, A]);
  expect(received.topics).toEqual([A, B]);
  await Promise.all([a.waitRequested(true, { timeout: 2000 }), b.waitRequested(true, { timeout: 2000 })]);
  await a.send({ v: 'a1' });
  await b.send({ v: 'b1' });
  b.setPaused(true);
  await a.send({ v: 'a2' });

  await expect(received.recvDataControl({ timeout: 2000 })).resolves.toEqual([A, { v: 'a1' }]);
  await expect(received.recvDataControl({ timeout: 2000 })).resolves.toEqual([B, { v: 'b1' }]);
  await expect(received.recvDataControl({ timeout: 2000 })).resolves.toEqual([B, new TopicControlData(true)]);
  await expect(received.recv({ timeout: 2000 })).resolves.toEqual([A, { v: 'a2' }]);

  // for await, until close() ends it.
  const seen: Array<[unknown, unknown]> = [];
  const loop = (async () => {
    for await (const [topic, data] of received) {
      seen.push([topic, data]);
      if (seen.length === 2) received.close();
    }
  })();
  await b.send({ v: 'b2' });
  await a.send({ v: 'a3' });
  await loop;
  expect(seen).toEqual([[B, { v: 'b2' }], [A, { v: 'a3' }]]);
  await Promise.all([a.waitRequested(false, { timeout: 2000 }), b.waitRequested(false, { timeout: 2000 })]);
});

test('one bounded queue for all topics: a slow reader loses the oldest items, counted', async () => {
  const { a, b } = await publishers();
  const received = receiveTopics(net.connect(), [A, B], { maxQueued: 3 });
  await Promise.all([a.waitRequested(true, { timeout: 2000 }), b.waitRequested(true, { timeout: 2000 })]);
  const slow = nextEvent<[number]>((l) => received.events.on('slow-consumer', l));
  for (let i = 0; i < 3; i++) {
    await a.send(`a${i}`);
    await b.send(`b${i}`);
  }
  await eventually(() => received.dropped === 3);
  expect(await slow).toEqual([1]);
  expect(received.queued).toBe(3);
  const rest = [];
  for (let i = 0; i < 3; i++) rest.push(await received.recv({ timeout: 2000 }));
  expect(rest).toEqual([[B, 'b1'], [A, 'a2'], [B, 'b2']]);
  received.close();
});

test('undecodable payloads are reported and skipped; a stopped client ends every read', async () => {
  const publisher = net.connect();
  publisher.registerOutTopics([A]);
  const client = net.connect();
  const received = receiveTopics(client, [A]);
  await eventually(() => publisher.isRequested(A));
  const reported = nextEvent<[Error]>((l) => received.events.on('error', l));
  publisher.sendStreamData(A, RawData.fromBytes(Uint8Array.of(0xc1)));
  publisher.sendStreamData(A, 'fine');
  await expect(received.recv({ timeout: 2000 })).resolves.toEqual([A, 'fine']);
  expect((await reported)[0]).toBeInstanceOf(Error);

  const pending = received.recv();
  client.stop();
  await expect(pending).rejects.toBeInstanceOf(ClientStoppedError);
  expect(received.isClosed).toBe(true);
});

test('close() ends a waiting read with TopicClosedError', async () => {
  const received = receiveTopics(net.connect(), [A]);
  const pending = received.recv();
  received.close();
  await expect(pending).rejects.toBeInstanceOf(TopicClosedError);
});

test('registerScoped: registered for the block, unregistered after it, also after a throw', async () => {
  const { a } = await publishers();
  const topic = new InTopic(net.connect(), A, { register: false });
  await expect(async () => {
    using _registration = registerScoped(topic);
    expect(topic.registered).toBe(true);
    await a.waitRequested(true, { timeout: 2000 });
    throw new Error('inside');
  }).rejects.toThrow('inside');
  expect(topic.registered).toBe(false);
  await a.waitRequested(false, { timeout: 2000 });
  topic.close();
});
