// Link loss is an event: when the node a client is connected to over TCP
// goes away, every pending wait of the client rejects at once with
// ConnectionClosedError (each wait here would otherwise last a minute), every
// iterator over topics and broadcasts ends by throwing it, and `closed` and
// the `close` event say so.
import { ConnectionClosedError } from '@streamtasks/link';
import { Client } from '@streamtasks/client';
import { connect } from '@streamtasks/transports';
import { BroadcastReceiver } from '@streamtasks/broadcast';
import { requestAddress, resolveAddressName, waitForAddressName, waitForDiscovery } from '@streamtasks/discovery';
import { InTopic, OutTopic, SequentialInTopicSynchronizer, SynchronizedInTopic } from '@streamtasks/topic';
import { startNode, openClient, type StreamtasksNode } from '@streamtasks/cli';

const MINUTE = { timeout: 60_000 };

/** What a promise settled with, so that several can be checked together. */
async function outcome(wait: Promise<unknown>): Promise<unknown> {
  return wait.then(() => 'resolved', (err: unknown) => err);
}

async function iterate(iterable: AsyncIterable<unknown>): Promise<void> {
  for await (const _ of iterable) {
    // nothing is published: the loop waits until it ends
  }
}

function expectLost(results: unknown[]): void {
  for (const result of results) {
    expect([results.indexOf(result), result]).toEqual([results.indexOf(result), expect.any(ConnectionClosedError)]);
    expect((result as Error).message).toMatch(/link closed/);
  }
}

let node: StreamtasksNode;
afterEach(async () => {
  await node?.close();
});

test('with discovery: fetch, name resolution, waitRequested, recv and every iterator end at once with ConnectionClosedError', async () => {
  node = await startNode({ core: true, serve: ['tcp://127.0.0.1:0'] });
  const client = await openClient(node.urls[0]!, { address: true, timeout: 5000 });
  const closeEvent = new Promise<unknown>((resolve) => client.events.on('close', (reason) => resolve(reason)));
  const sync = new SequentialInTopicSynchronizer();
  const plain = new InTopic(client, 5001);
  const iterated = new InTopic(client, 5002);
  const synchronized = new SynchronizedInTopic(client, 5003, sync);
  const out = new OutTopic(client, 5004);
  const broadcast = await new BroadcastReceiver(client, ['nobody/announces']).start({ timeout: 5000 });
  const waits = [
    client.fetch(10_999, 'nobody-answers', null, MINUTE), // an address nobody has
    waitForAddressName(client, 'never-registered', MINUTE),
    out.waitRequested(true, MINUTE),
    plain.recvData(MINUTE),
    iterate(iterated),
    iterate(synchronized),
    iterate(broadcast),
  ].map(outcome);
  await node.close();
  expectLost(await Promise.all(waits));
  await expect(client.closed).resolves.toBeUndefined();
  await closeEvent;
  expect(client.isRunning).toBe(false);
  // Waits started afterwards fail at once too.
  expectLost(await Promise.all([client.fetch(10_999, 'x', null, MINUTE), resolveAddressName(client, 'x', MINUTE)].map(outcome)));
});

test('without discovery: address requests, name resolution and the lighthouse wait end at once', async () => {
  node = await startNode({ serve: ['tcp://127.0.0.1:0'] });
  // An endless route grace: the waits must end with the link, not with the "no discovery" verdict (no-discovery.spec.ts).
  const client = new Client(await connect(node.urls[0]!, { timeout: 5000 }), { routeGrace: Infinity }).start();
  const waits = [
    requestAddress(client, MINUTE),
    waitForDiscovery(client, MINUTE),
  ].map(outcome);
  client.setAddress(12_345);
  const resolving = outcome(resolveAddressName(client, 'anyone', MINUTE));
  await node.close();
  expectLost(await Promise.all([...waits, resolving]));
});
