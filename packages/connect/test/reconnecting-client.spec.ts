// A reconnecting client against an in-process node over real TCP on
// 127.0.0.1: the node's server goes away (its connections with it) and a
// fresh node listens again on the same port.
import { ConnectionClosedError, Switch, addLocalLink, type Id } from '@streamtasks/link';
import { createLocalClient, type Client } from '@streamtasks/client';
import { DiscoveryService, registerAddressName, resolveAddressName, unregisterAddressName } from '@streamtasks/discovery';
import { createServer, type ConnectionStatus, type TransportServer } from '@streamtasks/transports';
import { deferred, nextEvent } from '@streamtasks/testing';
import { openClient, type ReconnectingClient } from '@streamtasks/connect';

const TOPIC = 100_500;
const PORT = 7000;

/** A node in this process: a switch with discovery, served over TCP. */
interface Node {
  readonly hub: Switch;
  readonly server: TransportServer;
  readonly url: string;
  /** A started client on the node (closed with it). */
  client(): Client;
  stop(): Promise<void>;
}

async function startNode(url = 'tcp://127.0.0.1:0'): Promise<Node> {
  const hub = new Switch();
  const discovery = new DiscoveryService(addLocalLink(hub)).start();
  const server = await createServer(url, { switch: hub });
  const clients: Client[] = [];
  return {
    hub,
    server,
    url: server.url,
    client() {
      const c = createLocalClient(hub);
      clients.push(c);
      return c;
    },
    async stop() {
      await server.close();
      for (const c of clients) c.close();
      discovery.close();
      hub.close();
    },
  };
}

/** Collects the statuses of a client, and resolves waits for the next one of a type. */
function watchStatus(client: ReconnectingClient) {
  const seen: ConnectionStatus['type'][] = [];
  const waiters: Array<{ type: ConnectionStatus['type']; resolve: (s: ConnectionStatus) => void }> = [];
  const done = (async () => {
    for await (const status of client.status()) {
      seen.push(status.type);
      for (const w of waiters.filter((w) => w.type === status.type)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(status);
      }
    }
  })();
  return {
    seen,
    done,
    next<T extends ConnectionStatus['type']>(type: T): Promise<Extract<ConnectionStatus, { type: T }>> {
      return new Promise((resolve) => waiters.push({ type, resolve: resolve as (s: ConnectionStatus) => void }));
    },
  };
}

let nodes: Node[] = [];
let client: ReconnectingClient | undefined;
afterEach(async () => {
  await client?.[Symbol.asyncDispose]();
  client = undefined;
  for (const n of nodes) await n.stop();
  nodes = [];
});

async function node(url?: string): Promise<Node> {
  const n = await startNode(url);
  nodes.push(n);
  return n;
}

test('after the node comes back on the same port: address, subscription, routes to its address and its name are back; statuses in order', async () => {
  const first = await node();
  client = await openClient(first.url, { address: true, reconnect: { delay: 10, maxDelay: 50 }, timeout: 5000 });
  const status = watchStatus(client);
  const address = client.address!;
  await registerAddressName(client, 'svc', undefined, { timeout: 5000 });
  expect(client.registeredNames).toEqual(['svc']);
  const received: unknown[] = [];
  const dataSeen: Array<() => void> = [];
  client.subscribe(TOPIC, { data: (d) => (received.push(d.value), dataSeen.shift()?.()) });
  const portMessages: unknown[] = [];
  client.listenPort(PORT, (m) => portMessages.push(m.data.value));

  const disconnected = status.next('disconnect');
  await first.stop();
  nodes = [];
  await disconnected;
  expect(client.isConnected).toBe(false);
  expect(client.isRunning).toBe(true);
  expect(client.link.isClosed).toBe(false);

  const reconnected = status.next('reconnect');
  const second = await node(first.url);
  await reconnected;
  expect(client.isConnected).toBe(true);
  expect(client.address).toBe(address);

  // The name was registered again with the fresh discovery.
  const peer = second.client();
  peer.setAddress(30_000); // the fresh discovery would hand out the client's address again
  expect(await resolveAddressName(peer, 'svc', { timeout: 5000 })).toBe(address);

  // The route to the client's address: an addressed message arrives.
  peer.sendToAddress(address, PORT, { hello: 1 });
  while (portMessages.length === 0) await nextEvent((l) => client!.addReceiver(l));
  expect(portMessages).toEqual([{ hello: 1 }]);

  // The subscription reached the new node: a provider there is asked for the topic.
  const requested = deferred();
  peer.listenTopic(TOPIC, { requested: (r) => r && requested.resolve() });
  peer.registerOutTopics([TOPIC]);
  await requested.promise;
  const arrived = new Promise<void>((resolve) => dataSeen.push(resolve));
  peer.sendToTopic(TOPIC, { n: 1 });
  await arrived;
  expect(received).toEqual([{ n: 1 }]);

  await client[Symbol.asyncDispose]();
  await status.done;
  expect(status.seen[0]).toBe('disconnect');
  expect(status.seen.slice(1, -2).every((s) => s === 'reconnecting')).toBe(true);
  expect(status.seen.slice(1, -2).length).toBeGreaterThanOrEqual(1);
  expect(status.seen.slice(-2)).toEqual(['reconnect', 'close']);
  expect(client.link.isClosed).toBe(true);
});

test('a fetch in flight rejects at once with ConnectionClosedError when the connection drops; fetches and publishes while down are refused', async () => {
  const first = await node();
  client = await openClient(first.url, { address: true, reconnect: { delay: 60_000 }, timeout: 5000 });
  const silent = first.client();
  silent.setAddress(20_000);
  const asked = deferred();
  silent.listenPort(100, () => asked.resolve());
  while (!client.link.addresses.has(20_000)) await nextEvent((l) => client!.addReceiver(l));
  const fetching = client.fetch(20_000, 'never-answered', {}, { timeout: 60_000 });
  const outcome = fetching.then(() => undefined, (err: unknown) => err);
  await asked.promise;

  const disconnected = nextEvent<[ConnectionStatus]>((l) => client!.connection.events.on('status', l));
  await first.stop();
  nodes = [];
  const [s] = await disconnected;
  expect(s.type).toBe('disconnect');
  const error = await outcome;
  expect(error).toBeInstanceOf(ConnectionClosedError);
  expect((error as Error).message).toMatch(/^the connection to tcp:\/\/127\.0\.0\.1:\d+ dropped/);

  await expect(client.fetch(20_000, 'x', {})).rejects.toThrow(/cannot fetch "x": not connected to tcp:\/\/127\.0\.0\.1:\d+ \(reconnecting\)/);
  expect(() => client!.sendToTopic(TOPIC, 1)).toThrow(ConnectionClosedError);
  expect(() => client!.sendToAddress(20_000, 5, 1)).toThrow(ConnectionClosedError);
  // Registrations are kept meanwhile.
  client.registerInTopics([TOPIC]);
  expect(client.isInTopicRegistered(TOPIC)).toBe(true);
});

test('gives up after maxAttempts failed attempts: close status with the reason, the client closed', async () => {
  const first = await node();
  client = await openClient(first.url, { address: true, reconnect: { delay: 5, maxDelay: 5, maxAttempts: 3 }, timeout: 5000 });
  const status = watchStatus(client);
  const closed = client.closed;
  const disconnected = status.next('disconnect');
  await first.stop();
  nodes = [];
  await disconnected;
  const lostWait = client.waitConnected();
  const final = await status.next('close');
  expect(final.error).toBeInstanceOf(ConnectionClosedError);
  expect(final.error!.message).toMatch(/^gave up connecting after 3 failed attempt\(s\)/);
  expect(await closed).toBe(final.error);
  expect(client.isRunning).toBe(false);
  await expect(client.fetch(1, 'x', {})).rejects.toBeInstanceOf(ConnectionClosedError);
  await status.done;
  expect(status.seen).toEqual(['disconnect', 'reconnecting', 'reconnecting', 'reconnecting', 'close']);
  await expect(lostWait).rejects.toBe(final.error);
});

test('gives up after maxDowntime', async () => {
  const first = await node();
  client = await openClient(first.url, { reconnect: { delay: 5, maxDelay: 20, maxDowntime: 100 }, timeout: 5000 });
  const status = watchStatus(client);
  await first.stop();
  nodes = [];
  const final = await status.next('close');
  expect(final.error!.message).toMatch(/^gave up connecting after \d+ failed attempt\(s\) in \d+ ms/);
  await status.done;
});

test('an unregistered name is not restored; close() ends the status stream with close and no error', async () => {
  const first = await node();
  client = await openClient(first.url, { address: true, reconnect: { delay: 10 }, timeout: 5000 });
  await registerAddressName(client, 'kept', undefined, { timeout: 5000 });
  await registerAddressName(client, 'dropped', undefined, { timeout: 5000 });
  await unregisterAddressName(client, 'dropped', { timeout: 5000 });
  expect(client.registeredNames).toEqual(['kept']);
  const status = watchStatus(client);
  await first.stop();
  nodes = [];
  const reconnected = status.next('reconnect');
  const second = await node(first.url);
  await reconnected;
  const peer = second.client();
  peer.setAddress(30_000); // the fresh discovery would hand out the client's address again
  const names = await Promise.all(['kept', 'dropped'].map((n) => resolveAddressName(peer, n, { timeout: 5000 })));
  expect(names).toEqual([client.address as Id, undefined]);

  const closing = status.next('close');
  client.close();
  expect((await closing).error).toBeUndefined();
  await client.connection.close();
  await status.done;
  expect(status.seen.at(-1)).toBe('close');
});
