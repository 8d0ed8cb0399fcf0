// A network without a discovery service says so: every discovery call
// fails with NoDiscoveryError once the client's route grace period is over
// and its link has heard of neither address 0 nor the lighthouse topic 0,
// instead of waiting out its timeout.
import { MessageType, StreamtasksError, Switch, createQueueLinkPair, type Message } from '@streamtasks/link';
import { Client, NoDiscoveryError, NoRouteError, type ClientOptions } from '@streamtasks/client';
import {
  getTopicSpace,
  listAddressNames,
  registerAddressName,
  registerTopicSpace,
  requestAddress,
  requestTopicIds,
  resolveAddressName,
  trackAddressNames,
  unregisterAddressName,
  waitForAddressName,
  waitForDiscovery,
  discoveryNames,
  DiscoveryService,
} from '@streamtasks/discovery';
import { eventually } from '@streamtasks/testing';

const LONG = { timeout: 60_000 };
const GRACE = 50;

const switches: Switch[] = [];
const clients: Client[] = [];
afterEach(() => {
  for (const c of clients.splice(0)) c.close();
  for (const s of switches.splice(0)) s.close();
});

/** A switch with nothing on it but the client returned (and whatever the test adds). */
function lonelyClient(options: ClientOptions = {}): { hub: Switch; client: Client } {
  const hub = new Switch();
  switches.push(hub);
  const [a, b] = createQueueLinkPair({ serialize: true });
  hub.addLink(a);
  const client = new Client(b, { nameResolver: discoveryNames, routeGrace: GRACE, ...options }).start();
  clients.push(client);
  return { hub, client };
}

function recordSent(client: Client): Message[] {
  const sent: Message[] = [];
  const send = client.link.send.bind(client.link);
  client.link.send = (m: Message) => {
    sent.push(m);
    return send(m);
  };
  return sent;
}

test('every discovery call fails with NoDiscoveryError after the route grace period, not after its timeout', async () => {
  const { client } = lonelyClient();
  client.setAddress(20_000);
  const calls: Array<[string, () => Promise<unknown>]> = [
    ['requestAddress (fetch)', () => requestAddress(client, LONG)],
    ['requestTopicIds', () => requestTopicIds(client, 1, LONG)],
    ['resolveAddressName', () => resolveAddressName(client, 'echo', LONG)],
    ['client.resolveAddressName', () => client.resolveAddressName('echo', LONG)],
    ['a fetch by name', () => client.fetch('echo', 'ping', null, LONG)],
    ['registerAddressName', () => registerAddressName(client, 'echo', undefined, LONG)],
    ['unregisterAddressName', () => unregisterAddressName(client, 'echo', LONG)],
    ['registerTopicSpace', () => registerTopicSpace(client, [1, 2], LONG)],
    ['getTopicSpace', () => getTopicSpace(client, 1, LONG)],
    ['waitForAddressName', () => waitForAddressName(client, 'echo', LONG)],
    ['trackAddressNames', () => trackAddressNames(client, LONG)],
    ['listAddressNames', () => listAddressNames(client, LONG)],
    ['waitForDiscovery', () => waitForDiscovery(client, LONG)],
  ];
  const outcomes = await Promise.all(calls.map(async ([what, call]) => [what, await call().then(() => 'resolved', (e: unknown) => e)] as const));
  for (const [what, outcome] of outcomes) {
    expect([what, outcome]).toEqual([what, expect.any(NoDiscoveryError)]);
    expect(outcome).toMatchObject({ name: 'NoDiscoveryError', code: 'ERR_NO_DISCOVERY', waited: GRACE });
    expect(outcome).toBeInstanceOf(StreamtasksError);
    expect((outcome as Error).message).toMatch(/^no discovery service on the network: nothing announced address 0 or the lighthouse topic 0 within 50 ms/);
  }
  // A fetch's verdict keeps the route wait that led to it as its cause.
  expect((outcomes[0]![1] as Error).cause).toBeInstanceOf(NoRouteError);
  // Nothing waits on: every topic registered for a wait is released.
  expect(client.isInTopicRegistered(0)).toBe(false);
});

test('Known fault 6: without discovery an address request by signal fails with NoDiscoveryError after the grace period, sending nothing', async () => {
  const { client } = lonelyClient();
  const sent = recordSent(client);
  const started = Date.now();
  const failure = await requestAddress(client, LONG).catch((e: unknown) => e);
  expect(failure).toBeInstanceOf(NoDiscoveryError);
  expect(Date.now() - started).toBeLessThan(30_000); // the grace period, not the minute of the timeout
  expect(sent.filter((m) => m.type === MessageType.Addressed)).toEqual([]);
  expect(client.isInTopicRegistered(1)).toBe(false);
  expect(client.address).toBeUndefined();
});

test('a discovery that comes up during the grace period is used', async () => {
  const { hub, client } = lonelyClient({ routeGrace: 30_000 });
  const pending = requestAddress(client, LONG);
  const lighthouse = waitForDiscovery(client, LONG);
  await new Promise((resolve) => setImmediate(resolve));
  const [switchSide, serviceSide] = createQueueLinkPair({ serialize: true });
  hub.addLink(switchSide);
  const discovery = new DiscoveryService(serviceSide).start();
  try {
    await expect(pending).resolves.toBe(10_000);
    await expect(lighthouse).resolves.toBeUndefined();
    await expect(resolveAddressName(client, 'nobody', LONG)).resolves.toBeUndefined();
  } finally {
    discovery.close();
  }
});

test('a discovery that went away is missed the same way', async () => {
  const { hub, client } = lonelyClient();
  const [switchSide, serviceSide] = createQueueLinkPair({ serialize: true });
  hub.addLink(switchSide);
  const discovery = new DiscoveryService(serviceSide).start();
  await expect(requestAddress(client, LONG)).resolves.toBe(10_000);
  discovery.close();
  await eventually(() => !client.link.addresses.has(0) && client.topicCost(0) === undefined);
  await expect(resolveAddressName(client, 'echo', LONG)).rejects.toBeInstanceOf(NoDiscoveryError);
  await expect(requestTopicIds(client, 1, LONG)).rejects.toBeInstanceOf(NoDiscoveryError);
});

describe('with fake timers', () => {
  beforeEach(() => {
    jest.useFakeTimers({ doNotFake: ['queueMicrotask', 'nextTick', 'setImmediate'] });
  });
  afterEach(() => {
    jest.useRealTimers();
  });

  test.each([
    ['an address request by signal', (client: Client) => requestAddress(client, LONG)],
    ['the lighthouse wait', (client: Client) => waitForDiscovery(client, LONG)],
    ['a name resolution', (client: Client) => {
      client.setAddress(20_000);
      return resolveAddressName(client, 'echo', LONG);
    }],
  ])('%s says "no discovery" exactly when the grace period ends', async (_what, call) => {
    const { client } = lonelyClient({ routeGrace: 300 });
    let settled = false;
    const outcome = call(client).catch((e: unknown) => e).finally(() => (settled = true));
    await jest.advanceTimersByTimeAsync(299);
    expect(settled).toBe(false);
    await jest.advanceTimersByTimeAsync(1);
    expect(await outcome).toMatchObject({ name: 'NoDiscoveryError', waited: 300 });
  });

  test('a timeout shorter than the grace period ends the wait as a TimeoutError', async () => {
    const { client } = lonelyClient({ routeGrace: 300 });
    const outcome = requestAddress(client, { timeout: 100 }).catch((e: unknown) => e);
    await jest.advanceTimersByTimeAsync(100);
    expect(await outcome).toMatchObject({ name: 'TimeoutError' });
  });
});
