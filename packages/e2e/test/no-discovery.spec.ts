// A network without a discovery service says so, over real TCP on
// 127.0.0.1: against a node without --core, every discovery call of a
// program fails with NoDiscoveryError once the client's route grace period
// is over, and the commands that need an address or a name print one line
// and exit with 5, however long their --timeout.
import { Client, DEFAULT_ROUTE_GRACE, NoDiscoveryError } from '@streamtasks/client';
import { openClient } from '@streamtasks/connect';
import { registerTopicSpace, requestAddress, resolveAddressName, waitForAddressName, waitForDiscovery } from '@streamtasks/discovery';
import { connect } from '@streamtasks/transports';
import { startNode, type StreamtasksNode } from '@streamtasks/cli';
import { run, startNodeProcess, type CliProcess } from './process.js';

/** Exit code 5: nothing on the network can answer (packages/cli README). */
const UNREACHABLE = 5;
const MINUTE = { timeout: 60_000 };

let node: StreamtasksNode | undefined;
let nodeProcess: CliProcess | undefined;
const clients: Client[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await node?.close();
  node = undefined;
  await nodeProcess?.kill();
  nodeProcess = undefined;
});

test('a program on a node without discovery gets NoDiscoveryError from every discovery call, not a timeout', async () => {
  node = await startNode({ serve: ['tcp://127.0.0.1:0'], nodeSocket: false });
  const url = node.urls[0]!;
  // Connecting for an address asks discovery by signal: the client has no address to be answered at by fetch.
  const failure = await openClient(url, { address: true, timeout: 60_000 }).catch((e: unknown) => e);
  expect(failure).toBeInstanceOf(NoDiscoveryError);
  expect(failure).toMatchObject({ code: 'ERR_NO_DISCOVERY', waited: DEFAULT_ROUTE_GRACE });
  const reconnecting = await openClient(url, { address: true, reconnect: true, timeout: 60_000 }).catch((e: unknown) => e);
  expect(reconnecting).toBeInstanceOf(NoDiscoveryError);

  const client = new Client(await connect(url, { timeout: 10_000 })).start();
  clients.push(client);
  await expect(requestAddress(client, MINUTE)).rejects.toBeInstanceOf(NoDiscoveryError);
  await expect(waitForDiscovery(client, MINUTE)).rejects.toBeInstanceOf(NoDiscoveryError);
  client.setAddress(20_000);
  await expect(resolveAddressName(client, 'echo', MINUTE)).rejects.toBeInstanceOf(NoDiscoveryError);
  await expect(waitForAddressName(client, 'echo', MINUTE)).rejects.toBeInstanceOf(NoDiscoveryError);
  await expect(registerTopicSpace(client, [1], MINUTE)).rejects.toBeInstanceOf(NoDiscoveryError);
  await expect(requestAddress(client, MINUTE)).rejects.toBeInstanceOf(NoDiscoveryError);
});

test.each([
  ['request', ['echo-service', 'echo', '1']],
  ['request', ['10000:100', 'echo', '1']],
  ['resolve', ['echo-service']],
  ['signal', ['echo-service', 'stop']],
  ['reply', ['--name', 'echo-service', 'echo']],
  ['names', []],
])('%s %j against a node without --core: one line and exit code 5, not the timeout', async (command, args) => {
  const started = await startNodeProcess(['--serve', 'tcp://127.0.0.1:0', '--no-node-socket']);
  nodeProcess = started.node;
  const result = await run([command, '--url', started.url, '--timeout', '60', ...args]);
  expect(result.code).toBe(UNREACHABLE); // 3 would be the timeout
  expect(result.stderr).toHaveLength(1);
  expect(result.stderr[0]).toMatch(/^error: no discovery service on the network: nothing announced address 0 or the lighthouse topic 0 within 500 ms/);
  expect(result.stderr[0]).toContain('--core');
  expect(result.stdout).toEqual([]);
});

test('with discovery on the node, the same commands work (the verdict is not given too soon)', async () => {
  const started = await startNodeProcess(['--core', '--serve', 'tcp://127.0.0.1:0', '--no-node-socket']);
  nodeProcess = started.node;
  const result = await run(['resolve', '--url', started.url, '--timeout', '60', 'echo-service']);
  expect(result.code).toBe(2);
  expect(result.stderr).toEqual(['error: address name "echo-service" is not registered']);
});
