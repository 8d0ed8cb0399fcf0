// Synchronized in-topics release payloads in global timestamp order
// (SPEC §6): a random interleaving of several topics comes out sorted, the
// newest payload of each topic waits for the others, paused topics do not
// hold the others back, older payloads are dropped, and priorities break
// ties.
import type { Client } from '@streamtasks/client';
import {
  PrioritizedSequentialInTopicSynchronizer,
  SequentialInTopicSynchronizer,
  SynchronizedInTopic,
  getTimestamp,
  outTopic,
  type InTopicSynchronizer,
  type OutTopic,
} from '@streamtasks/topic';
import { createNetwork, eventually, prng } from '@streamtasks/testing';

type Payload = { timestamp: number; topic: number };

let net: ReturnType<typeof createNetwork>;
beforeEach(() => (net = createNetwork()));
afterEach(() => net.close());

/** Readers that push every released payload into one shared list, in release order. */
function readAll(topics: SynchronizedInTopic<Payload>[], out: Payload[]): Promise<void[]> {
  return Promise.all(
    topics.map(async (topic) => {
      for await (const data of topic) out.push(data);
    }),
  );
}

async function publishers(client: Client, ids: number[]): Promise<OutTopic[]> {
  return ids.map((id) => outTopic(client, id));
}

test('a random interleaving of 4 topics is released in global timestamp order', async () => {
  const ids = [200_001, 200_002, 200_003, 200_004];
  const random = prng(42);
  // 400 global timestamps spread over the topics; each topic's own are increasing.
  const perTopic = new Map<number, number[]>(ids.map((id) => [id, []]));
  for (let ts = 1; ts <= 400; ts++) perTopic.get(ids[Math.floor(random() * ids.length)]!)!.push(ts * 10);
  const sync = new SequentialInTopicSynchronizer();
  const subscriber = net.connect();
  const topics = ids.map((id) => new SynchronizedInTopic<Payload>(subscriber, id, sync));
  const outs = await publishers(net.connect(), ids);
  await Promise.all(outs.map((o) => o.waitRequested(true, { timeout: 2000 })));

  // A topic joins the order with its first payload, so every topic first
  // offers one at timestamp 0; then a random interleaving follows that keeps
  // each topic's own order.
  const released: Payload[] = [];
  const reading = readAll(topics, released);
  for (let i = 0; i < ids.length; i++) await outs[i]!.send({ timestamp: 0, topic: ids[i]! });
  await eventually(() => released.length === ids.length);
  released.length = 0;

  const cursors = new Map(ids.map((id) => [id, 0]));
  let left = 400;
  while (left > 0) {
    const i = Math.floor(random() * ids.length);
    const id = ids[i]!;
    const list = perTopic.get(id)!;
    const at = cursors.get(id)!;
    if (at >= list.length) continue;
    cursors.set(id, at + 1);
    await outs[i]!.send({ timestamp: list[at]!, topic: id });
    left--;
  }

  // A payload goes once every active topic has offered one at its timestamp
  // or later, so exactly those up to the smallest "last timestamp" of any
  // topic come out; the rest wait for topics that have nothing more to say.
  const lowestLast = Math.min(...ids.map((id) => perTopic.get(id)!.at(-1)!));
  const expected = [...perTopic.values()].flat().filter((ts) => ts <= lowestLast).length;
  expect(expected).toBeGreaterThan(100);
  await eventually(() => released.length >= expected).catch((err: Error) => {
    throw new Error(`${err.message}: ${released.length} of ${expected} released`);
  });
  await flush();
  expect(released).toHaveLength(expected);
  const stamps = released.map((p) => p.timestamp);
  expect(stamps).toEqual([...stamps].sort((a, b) => a - b));
  expect(new Set(stamps).size).toBe(stamps.length);
  for (const t of topics) t.close();
  await reading;
});

test('leaving a loop over a synchronized topic releases it: its siblings are not held back', async () => {
  const sync = new SequentialInTopicSynchronizer();
  const subscriber = net.connect();
  const [a, b] = [200_101, 200_102].map((id) => new SynchronizedInTopic<Payload>(subscriber, id, sync));
  const [outA, outB] = await publishers(net.connect(), [200_101, 200_102]);
  await Promise.all([outA!, outB!].map((o) => o.waitRequested(true, { timeout: 2000 })));
  await outA!.send({ timestamp: 10, topic: 200_101 });
  await outB!.send({ timestamp: 10, topic: 200_102 });
  for await (const data of a!) {
    expect(data.timestamp).toBe(10);
    break; // a stays at 10 unless leaving the loop releases it
  }
  expect(a!.isClosed).toBe(true);
  await outB!.send({ timestamp: 20, topic: 200_102 });
  const seen: number[] = [];
  for await (const data of b!) {
    seen.push(data.timestamp);
    if (seen.length === 2) break;
  }
  expect(seen).toEqual([10, 20]);
});

test('a paused topic does not hold the others back, and re-enters at the minimum', async () => {
  // Unit level: drive the synchronizer as three topic readers would.
  const sync = new SequentialInTopicSynchronizer();
  const released: string[] = [];
  const offer = (topic: number, ts: number) => sync.waitFor(topic, ts).then((ok) => ok && released.push(`${topic}@${ts}`));
  await Promise.all([offer(1, 10), offer(2, 10), offer(3, 10)]);
  expect(released).toEqual(['1@10', '2@10', '3@10']);

  const a20 = offer(1, 20); // waits: 2 and 3 are still at 10
  await flush();
  expect(released).toHaveLength(3);
  sync.setPaused(3, true); // 3 leaves the active set; 2 still holds 1 back
  const b30 = offer(2, 30); // now min = 20: 1@20 goes, 2@30 waits for 1
  await a20;
  expect(released.at(-1)).toBe('1@20');
  sync.setPaused(3, false); // 3 re-enters at the current minimum (20)
  const c25 = offer(3, 25); // min over {1:20, 2:30, 3:25} = 20: waits
  await flush();
  expect(released.at(-1)).toBe('1@20');
  const a40 = offer(1, 40); // min = 25: 3@25 goes; 2@30 still waits for 3
  await c25;
  expect(released.at(-1)).toBe('3@25');
  const c50 = offer(3, 50); // min = 30: 2@30 goes
  await b30;
  expect(released.slice(-1)).toEqual(['2@30']);
  sync.setPaused(2, true); // 2 is paused: 1@40 goes (min 40); 3@50 waits for 1
  await a40;
  expect(released.at(-1)).toBe('1@40');
  void c50;
});

async function flush(): Promise<void> {
  for (let i = 0; i < 5; i++) await Promise.resolve();
}

test('a payload older than its topic\'s last one is dropped', async () => {
  const sync = new SequentialInTopicSynchronizer();
  await expect(sync.waitFor(1, 50)).resolves.toBe(true);
  await expect(sync.waitFor(1, 40)).resolves.toBe(false);
});

test('payloads without a timestamp are skipped by synchronized topics', async () => {
  const sync: InTopicSynchronizer = new SequentialInTopicSynchronizer();
  const topic = new SynchronizedInTopic<unknown>(net.connect(), 200_010, sync);
  const out = outTopic(net.connect(), 200_010);
  await out.waitRequested(true, { timeout: 2000 });
  await out.send({ value: 'no timestamp' });
  await out.send('not even a map');
  await out.send({ timestamp: 7.9, value: 'kept' });
  expect(await topic.recvData({ timeout: 1000 })).toEqual({ timestamp: 7.9, value: 'kept' });
  expect(getTimestamp({ timestamp: 7.9 })).toBe(7);
});

test('priority breaks ties at the same timestamp', async () => {
  const sync = new PrioritizedSequentialInTopicSynchronizer();
  sync.setPriority(2, 5);
  const order: number[] = [];
  await sync.waitFor(3, 50); // topic 3 at 50 holds the next two back
  const low = sync.waitFor(1, 100).then(() => order.push(1));
  const high = sync.waitFor(2, 100).then(() => order.push(2));
  await flush();
  expect(order).toEqual([]);
  void sync.waitFor(3, 150); // both may go now: the higher priority first
  await Promise.all([low, high]);
  expect(order).toEqual([2, 1]);
});

test('a higher-priority topic with nothing waiting does not hold the others back', async () => {
  const sync = new PrioritizedSequentialInTopicSynchronizer();
  sync.setPriority(2, 5);
  await expect(sync.waitFor(2, 100)).resolves.toBe(true);
  await expect(sync.waitFor(1, 100)).resolves.toBe(true);
});

test('a read that times out while held back keeps the payload', async () => {
  const sync = new SequentialInTopicSynchronizer();
  const subscriber = net.connect();
  const [ta, tb] = [new SynchronizedInTopic<Payload>(subscriber, 200_020, sync), new SynchronizedInTopic<Payload>(subscriber, 200_021, sync)];
  const [oa, ob] = await publishers(net.connect(), [200_020, 200_021]);
  await Promise.all([oa!.waitRequested(), ob!.waitRequested()]);
  await ob!.send({ timestamp: 5, topic: 200_021 });
  expect(await tb.recvData({ timeout: 1000 })).toEqual({ timestamp: 5, topic: 200_021 });
  await oa!.send({ timestamp: 10, topic: 200_020 });
  // b is active at 5: a's payload at 10 waits for b.
  await expect(ta.recvData({ timeout: 30 })).rejects.toMatchObject({ code: 'ERR_TIMEOUT' });
  await ob!.send({ timestamp: 20, topic: 200_021 });
  const bNext = tb.recvData({ timeout: 1000 });
  expect(await ta.recvData({ timeout: 1000 })).toEqual({ timestamp: 10, topic: 200_020 });
  // A closed topic leaves the order: b no longer waits for a.
  ta.close();
  await expect(bNext).resolves.toEqual({ timestamp: 20, topic: 200_021 });
  tb.close();
});
