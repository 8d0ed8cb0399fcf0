// A client that joins the network only through NATS learns that no
// discovery runs as fast as one over TCP: once its route grace period is
// over (not its timeout), every discovery call fails with NoDiscoveryError,
// and the commands that need an address or a name exit with 5. With
// discovery on a node of the network, the same calls work.
import { Client, DEFAULT_ROUTE_GRACE, NoDiscoveryError } from '@streamtasks/client';
import { openClient, startNode, type StreamtasksNode } from '@streamtasks/cli';
import { registerTopicSpace, requestAddress, resolveAddressName, waitForAddressName, waitForDiscovery } from '@streamtasks/discovery';
import { connectNats } from '@streamtasks/nats';
import { startNatsServer, type NatsServer } from '@streamtasks/testing';
import { run } from './process.js';

/** Exit code 5: nothing on the network can answer (packages/cli README). */
const UNREACHABLE = 5;
/** Far beyond the route grace and the test's own limit: a call that waited it out fails the test by its type. */
const LONG = { timeout: 60_000 };

let server: NatsServer;
let network = 0;
const nodes: StreamtasksNode[] = [];
const clients: Client[] = [];
beforeAll(async () => {
  server = await startNatsServer();
});
afterAll(async () => {
  await server?.kill();
});
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await Promise.all(nodes.splice(0).map((n) => n.close()));
});

/** A fresh network on the server for each test: nothing of another test is on it. */
function freshUrl(): string {
  return `${server.url}?network=nodisc${process.pid}x${network++}`;
}

/** Starts an in-process node attached to `url` (resolves once the network answered its link). */
async function startNatsNode(url: string, core: boolean): Promise<StreamtasksNode> {
  const node = await startNode({ core, nodeSocket: false });
  nodes.push(node);
  node.switch.addLink(await connectNats(url));
  return node;
}

test.each([
  ['alone on the network', false],
  ['with a node without --core on the network', true],
])('a client over NATS %s gets NoDiscoveryError from every discovery call, not a timeout', async (_what, withNode) => {
  const url = freshUrl();
  if (withNode) await startNatsNode(url, false);

  // Connecting for an address asks discovery by signal: the client has no address to be answered at by fetch.
  const failure = await openClient(url, { address: true, ...LONG }).catch((e: unknown) => e);
  expect(failure).toBeInstanceOf(NoDiscoveryError);
  expect(failure).toMatchObject({ code: 'ERR_NO_DISCOVERY', waited: DEFAULT_ROUTE_GRACE });

  const client = new Client(await connectNats(url)).start();
  clients.push(client);
  await expect(requestAddress(client, LONG)).rejects.toBeInstanceOf(NoDiscoveryError);
  await expect(waitForDiscovery(client, LONG)).rejects.toBeInstanceOf(NoDiscoveryError);
  client.setAddress(20_000);
  await expect(resolveAddressName(client, 'echo', LONG)).rejects.toBeInstanceOf(NoDiscoveryError);
  await expect(waitForAddressName(client, 'echo', LONG)).rejects.toBeInstanceOf(NoDiscoveryError);
  await expect(registerTopicSpace(client, [1], LONG)).rejects.toBeInstanceOf(NoDiscoveryError);
  await expect(requestAddress(client, LONG)).rejects.toBeInstanceOf(NoDiscoveryError);
}, 30_000);

test('a command with --url nats://… on a network without discovery prints one line and exits with 5, not the timeout', async () => {
  const url = freshUrl();
  const result = await run(['resolve', '--url', url, '--timeout', '60', 'echo-service']);
  expect(result.code).toBe(UNREACHABLE); // 3 would be the timeout
  expect(result.stderr).toHaveLength(1);
  expect(result.stderr[0]).toMatch(/^error: no discovery service on the network: nothing announced address 0 or the lighthouse topic 0 within 500 ms/);
  expect(result.stdout).toEqual([]);
}, 40_000);

test('with discovery on a node of the network, a client over NATS gets its address and answers (the verdict is not given too soon)', async () => {
  const url = freshUrl();
  await startNatsNode(url, true);
  const client = await openClient(url, { address: true, ...LONG });
  clients.push(client);
  expect(client.address).toBeGreaterThanOrEqual(10_000);
  await waitForDiscovery(client, LONG);
  await expect(resolveAddressName(client, 'echo', LONG)).resolves.toBeUndefined(); // discovery answered: no such name

  // A client that joins and asks at once: discovery's routes arrive with the network's answer.
  const fresh = new Client(await connectNats(url)).start();
  clients.push(fresh);
  const [address] = [await requestAddress(fresh, LONG)];
  expect(address).toBeGreaterThanOrEqual(10_000);
}, 30_000);
