// OutTopic and InTopic between two clients through a switch: requested and
// paused state propagate, data arrives in order (also by async iteration),
// costs are tracked, and closing or stopping ends everything cleanly.
import { RawData } from '@streamtasks/link';
import { ClientStoppedError } from '@streamtasks/client';
import { InTopic, OutTopic, TopicClosedError, TopicControlData, inTopic, outTopic } from '@streamtasks/topic';
import { createNetwork } from '@streamtasks/testing';

let net: ReturnType<typeof createNetwork>;
beforeEach(() => (net = createNetwork()));
afterEach(() => net.close());

test('requested follows subscribers; data and control arrive in order', async () => {
  const out = outTopic(net.connect(), 100_000);
  expect(out.registered).toBe(true);
  expect(out.requested).toBe(false);
  const sub = inTopic(net.connect(), 100_000);
  await out.waitRequested(true, { timeout: 2000 });

  out.setPaused(true);
  await out.send({ timestamp: 1, value: 'a' });
  out.setPaused(true); // unchanged: nothing sent
  out.setPaused(false);
  const items = [];
  for (let i = 0; i < 3; i++) items.push(await sub.recvDataControl({ timeout: 2000 }));
  expect(items).toEqual([new TopicControlData(true), { timestamp: 1, value: 'a' }, new TopicControlData(false)]);
  expect(sub.paused).toBe(false);

  sub.close();
  await out.waitRequested(false, { timeout: 2000 });
  expect(out.requested).toBe(false);
});

test('paused reaches late joiners once, and waitPaused resolves', async () => {
  const out = outTopic(net.connect(), 100_001);
  out.setPaused(true);
  const first = inTopic(net.connect(), 100_001);
  await out.waitRequested(true, { timeout: 2000 });
  await first.waitPaused(true, { timeout: 2000 });

  const late = inTopic(net.connect(), 100_001);
  await late.waitPaused(true, { timeout: 2000 });
  await out.send({ timestamp: 2 });
  expect(await late.recvDataControl({ timeout: 2000 })).toEqual(new TopicControlData(true));
  expect(await late.recvDataControl({ timeout: 2000 })).toEqual({ timestamp: 2 });
  expect(late.queued).toBe(0); // the control state came once

  out.setPaused(false);
  await late.waitPaused(false, { timeout: 2000 });
});

test('async iteration yields payloads and ends when the topic closes', async () => {
  const out = outTopic(net.connect(), 100_002);
  const sub = new InTopic<{ value: number }>(net.connect(), 100_002);
  await out.waitRequested(true, { timeout: 2000 });
  for (let i = 0; i < 100; i++) await out.send({ value: i });
  const seen: number[] = [];
  for await (const data of sub) {
    seen.push(data.value);
    if (seen.length === 100) sub.close();
  }
  expect(seen).toEqual(Array.from({ length: 100 }, (_, i) => i));
  sub.close(); // twice is fine
  await expect(sub.recvData()).rejects.toBeInstanceOf(TopicClosedError);
});

test('cost is the provider cost and follows the provider', async () => {
  const provider = net.connect();
  const sub = inTopic(net.connect(), 100_003);
  expect(sub.cost).toBeUndefined();
  const costs: Array<number | undefined> = [];
  const changed = new Promise<void>((resolve) => sub.events.on('cost', (c) => (costs.push(c), costs.length === 2 && resolve())));
  const out = outTopic(provider, 100_003);
  await out.waitRequested(true, { timeout: 2000 });
  out.close();
  await changed;
  expect(costs).toEqual([2, undefined]);
  expect(sub.cost).toBeUndefined();
});

test('stopping the client ends reads and waits with ClientStoppedError', async () => {
  const client = net.connect();
  const sub = inTopic(client, 100_004);
  const out = new OutTopic(client, 100_005);
  const read = sub.recvData({ timeout: 5000 });
  const wait = out.waitRequested(true, { timeout: 5000 });
  client.stop();
  await expect(read).rejects.toBeInstanceOf(ClientStoppedError);
  await expect(wait).rejects.toBeInstanceOf(ClientStoppedError);
});

test('send on a closed link or with a payload that cannot be encoded rejects, it never throws', async () => {
  const client = net.connect();
  const out = new OutTopic(client, 100_007);
  const circular: Record<string, unknown> = {};
  circular.self = circular;
  const unencodable = out.send(circular);
  await expect(unencodable).rejects.toMatchObject({ code: 'ERR_ENCODE' });
  client.link.close();
  const closed = out.send('late');
  await expect(closed).rejects.toMatchObject({ code: 'ERR_CONNECTION_CLOSED' });
});

test('a reader that falls behind loses the oldest items, counted', async () => {
  const out = outTopic(net.connect(), 100_006);
  const sub = inTopic(net.connect(), 100_006, { maxQueued: 10 });
  const drops: number[] = [];
  sub.events.on('slow-consumer', (n) => drops.push(n));
  await out.waitRequested(true, { timeout: 2000 });
  for (let i = 0; i < 25; i++) await out.send(i);
  await new Promise<void>((resolve) => sub.events.on('slow-consumer', (n) => n === 15 && resolve()));
  expect(sub.dropped).toBe(15);
  expect(await sub.recvData({ timeout: 1000 })).toBe(15);
  expect(drops.at(-1)).toBe(15);
});

test('an undecodable payload is reported and skipped', async () => {
  const provider = net.connect();
  const out = outTopic(provider, 100_007);
  const sub = inTopic(net.connect(), 100_007);
  const errors: Error[] = [];
  sub.events.on('error', (e) => errors.push(e));
  await out.waitRequested(true, { timeout: 2000 });
  await out.send(RawData.fromBytes(Uint8Array.of(0x92, 0x01)));
  await out.send('fine');
  expect(await sub.recvData({ timeout: 1000 })).toBe('fine');
  expect(errors.map((e) => e.name)).toEqual(['DecodeError']);
});

test('await using releases registrations', async () => {
  const client = net.connect();
  {
    await using out = outTopic(client, 100_008);
    await using sub = inTopic(client, 100_009);
    expect(client.isOutTopicRegistered(100_008)).toBe(true);
    expect(client.isInTopicRegistered(100_009)).toBe(true);
    void out;
    void sub;
  }
  expect(client.isOutTopicRegistered(100_008)).toBe(false);
  expect(client.isInTopicRegistered(100_009)).toBe(false);
});
