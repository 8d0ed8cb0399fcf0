// The link compliance checks, for two nodes joined through a real
// nats-server. A NATS link's far side is the whole network rather than one
// peer, so "the other end" is the other node: one side provides or reaches
// what the other requests, and closing a node withdraws it at the other
// instead of closing the other's link.
import { connect } from '@nats-io/transport-node';
import {
  AddressedMessage,
  AddressesChangedMessage,
  ConnectionClosedError,
  InTopicsChangedMessage,
  MessageType,
  OutTopicsChangedMessage,
  RawData,
  TopicDataMessage,
  type Message,
} from '@streamtasks/link';
import { connectNats, RoguePublishError, type NatsLink } from '@streamtasks/nats';
import { startNatsServer, type NatsServer } from '@streamtasks/testing';
import { freshNetwork, pullUntil } from './helpers.js';

let server: NatsServer;
const opened: NatsLink[] = [];

beforeAll(async () => {
  server = await startNatsServer();
});
afterAll(async () => {
  await server.kill();
});
afterEach(async () => {
  await Promise.all(opened.splice(0).map((l) => l[Symbol.asyncDispose]()));
});

async function node(network: string, options: { highWaterMark?: number } = {}): Promise<NatsLink> {
  const link = await connectNats({ url: `${server.url}?network=${network}`, ...options });
  opened.push(link);
  return link;
}

/**
 * Two nodes, `a` and `b`: `a` provides topics 1 and 3 and asks for 2, `b`
 * provides 2, reaches addresses 1 and 7 and asks for 1 and 3. Resolves once
 * both know it all, with the route messages consumed.
 */
async function pair(options: { highWaterMark?: number } = {}): Promise<[NatsLink, NatsLink]> {
  const network = freshNetwork();
  const [a, b] = await Promise.all([node(network, options), node(network, options)]);
  a.send(new OutTopicsChangedMessage([{ id: 1, cost: 0 }, { id: 3, cost: 0 }], []));
  b.send(new OutTopicsChangedMessage([{ id: 2, cost: 0 }], []));
  b.send(new AddressesChangedMessage([{ id: 1, cost: 0 }, { id: 7, cost: 0 }], []));
  a.send(new InTopicsChangedMessage([2], []));
  b.send(new InTopicsChangedMessage([1, 3], []));
  await Promise.all([
    pullUntil(a, () => a.outTopics.has(2) && a.addresses.has(7) && a.addresses.has(1) && a.inTopics.has(1) && a.inTopics.has(3)),
    pullUntil(b, () => b.outTopics.has(1) && b.outTopics.has(3) && b.inTopics.has(2)),
  ]);
  return [a, b];
}

class Collector {
  readonly messages: Message[] = [];
  private waiting: { n: number; resolve: () => void } | undefined;
  constructor(link: NatsLink) {
    link.setReceiver((m) => {
      this.messages.push(m);
      if (this.waiting && this.messages.length >= this.waiting.n) this.waiting.resolve();
    });
  }
  count(n: number, timeout = 15_000): Promise<Message[]> {
    if (this.messages.length >= n) return Promise.resolve(this.messages);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`got ${this.messages.length} of ${n} messages`)), timeout);
      this.waiting = { n, resolve: () => (clearTimeout(timer), resolve(this.messages)) };
    });
  }
}

const data = (topic: number, value: unknown) => new TopicDataMessage(topic, RawData.from(value));
const values = (messages: Message[]) => messages.map((m) => (m as TopicDataMessage).data.value);
const range = (n: number) => Array.from({ length: n }, (_, i) => i);

test('keeps the order of 10 000 messages in flight, both ways at once', async () => {
  const [a, b] = await pair();
  const atA = new Collector(a);
  const atB = new Collector(b);
  for (const i of range(10_000)) {
    a.send(data(1, i));
    b.send(data(2, { i }));
  }
  expect(values(await atB.count(10_000))).toEqual(range(10_000));
  expect(values(await atA.count(10_000))).toEqual(range(10_000).map((i) => ({ i })));
  expect(atB.messages.every((m) => m.type === MessageType.TopicData && m.topic === 1)).toBe(true);
});

test('carries payloads from empty to 8 MiB byte for byte (split above the server max_payload)', async () => {
  const [a, b] = await pair();
  const atB = new Collector(b);
  const sizes = [0, 1, 127, 65_535, 65_536 + 9, 1024 * 1024, 8 * 1024 * 1024 + 3];
  const sent = sizes.map((size, i) => {
    const bytes = new Uint8Array(size);
    for (let j = 0; j < size; j += 4099) bytes[j] = (j + i) & 0xff;
    return size === 0 ? RawData.fromBytes(new Uint8Array(0)) : RawData.from(bytes);
  });
  sent.forEach((payload, i) => a.send(new AddressedMessage(7, 100 + i, payload)));
  const got = await atB.count(sizes.length, 30_000);
  got.forEach((m, i) => {
    expect(m).toMatchObject({ type: MessageType.Addressed, address: 7, port: 100 + i });
    expect(Buffer.compare((m as AddressedMessage).data.bytes, sent[i]!.bytes)).toBe(0);
  });
  expect(b.stats.piecesDropped).toBe(0);
}, 40_000);

test('a recv that times out or is aborted loses nothing', async () => {
  const [a, b] = await pair();
  await expect(b.recv({ timeout: 5 })).rejects.toMatchObject({ code: 'ERR_TIMEOUT' });
  const controller = new AbortController();
  const aborted = b.recv({ signal: controller.signal });
  controller.abort();
  await expect(aborted).rejects.toMatchObject({ code: 'ERR_ABORTED' });
  for (const i of range(3)) a.send(data(1, i));
  const got = [];
  for (const _ of range(3)) got.push(await b.recv({ timeout: 5000 }));
  expect(values(got)).toEqual([0, 1, 2]);
});

test('closing a node withdraws everything it announced at the other at once; the other stays open', async () => {
  const [a, b] = await pair();
  const pending = a.recv();
  a.close();
  await expect(pending).rejects.toBeInstanceOf(ConnectionClosedError);
  expect(() => a.send(data(1, 1))).toThrow(ConnectionClosedError);
  await a.released;
  await pullUntil(b, () => b.outTopics.size === 0 && b.inTopics.size === 0, 1000);
  expect(b.isClosed).toBe(false);
  expect(b.stats.nodes).toBe(0);
  a.close(); // idempotent
});

test('what was sent before a close still arrives, in order, before the withdrawal', async () => {
  const [a, b] = await pair();
  for (const i of range(1000)) a.send(data(1, i));
  a.close();
  const got = await pullUntil(b, () => !b.outTopics.has(1));
  const dataMessages = got.filter((m) => m.type === MessageType.TopicData);
  expect(values(dataMessages)).toEqual(range(1000));
  expect(got.at(-1)!.type).toBe(MessageType.OutTopicsChangedRecv);
});

test('a close during a stream of sends ends the sender cleanly', async () => {
  const [a, b] = await pair();
  let sent = 0;
  let error: unknown;
  for (;;) {
    try {
      a.send(data(1, sent));
    } catch (err) {
      error = err;
      break;
    }
    sent++;
    if (sent === 100) a.close();
    if (sent % 10 === 0) await new Promise((resolve) => setImmediate(resolve));
  }
  expect(error).toBeInstanceOf(ConnectionClosedError);
  const got = await pullUntil(b, () => !b.outTopics.has(1));
  expect(values(got.filter((m) => m.type === MessageType.TopicData))).toEqual(range(100));
});

test('send() returns false above the high-water mark and drain follows', async () => {
  const [a, b] = await pair({ highWaterMark: 256 * 1024 });
  const atB = new Collector(b);
  const payload = RawData.from(new Uint8Array(16 * 1024));
  let n = 0;
  while (a.send(new AddressedMessage(1, 1, payload))) {
    if (++n > 100_000) throw new Error('send() never reported backpressure');
  }
  n++;
  expect(a.needsDrain).toBe(true);
  let drainEvents = 0;
  a.events.on('drain', () => drainEvents++);
  await a.drained({ timeout: 2000 });
  expect(a.needsDrain).toBe(false);
  expect(drainEvents).toBe(1);
  await atB.count(n);
  expect(atB.messages).toHaveLength(n);
  expect(a.send(new AddressedMessage(1, 1, payload))).toBe(true);
});

test('an invalid message is refused at the sender; the link stays usable', async () => {
  const [a, b] = await pair();
  const atB = new Collector(b);
  expect(() => a.send(data(-1, 1))).toThrow();
  expect(() => a.send(new AddressedMessage(1, 1.5, RawData.from(1)))).toThrow();
  expect(() => a.send(new OutTopicsChangedMessage([{ id: -3, cost: 0 }], []))).toThrow();
  expect(a.isClosed).toBe(false);
  a.send(data(3, 'fine'));
  expect(values(await atB.count(1))).toEqual(['fine']);
});

test('garbage from a rogue NATS client is reported and dropped; both nodes keep serving', async () => {
  const [a, b] = await pair();
  const errors: Error[] = [];
  b.events.on('error', (err) => errors.push(err));
  const rogue = await connect({ servers: server.url });
  try {
    rogue.publish(b.subjects.node(b.nodeId), new Uint8Array([0xc1, 0xff, 0x00]));
    rogue.publish(b.subjects.state(a.nodeId), new Uint8Array([0x81, 0xa1, 0x78]));
    rogue.publish(b.subjects.topic(a.nodeId, 1), new Uint8Array([0x92, 0x01]));
    await rogue.flush();
  } finally {
    await rogue.close();
  }
  const atB = new Collector(b);
  a.send(data(1, 'still here'));
  expect(values(await atB.count(1))).toEqual(['still here']);
  expect(errors).toHaveLength(3);
  for (const err of errors) expect(err).toBeInstanceOf(RoguePublishError);
  expect(b.stats.rejected).toBe(3);
  const [c, d] = await pair();
  const atD = new Collector(d);
  c.send(data(1, 'new node'));
  expect(values(await atD.count(1))).toEqual(['new node']);
});

test('a NATS connection that ends for good closes the link with ConnectionClosedError', async () => {
  const own = await startNatsServer();
  try {
    const link = await connectNats({ url: own.url, nats: { maxReconnectAttempts: 0 } });
    const pending = link.recv();
    await own.kill();
    await expect(pending).rejects.toBeInstanceOf(ConnectionClosedError);
    expect(await link.closed).toBeInstanceOf(ConnectionClosedError);
    await link.released;
  } finally {
    await own.kill();
  }
});
