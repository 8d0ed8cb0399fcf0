// Switch semantics across NATS: nodes are switches attached to one real
// nats-server; local participants are serialized in-process links.
import {
  AddressedMessage,
  AddressesChangedMessage,
  InTopicsChangedMessage,
  OutTopicsChangedMessage,
  RawData,
  TopicControlMessage,
  TopicDataMessage,
} from '@streamtasks/link';
import { startNatsServer, type NatsServer } from '@streamtasks/testing';
import { freshNetwork, startNode, untilKnown, untilNetwork, type Participant, type TestNode } from './helpers.js';

let server: NatsServer;
const nodes: TestNode[] = [];

beforeAll(async () => {
  server = await startNatsServer();
});
afterAll(async () => {
  await server.kill();
});
afterEach(async () => {
  await Promise.all(nodes.splice(0).map((n) => n.close()));
});

/** `count` nodes on a fresh network that all know each other; `quiet`: heartbeats far apart, so the server's counts are exact. */
async function network(count: number, options: { quiet?: boolean } = {}): Promise<TestNode[]> {
  const url = `${server.url}?network=${freshNetwork()}`;
  const timing = options.quiet ? { heartbeatInterval: 60_000, deadAfter: 120_000 } : {};
  const started = await Promise.all(Array.from({ length: count }, () => startNode(url, timing)));
  nodes.push(...started);
  await Promise.all(started.map((n) => untilKnown(n.link, count - 1)));
  return started;
}

const data = (topic: number, value: unknown) => new TopicDataMessage(topic, RawData.from(value));
const provide = (p: Participant, topic: number, cost = 0) => p.send(new OutTopicsChangedMessage([{ id: topic, cost }], []));
const request = (p: Participant, topic: number) => p.send(new InTopicsChangedMessage([topic], []));
const range = (n: number) => Array.from({ length: n }, (_, i) => i);

/** Per subject, the messages the server delivered to the subscriptions on it. */
async function deliveredBySubject(): Promise<Map<string, number>> {
  const connz = await server.monitor<{ connections: Array<{ subscriptions_list_detail?: Array<{ subject: string; msgs: number }> }> }>(
    'connz?subs=detail',
  );
  const out = new Map<string, number>();
  for (const c of connz.connections) for (const s of c.subscriptions_list_detail ?? []) out.set(s.subject, (out.get(s.subject) ?? 0) + s.msgs);
  return out;
}

/** Messages the server received from a node's connection. */
async function publishedBy(node: TestNode): Promise<number> {
  const connz = await server.monitor<{ connections: Array<{ name: string; in_msgs: number }> }>('connz');
  return connz.connections.find((c) => c.name === `streamtasks-${node.link.nodeId}`)!.in_msgs;
}

test('NATS does the fan-out: a message to 4 subscriber nodes is published once (counted at the server)', async () => {
  const [p, ...subscribers] = await network(5, { quiet: true });
  const provider = p!.participant();
  provide(provider, 5);
  const ends = subscribers.map((s) => s.participant());
  for (const end of ends) request(end, 5);
  await untilNetwork(p!.link, () => p!.link.requesterCount(5) === 4);
  await provider.until(() => provider.end.inTopics.has(5));
  const subject = p!.link.subjects.topic(p!.link.nodeId, 5);
  // One at a time: each message is one publication, delivered by the server to each of the 4 nodes.
  const before = await publishedBy(p!);
  const deliveredBefore = (await deliveredBySubject()).get(subject) ?? 0;
  const N = 20;
  for (const i of range(N)) {
    provider.send(data(5, i));
    for (const end of ends) await end.data(i + 1);
  }
  for (const end of ends) expect(end.values()).toEqual(range(N));
  expect((await publishedBy(p!)) - before).toBe(N);
  expect(((await deliveredBySubject()).get(subject) ?? 0) - deliveredBefore).toBe(4 * N);
  // Sent in a burst: the messages travel in batches, still each publication once for all 4 nodes.
  const burstFrom = await publishedBy(p!);
  const burstDeliveredFrom = (await deliveredBySubject()).get(subject)!;
  const M = 500;
  for (const i of range(M)) provider.send(data(5, N + i));
  for (const end of ends) expect(await end.data(N + M)).toEqual(range(N + M));
  const published = (await publishedBy(p!)) - burstFrom;
  expect(published).toBeGreaterThanOrEqual(1);
  expect(published).toBeLessThan(M / 10);
  expect((await deliveredBySubject()).get(subject)! - burstDeliveredFrom).toBe(4 * published);
});

test('a topic nobody requested is never published to NATS', async () => {
  const [p, other] = await network(2, { quiet: true });
  const provider = p!.participant();
  const watcher = other!.participant();
  provide(provider, 6);
  await watcher.until(() => watcher.end.outTopics.has(6));
  const before = await publishedBy(p!);
  for (const i of range(50)) provider.send(data(6, i));
  // A barrier: once the next announcement has arrived, so would have the data.
  provide(provider, 7);
  await watcher.until(() => watcher.end.outTopics.has(7));
  expect((await publishedBy(p!)) - before).toBe(1); // the announcement, no data
});

test('addressed messages go to exactly the one node reaching the address cheapest, never broadcast', async () => {
  const [a, b, c, d] = await network(4, { quiet: true });
  const sender = a!.participant();
  const atB = b!.participant();
  const atC = c!.participant();
  const atD = d!.participant();
  atB.send(new AddressesChangedMessage([{ id: 42, cost: 0 }], []));
  atC.send(new AddressesChangedMessage([{ id: 42, cost: 10 }], []));
  await sender.until(() => sender.end.addresses.get(42) === a!.link.cost + 2);
  for (const i of range(20)) sender.send(new AddressedMessage(42, 7, RawData.from(i)));
  await atB.until(() => atB.addressed().length === 20);
  expect(atB.addressed()).toEqual(range(20));
  const delivered = await deliveredBySubject();
  expect(delivered.get(b!.link.subjects.node(b!.link.nodeId))).toBe(20);
  expect(delivered.get(c!.link.subjects.node(c!.link.nodeId))).toBe(0);
  expect(delivered.get(d!.link.subjects.node(d!.link.nodeId))).toBe(0);
  // The cheapest goes away: the next one takes over.
  atB.send(new AddressesChangedMessage([], [42]));
  await sender.until(() => sender.end.addresses.get(42) === a!.link.cost + 2 + 10);
  sender.send(new AddressedMessage(42, 7, RawData.from('to c')));
  await atC.until(() => atC.addressed().length === 1);
  expect(atC.addressed()).toEqual(['to c']);
  await atD.until(() => atD.end.queuedCount === 0);
  expect(atD.addressed()).toEqual([]);
});

test('the cheapest provider serves; a cheaper one takes the subscription over; the last requester leaving withdraws upstream', async () => {
  const [r, p1, p2, p3] = await network(4);
  const sub = r!.participant();
  const prov1 = p1!.participant();
  const prov2 = p2!.participant();
  provide(prov1, 9, 10);
  provide(prov2, 9, 3);
  await sub.until(() => sub.end.outTopics.get(9) === r!.link.cost + 2 + 3);
  request(sub, 9);
  await prov2.until(() => prov2.end.inTopics.has(9));
  expect(r!.link.providerOf(9)).toBe(p2!.link.nodeId);
  prov2.send(data(9, 'from p2'));
  expect(await sub.data(1)).toEqual(['from p2']);

  const prov3 = p3!.participant();
  provide(prov3, 9, 0);
  await prov3.until(() => prov3.end.inTopics.has(9));
  await prov2.until(() => !prov2.end.inTopics.has(9));
  prov3.send(data(9, 'from p3'));
  expect(await sub.data(2)).toEqual(['from p2', 'from p3']);

  sub.send(new InTopicsChangedMessage([], [9]));
  await prov3.until(() => !prov3.end.inTopics.has(9));
  await untilNetwork(p3!.link, () => p3!.link.requesterCount(9) === 0);
  expect(prov1.end.inTopics.has(9)).toBe(false);
});

test('a late joiner sees a paused topic as paused, exactly once; earlier subscribers hear nothing again', async () => {
  const [p, r1, r2] = await network(3);
  const provider = p!.participant();
  provide(provider, 11);
  const first = r1!.participant();
  request(first, 11);
  await provider.until(() => provider.end.inTopics.has(11));
  provider.send(new TopicControlMessage(11, true));
  await first.until(() => first.controls().length === 1);

  // Two late subscribers on another node, one after the other.
  const late = r2!.participant();
  request(late, 11);
  await late.until(() => late.controls().length === 1);
  const later = r2!.participant();
  request(later, 11);
  await later.until(() => later.controls().length === 1);
  // Data after the joins: whatever else was on its way has arrived when it does.
  provider.send(data(11, 'after'));
  for (const end of [first, late, later]) await end.until(() => end.values().includes('after'));
  expect(first.controls()).toEqual([true]);
  expect(late.controls()).toEqual([true]);
  expect(later.controls()).toEqual([true]);
  // Running again reaches every subscriber once.
  provider.send(new TopicControlMessage(11, false));
  for (const end of [first, late, later]) await end.until(() => end.controls().length === 2);
  provider.send(data(11, 'end'));
  for (const end of [first, late, later]) {
    await end.until(() => end.values().includes('end'));
    expect(end.controls()).toEqual([true, false]);
  }
});
