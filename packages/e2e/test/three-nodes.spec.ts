// Three node processes chained over TCP (A–B–C), A running discovery:
// a subscriber on C receives from a publisher on A; a request from C
// reaches a service on A by name; killing B (SIGKILL) withdraws the routes
// through it; with a second, more expensive path A–C, traffic fails over.
import type { Client } from '@streamtasks/client';
import { FetchServer } from '@streamtasks/fetch';
import { registerAddressName } from '@streamtasks/discovery';
import { InTopic, OutTopic } from '@streamtasks/topic';
import { openClient } from '@streamtasks/cli';
import { startNodeProcess, type CliProcess } from './process.js';

const nodes: CliProcess[] = [];
const clients: Client[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await Promise.all(nodes.splice(0).map((n) => n.stop()));
});

async function node(args: string[]): Promise<string> {
  const { node: p, url } = await startNodeProcess(args);
  nodes.push(p);
  return url;
}

async function client(url: string, address = true): Promise<Client> {
  const c = await openClient(url, { address, timeout: 10_000 });
  clients.push(c);
  return c;
}

/** Resolves once `check` holds, re-checking after each message the client consumes. */
function until(c: Client, check: () => boolean, timeout = 10_000): Promise<void> {
  if (check()) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => (off(), reject(new Error('condition not reached'))), timeout);
    const off = c.addReceiver(() => {
      if (check()) {
        clearTimeout(timer);
        off();
        resolve();
      }
    });
  });
}

/**
 * Publishes a live stream (n, n+1, … every 20 ms) until the subscriber gets
 * a payload from it. Subscriptions move between paths asynchronously (C may
 * know a route before A has the request that goes with it), and topic data
 * is not kept for subscribers that are not there yet.
 */
async function publishUntilReceived(out: OutTopic, sub: InTopic<{ n: number }>, from: number): Promise<{ n: number }> {
  let n = from;
  const ticker = setInterval(() => void out.send({ n: n++ }), 20);
  try {
    for (;;) {
      const data = await sub.recvData({ timeout: 10_000 });
      if (data.n >= from) return data;
    }
  } finally {
    clearInterval(ticker);
  }
}

test('pub/sub and fetch by name across A–B–C; killing B withdraws the routes', async () => {
  const a = await node(['--core', '--serve', 'tcp://127.0.0.1:0']);
  const b = await node(['--serve', 'tcp://127.0.0.1:0', '--connect', a, '--reconnect-delay', '100']);
  const c = await node(['--serve', 'tcp://127.0.0.1:0', '--connect', b, '--reconnect-delay', '100']);
  const onA = await client(a);
  const onC = await client(c); // gets its address from discovery on A, through B

  const out = new OutTopic(onA, 100_500);
  const sub = new InTopic<{ n: number }>(onC, 100_500);
  await out.waitRequested(true, { timeout: 10_000 });
  for (let n = 0; n < 100; n++) await out.send({ n });
  for (let n = 0; n < 100; n++) expect((await sub.recvData({ timeout: 5000 })).n).toBe(n);

  new FetchServer(onA).route('double', (r) => (r.body as number) * 2).start();
  await registerAddressName(onA, 'doubler', undefined, { timeout: 5000 });
  await expect(onC.fetch('doubler', 'double', 21, { timeout: 5000 })).resolves.toBe(42);

  // Routes through B: discovery (address 0), A's client and its topic.
  expect(onC.link.addresses.has(0)).toBe(true);
  expect(onC.topicCost(100_500)).toBeDefined();
  await nodes[1]!.kill();
  await until(onC, () => !onC.link.addresses.has(0) && !onC.link.addresses.has(onA.address!) && onC.topicCost(100_500) === undefined);
  await out.waitRequested(false, { timeout: 10_000 }); // the request from C is withdrawn upstream too
});

test('with a second path A–C, traffic fails over when B dies', async () => {
  const a = await node(['--core', '--serve', 'tcp://127.0.0.1:0']);
  const b = await node(['--serve', 'tcp://127.0.0.1:0', '--connect', a]);
  // C reaches A through B (100 + 100) and directly at cost 500.
  const c = await node(['--serve', 'tcp://127.0.0.1:0', '--connect', b, '--connect', `${a}?cost=500`]);
  const onA = await client(a);
  const onC = await client(c);
  const out = new OutTopic(onA, 100_600);
  const sub = new InTopic<{ n: number }>(onC, 100_600);
  await out.waitRequested(true, { timeout: 10_000 });
  await until(onC, () => onC.topicCost(100_600) !== undefined && onC.topicCost(100_600)! < 500);
  const viaB = onC.topicCost(100_600)!;

  expect((await publishUntilReceived(out, sub, 1)).n).toBeGreaterThanOrEqual(1);

  await nodes[1]!.kill();
  await until(onC, () => (onC.topicCost(100_600) ?? 0) > viaB); // now the direct, dearer path
  // The subscription moves to the direct path.
  const after = await publishUntilReceived(out, sub, 1000);
  expect(after.n).toBeGreaterThanOrEqual(1000);
  await expect(onC.resolveAddressName('nobody', { timeout: 5000 })).resolves.toBeUndefined(); // discovery still reachable
});
