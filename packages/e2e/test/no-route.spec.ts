// Fail fast where the answer is known: a fetch or signal to an address that
// the client's link does not reach fails with NoRouteError after the short
// route grace period instead of waiting out its timeout, and a route
// announced during the grace period is used. Over real TCP, through a node.
import { Client, DEFAULT_ROUTE_GRACE, NoRouteError } from '@streamtasks/client';
import { FetchServer } from '@streamtasks/fetch';
import { sendSignal } from '@streamtasks/signal';
import { connect } from '@streamtasks/transports';
import { startNode, openClient, type StreamtasksNode } from '@streamtasks/cli';

const LONG = { timeout: 60_000 };

let node: StreamtasksNode;
const clients: Client[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await node?.close();
});

async function tcpClient(options?: ConstructorParameters<typeof Client>[1]): Promise<Client> {
  const client = new Client(await connect(node.urls[0]!, { timeout: 5000 }), options).start();
  clients.push(client);
  return client;
}

test('a fetch or signal to an address no one announces fails with NoRouteError, long before its timeout', async () => {
  node = await startNode({ core: true, serve: ['tcp://127.0.0.1:0'] });
  const client = await openClient(node.urls[0]!, { address: true, timeout: 10_000 });
  clients.push(client);
  const started = Date.now();
  const err = await client.fetch(10_999, 'anything', null, LONG).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(NoRouteError);
  expect(err).toMatchObject({ name: 'NoRouteError', code: 'ERR_NO_ROUTE', address: 10_999 });
  expect(Date.now() - started).toBeLessThan(30_000); // the grace period, not the minute of the timeout
  await expect(sendSignal(client, 10_999, 'ping', null, LONG)).rejects.toBeInstanceOf(NoRouteError);
  await expect(client.sendTo([10_999, 200], 'x', LONG)).rejects.toMatchObject({ code: 'ERR_NO_ROUTE' });
  expect(DEFAULT_ROUTE_GRACE).toBe(500);
});

test('a route announced during the grace period is not missed', async () => {
  node = await startNode({ core: true, serve: ['tcp://127.0.0.1:0'] });
  // A grace period far above what an announcement over TCP takes, so the test says what it means on a loaded machine.
  const caller = await tcpClient({ routeGrace: 30_000 });
  caller.setAddress(20_001);
  const service = await tcpClient();
  new FetchServer(service).route('echo', ({ body }) => body).start();
  // Asked before the service has an address: the fetch waits for the announcement.
  const answer = caller.fetch(20_000, 'echo', 'hello', LONG);
  service.setAddress(20_000);
  await expect(answer).resolves.toBe('hello');
});

test('the wait for a route ends with the link: ConnectionClosedError, not NoRouteError', async () => {
  node = await startNode({ core: true, serve: ['tcp://127.0.0.1:0'] });
  const caller = await tcpClient({ routeGrace: 60_000 });
  caller.setAddress(20_001);
  const waiting = caller.fetch(20_000, 'echo', null, LONG).catch((e: unknown) => e);
  await node.close();
  expect(await waiting).toMatchObject({ name: 'ConnectionClosedError' });
});
