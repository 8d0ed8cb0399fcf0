// Three node processes chained A–B–C, A running discovery: a subscriber on
// C receives from a publisher on A; a request from C reaches a service on A
// by name; killing B (SIGKILL) withdraws the routes through it; with a
// second, more expensive path A–C, traffic fails over. The same scenarios
// run over two kinds of hops: TCP links, and NATS in the middle (each hop a
// network of its own on one nats-server, so B is still the only way from A
// to C, and a killed B is withdrawn by the death verdict of the others).
import type { Client } from '@streamtasks/client';
import { FetchServer } from '@streamtasks/fetch';
import { registerAddressName } from '@streamtasks/discovery';
import { InTopic, OutTopic } from '@streamtasks/topic';
import { openClient } from '@streamtasks/cli';
import { startNatsServer, type NatsServer } from '@streamtasks/testing';
import { startNodeProcess, type CliProcess } from './process.js';

/** How the nodes are joined: the arguments that connect each node to its neighbours. */
interface Hops {
  /** Arguments of A (which serves TCP for its local client anyway). */
  a(): string[];
  /** Arguments of B, given A's TCP URL. */
  b(a: string): string[];
  /** Arguments of C, given B's TCP URL. */
  c(b: string): string[];
  /** Arguments that add a direct path A–C at cost 1000: for A, and for C given A's TCP URL. */
  direct: { a(): string[]; c(a: string): string[] };
}

const TCP = 'tcp://127.0.0.1:0';

const overTcp: Hops = {
  a: () => [],
  b: (a) => ['--connect', a],
  c: (b) => ['--connect', b],
  direct: { a: () => [], c: (a) => ['--connect', `${a}?cost=1000`] },
};

let natsServer: NatsServer | undefined;
let networks = 0;
/** Each hop is a network of its own; names are fresh per test so that a dead B of one test is not seen by the next. */
const network = (hop: string) => `${natsServer!.url}?network=${hop}${process.pid}x${networks}`;
const overNats: Hops = {
  a: () => ['--connect', network('ab')],
  b: () => ['--connect', network('ab'), '--connect', network('bc')],
  c: () => ['--connect', network('bc')],
  direct: { a: () => ['--connect', network('ac')], c: () => ['--connect', `${network('ac')}&cost=1000`] },
};

const nodes: CliProcess[] = [];
const clients: Client[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await Promise.all(nodes.splice(0).map((n) => n.stop()));
});

async function node(args: string[]): Promise<string> {
  const { node: p, url } = await startNodeProcess(['--serve', TCP, ...args]);
  nodes.push(p);
  // A node is on a NATS network once its link is up (TCP connectors are awaited through the routes they bring).
  for (const [i, arg] of args.entries()) {
    if (arg === '--connect' && args[i + 1]!.startsWith('nats://')) await p.waitFor(new RegExp(`connected to ${escape(args[i + 1]!)} `));
  }
  return url;
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
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

describe.each([
  ['over TCP', overTcp],
  ['with NATS in the middle', overNats],
] as const)('%s', (kind, hops) => {
  beforeAll(async () => {
    if (kind !== 'over TCP') natsServer = await startNatsServer();
  });
  afterAll(async () => {
    await natsServer?.kill();
    natsServer = undefined;
  });
  beforeEach(() => {
    networks++;
  });

  test('pub/sub and fetch by name across A–B–C; killing B withdraws the routes', async () => {
    const a = await node(['--core', ...hops.a()]);
    const b = await node([...hops.b(a), '--reconnect-delay', '100']);
    const c = await node([...hops.c(b), '--reconnect-delay', '100']);
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
    const a = await node(['--core', ...hops.a(), ...hops.direct.a()]);
    const b = await node(hops.b(a));
    // The client on C reaches A's client through B (TCP: 100 + 100 + 100 + 100, NATS: 100 + 200 + 200 + 100)
    // and directly at 100 + 1000 + 100.
    const c = await node([...hops.c(b), ...hops.direct.c(a)]);
    const onA = await client(a);
    const onC = await client(c);
    const out = new OutTopic(onA, 100_600);
    const sub = new InTopic<{ n: number }>(onC, 100_600);
    await out.waitRequested(true, { timeout: 10_000 });
    await until(onC, () => onC.topicCost(100_600) !== undefined && onC.topicCost(100_600)! < 1000);
    const viaB = onC.topicCost(100_600)!;

    expect((await publishUntilReceived(out, sub, 1)).n).toBeGreaterThanOrEqual(1);

    await nodes[1]!.kill();
    await until(onC, () => (onC.topicCost(100_600) ?? 0) > viaB); // now the direct, dearer path
    // The subscription moves to the direct path.
    const after = await publishUntilReceived(out, sub, 1000);
    expect(after.n).toBeGreaterThanOrEqual(1000);
    await expect(onC.resolveAddressName('nobody', { timeout: 5000 })).resolves.toBeUndefined(); // discovery still reachable
  });
});
