// The long stream of the faults scenarios with NATS in the middle: three
// node processes, each attached to one nats-server and to nothing else;
// clients over TCP on two of them publish, a client on the third
// subscribes. Nothing may be lost and the order per topic and provider
// must hold (core NATS is at most once, but nothing fails here).
import type { Client } from '@streamtasks/client';
import { openClient } from '@streamtasks/cli';
import { startNatsServer, type NatsServer } from '@streamtasks/testing';
import { CliProcess } from './process.js';
import { runOrderedStreams } from './ordered-streams.js';

let server: NatsServer;
const processes: CliProcess[] = [];
const clients: Client[] = [];
beforeAll(async () => {
  server = await startNatsServer();
});
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await Promise.all(processes.splice(0).map((p) => p.kill()));
});
afterAll(async () => {
  await server?.kill();
});

/** Starts `streamtasks node …` attached to NATS; returns its TCP URL once it is ready. */
async function natsNode(natsUrl: string): Promise<string> {
  const p = new CliProcess(['node', '--no-node-socket', '--serve', 'tcp://127.0.0.1:0', '--connect', natsUrl]);
  processes.push(p);
  // A node process takes seconds to start on a loaded machine.
  const [, url] = await p.waitFor(/listening on (\S+)/, 25_000);
  await p.waitFor(/connected to nats:\/\//, 25_000);
  return url!;
}

async function client(url: string): Promise<Client> {
  const c = await openClient(url, { address: false, timeout: 10_000 });
  clients.push(c);
  return c;
}

test('50 000 messages through three switches joined by NATS: none lost, order kept per topic and provider', async () => {
  const natsUrl = `${server.url}?network=faults${process.pid}`;
  const [a, b, c] = await Promise.all([natsNode(natsUrl), natsNode(natsUrl), natsNode(natsUrl)]);
  const { total, failures } = await runOrderedStreams({
    publishers: [await client(a), await client(b)],
    subscriber: await client(c),
    topics: [400_104, 400_105],
    perTopic: 25_000,
    requestTimeout: 20_000,
    deliveryTimeout: 60_000,
  });
  expect(failures).toEqual([]);
  expect(total).toBe(50_000);
}, 120_000);
