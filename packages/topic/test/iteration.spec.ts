// Async iteration over an InTopic: payloads in order whether they were
// queued or arrive while the iteration waits, control states and payloads
// that cannot be decoded skipped, the end on close (also of a waiting
// iteration), return() and next() calls that overlap.
import { RawData } from '@streamtasks/link';
import { InTopic, OutTopic } from '@streamtasks/topic';
import { createNetwork } from '@streamtasks/testing';

let net: ReturnType<typeof createNetwork>;
beforeEach(() => (net = createNetwork()));
afterEach(() => net.close());

async function pair(topic: number) {
  const out = new OutTopic(net.connect(), topic);
  const sub = new InTopic<{ value: number }>(net.connect(), topic);
  await out.waitRequested(true, { timeout: 2000 });
  return { out, sub };
}

test('payloads queued before and arriving during the iteration come in order; control states are skipped', async () => {
  const { out, sub } = await pair(200_000);
  await out.send({ value: 0 });
  out.setPaused(true);
  await out.send({ value: 1 });
  const it = sub[Symbol.asyncIterator]();
  expect(await it.next()).toEqual({ value: { value: 0 }, done: false });
  expect(await it.next()).toEqual({ value: { value: 1 }, done: false });
  // Nothing queued: the next payload wakes the waiting next(), the control state before it does not.
  const waiting = it.next();
  out.setPaused(false);
  await out.send({ value: 2 });
  expect(await waiting).toEqual({ value: { value: 2 }, done: false });
  expect(sub.paused).toBe(false);
});

test('an undecodable payload is reported and skipped, queued or awaited', async () => {
  const publisher = net.connect();
  const sub = new InTopic<number>(net.connect(), 200_001);
  publisher.registerOutTopics([200_001]);
  await new Promise<void>((resolve) => publisher.listenTopic(200_001, { requested: (r) => r && resolve() }));
  const errors: Error[] = [];
  sub.events.on('error', (e) => errors.push(e));
  const bad = RawData.fromBytes(Uint8Array.of(0xc1));
  publisher.sendStreamData(200_001, bad);
  publisher.sendStreamData(200_001, 1);
  const it = sub[Symbol.asyncIterator]();
  expect(await it.next()).toEqual({ value: 1, done: false });
  const waiting = it.next();
  publisher.sendStreamData(200_001, bad);
  publisher.sendStreamData(200_001, 2);
  expect(await waiting).toEqual({ value: 2, done: false });
  expect(errors).toHaveLength(2);
});

test('closing the topic ends a waiting iteration, and every later next()', async () => {
  const { sub } = await pair(200_002);
  const it = sub[Symbol.asyncIterator]();
  const waiting = it.next();
  sub.close();
  expect(await waiting).toEqual({ value: undefined, done: true });
  expect(await it.next()).toEqual({ value: undefined, done: true });
});

test('next() calls that overlap get the payloads in order', async () => {
  const { out, sub } = await pair(200_003);
  const it = sub[Symbol.asyncIterator]();
  const a = it.next();
  const b = it.next();
  await out.send({ value: 1 });
  await out.send({ value: 2 });
  expect(await a).toEqual({ value: { value: 1 }, done: false });
  expect(await b).toEqual({ value: { value: 2 }, done: false });
});

test('return() (a break) ends the iteration and releases the topic: it is unregistered and closed', async () => {
  const { out, sub } = await pair(200_004);
  const it = sub[Symbol.asyncIterator]();
  const waiting = it.next();
  expect(await it.return!()).toEqual({ value: undefined, done: true });
  expect(await waiting).toEqual({ value: undefined, done: true });
  expect(await it.next()).toEqual({ value: undefined, done: true });
  expect(sub.isClosed).toBe(true);
  expect(sub.registered).toBe(false);
  await out.waitRequested(false, { timeout: 2000 }); // the request was withdrawn on the network

  const again = new InTopic<{ value: number }>(net.connect(), 200_005);
  const out2 = new OutTopic(net.connect(), 200_005);
  await out2.waitRequested(true, { timeout: 2000 });
  await out2.send({ value: 7 });
  for await (const data of again) {
    expect(data.value).toBe(7);
    break;
  }
  expect(again.isClosed).toBe(true);
  await out2.waitRequested(false, { timeout: 2000 });
});
