// Faults over real processes: a node killed with SIGKILL mid-stream, a
// connection dropped and restored again and again, a slow consumer behind a
// fast producer, a long stream through three switches, and teardown that
// leaves nothing running. Longer runs of the same: `npm run soak`
// (tools/soak.mjs: --cycles, --slow-consumer, --chain, --minutes).
import { readFileSync } from 'node:fs';
import { createServer as createNetServer, connect as netConnect, type Server, type Socket } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Switch, createQueueLinkPair, type Id } from '@streamtasks/link';
import { Client } from '@streamtasks/client';
import { FetchServer } from '@streamtasks/fetch';
import { SignalServer, sendSignal } from '@streamtasks/signal';
import { registerAddressName, requestAddress, trackAddressNames } from '@streamtasks/discovery';
import { InTopic, OutTopic } from '@streamtasks/topic';
import { connect, createReconnector, parseUrl } from '@streamtasks/transports';
import { openClient, startNode } from '@streamtasks/cli';
import { CliProcess } from './process.js';
import { runOrderedStreams } from './ordered-streams.js';

const processes: CliProcess[] = [];
const clients: Client[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await Promise.all(processes.splice(0).map((p) => p.kill()));
});

/** Starts `streamtasks node …` and returns every URL it listens on, in order. */
async function nodeProcess(args: string[]): Promise<{ process: CliProcess; urls: string[] }> {
  const p = new CliProcess(['node', ...args]);
  processes.push(p);
  await p.waitFor(/ready$/);
  const urls = p.stdout.flatMap((line) => /listening on (\S+)/.exec(line)?.[1] ?? []);
  return { process: p, urls };
}

async function client(url: string, address = false): Promise<Client> {
  const c = await openClient(url, { address, timeout: 10_000 });
  clients.push(c);
  return c;
}

/** Active handles by type, as `process.getActiveResourcesInfo()` lists them. */
function handles(): Map<string, number> {
  const out = new Map<string, number>();
  for (const r of process.getActiveResourcesInfo()) out.set(r, (out.get(r) ?? 0) + 1);
  return out;
}

/** Types (and counts) in `now` beyond `base`. */
function extra(base: Map<string, number>, now: Map<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [type, n] of now) if (n > (base.get(type) ?? 0)) out[type] = n - (base.get(type) ?? 0);
  return out;
}

/** Waits (turn by turn, at most `timeout` ms) until nothing runs beyond `base`. */
async function noHandlesBeyond(base: Map<string, number>, timeout = 5000): Promise<void> {
  const deadline = Date.now() + timeout;
  while (Object.keys(extra(base, handles())).length > 0 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  expect(extra(base, handles())).toEqual({});
}

/** Resolves once `check` holds, re-checking after every message the client consumes and every 10 ms. */
async function until(check: () => boolean, what: string, timeout = 10_000): Promise<number> {
  const started = Date.now();
  while (!check()) {
    if (Date.now() - started > timeout) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
  return Date.now() - started;
}

/** Resident memory of a process in bytes (Linux), or undefined. */
function rssOf(pid: number): number | undefined {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

test('a node killed with SIGKILL mid-stream: routes through it go at once, the subscriber moves to the other provider, nothing leaks', async () => {
  const base = handles();
  const TOPIC = 400_001;
  // A serves a cheap and an expensive port; B hangs off A; P1 publishes behind B, P2 on A's expensive port.
  const a = await nodeProcess(['--core', '--serve', 'tcp://127.0.0.1:0', '--serve', 'tcp://127.0.0.1:0?cost=500']);
  const [cheap, dear] = a.urls as [string, string];
  const b = await nodeProcess(['--serve', 'tcp://127.0.0.1:0', '--connect', cheap, '--reconnect-delay', '100']);
  const p1 = await client(b.urls[0]!, true);
  const p2 = await client(dear, true);
  const s = await client(cheap);
  const sub = new InTopic<{ from: string; n: number }>(s, TOPIC);
  const out1 = new OutTopic(p1, TOPIC);
  const out2 = new OutTopic(p2, TOPIC);
  // Publishers that publish while someone wants their topic, every 5 ms.
  let n = 0;
  const ticker = setInterval(() => {
    n++;
    // P1's sends fail once its node is gone.
    if (out1.requested) out1.send({ from: 'p1', n }).catch(() => undefined);
    if (out2.requested) void out2.send({ from: 'p2', n });
  }, 5);
  try {
    await until(() => s.topicCost(TOPIC) !== undefined && s.topicCost(TOPIC)! < 500, 'the route through B');
    while ((await sub.recvData({ timeout: 5000 })).from !== 'p1');
    expect(out2.requested).toBe(false);
    const viaB = s.topicCost(TOPIC)!;
    expect(s.link.addresses.has(p1.address!)).toBe(true);

    const killed = Date.now();
    await b.process.kill();
    // Withdrawn promptly: P1's address and the route through B.
    await until(() => !s.link.addresses.has(p1.address!) && s.topicCost(TOPIC) !== viaB, 'the withdrawal', 5000);
    expect(Date.now() - killed).toBeLessThan(2000);
    expect(s.topicCost(TOPIC)).toBeGreaterThan(viaB);
    // The subscription moved to P2, and its data arrives.
    await out2.waitRequested(true, { timeout: 5000 });
    while ((await sub.recvData({ timeout: 5000 })).from !== 'p2');
    // P1 lost its node: its link is closed (with a reset, or a plain end when the kernel had nothing unread).
    await p1.link.closed;
    expect(p1.link.isClosed).toBe(true);
  } finally {
    clearInterval(ticker);
  }
  for (const c of clients.splice(0)) c.close();
  await a.process.stop();
  processes.splice(0);
  await noHandlesBeyond(base);
});

/** A TCP proxy in front of `target` whose connections can be cut, to drop links from outside. */
class CuttableProxy {
  readonly server: Server;
  private readonly pairs = new Set<[Socket, Socket]>();

  private constructor(target: { host: string; port: number }) {
    this.server = createNetServer((down) => {
      const up = netConnect(target);
      const pair: [Socket, Socket] = [down, up];
      this.pairs.add(pair);
      for (const sock of pair) {
        sock.on('error', () => {});
        sock.on('close', () => {
          this.pairs.delete(pair);
          down.destroy();
          up.destroy();
        });
      }
      down.pipe(up);
      up.pipe(down);
    });
  }

  static async start(url: string): Promise<CuttableProxy> {
    const { host, port } = parseUrl(url);
    const proxy = new CuttableProxy({ host, port: port! });
    await new Promise<void>((resolve) => proxy.server.listen(0, '127.0.0.1', resolve));
    return proxy;
  }

  get url(): string {
    return `tcp://127.0.0.1:${(this.server.address() as { port: number }).port}`;
  }

  /** Destroys every connection through the proxy, both ways. */
  cut(): void {
    for (const [down, up] of this.pairs) {
      down.destroy();
      up.destroy();
    }
  }

  close(): Promise<void> {
    this.cut();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

test('50 drop/reconnect cycles: the subscription and the address come back every time; handles stay flat', async () => {
  const base = handles();
  const TOPIC = 400_002;
  const a = await nodeProcess(['--core', '--serve', 'tcp://127.0.0.1:0']);
  const proxy = await CuttableProxy.start(a.urls[0]!);
  const p = await client(a.urls[0]!, true);
  const out = new OutTopic(p, TOPIC);

  // R: a client behind a local switch that a reconnector keeps connected, through the proxy.
  const local = new Switch();
  const [switchSide, clientSide] = createQueueLinkPair();
  local.addLink(switchSide);
  const r = new Client(clientSide).start();
  const reconnector = createReconnector(proxy.url, { switch: local, delay: 1, maxDelay: 100 });
  let connects = 0;
  reconnector.events.on('status', (st) => void (st.state === 'connected' && connects++));
  await reconnector.waitConnected({ timeout: 10_000 });
  const address: Id = await requestAddress(r, { timeout: 10_000 });
  const fetchServer = new FetchServer(r).route('echo', ({ body }) => body).start();
  const sub = new InTopic<{ cycle: number }>(r, TOPIC);

  const cycle = async (i: number) => {
    const before = connects;
    // Dropped from the client side, or cut on the network (both ends see a reset).
    if (i % 2 === 0) reconnector.link!.close(new Error('dropped'));
    else proxy.cut();
    await until(() => connects > before, `reconnect #${i}`);
    // The subscription is back: a marker published now arrives.
    let got = false;
    while (!got) {
      await out.send({ cycle: i });
      try {
        while (!got) got = (await sub.recvData({ timeout: 20 })).cycle === i;
      } catch {
        // not yet: publish again
      }
    }
    // The address is back: a fetch to it is answered.
    for (;;) {
      try {
        expect(await p.fetch(address, 'echo', i, { timeout: 200 })).toBe(i);
        break;
      } catch (err) {
        if ((err as Error).name !== 'TimeoutError') throw err;
      }
    }
    while (sub.queued > 0) await sub.recvData();
  };

  for (let i = 0; i < 5; i++) await cycle(i);
  const steady = handles();
  for (let i = 5; i < 50; i++) {
    await cycle(i);
    if (i % 15 === 14) await noHandlesBeyond(steady, 2000); // flat: nothing accumulates per cycle
  }
  expect(connects).toBe(51);
  expect(r.address).toBe(address);

  fetchServer.stop();
  sub.close();
  out.close();
  r.close();
  await reconnector.stop();
  local.close();
  await proxy.close();
  for (const c of clients.splice(0)) c.close();
  await a.process.stop();
  processes.splice(0);
  await noHandlesBeyond(base);
}, 60_000);

test('a slow consumer behind a fast producer: memory stays bounded; every message is received or counted as dropped', async () => {
  const TOPIC = 400_003;
  const COUNT = 50_000;
  const a = await nodeProcess(['--serve', 'tcp://127.0.0.1:0']);
  const producer = await client(a.urls[0]!);
  const consumer = await client(a.urls[0]!);
  const out = new OutTopic(producer, TOPIC);
  const sub = new InTopic<{ seq: number }>(consumer, TOPIC, { maxQueued: 500 });
  let events = 0;
  let lastReported = 0;
  sub.events.on('slow-consumer', (dropped) => {
    events++;
    lastReported = dropped;
  });
  await out.waitRequested(true, { timeout: 10_000 });
  const memory = () => process.memoryUsage().heapUsed + process.memoryUsage().arrayBuffers;
  const before = memory();
  const nodeBefore = rssOf(a.process.child.pid!);
  let peak = before;
  let received = 0;
  let last = -1;
  let reading = true;
  const reader = (async () => {
    while (reading) {
      try {
        const { seq } = await sub.recvData({ timeout: 50 });
        expect(seq).toBeGreaterThan(last);
        last = seq;
        received++;
      } catch (err) {
        if ((err as Error).name !== 'TimeoutError') throw err;
      }
      // Slow: one payload per turn of the event loop.
      await new Promise((resolve) => setImmediate(resolve));
    }
  })();
  const pad = 'p'.repeat(200);
  for (let seq = 0; seq < COUNT; seq++) {
    await out.send({ seq, pad });
    if (seq % 1000 === 0) peak = Math.max(peak, memory());
  }
  await until(() => received + sub.dropped + sub.queued === COUNT, 'every message to be received or dropped', 20_000);
  reading = false;
  await reader;
  peak = Math.max(peak, memory());
  expect(sub.dropped).toBeGreaterThan(0); // the consumer was slow
  expect(events).toBe(sub.dropped); // …and every drop was reported
  expect(lastReported).toBe(sub.dropped);
  expect(received).toBeGreaterThan(0);
  expect(peak - before).toBeLessThan(100 * 1024 * 1024);
  const nodeAfter = rssOf(a.process.child.pid!);
  if (nodeBefore !== undefined && nodeAfter !== undefined) expect(nodeAfter - nodeBefore).toBeLessThan(100 * 1024 * 1024);
  sub.close();
}, 60_000);

test('50 000 messages through three switches over TCP: none lost, order kept per topic and provider', async () => {
  const a = await nodeProcess(['--serve', 'tcp://127.0.0.1:0']);
  const b = await nodeProcess(['--serve', 'tcp://127.0.0.1:0', '--connect', a.urls[0]!]);
  const c = await nodeProcess(['--serve', 'tcp://127.0.0.1:0', '--connect', b.urls[0]!]);
  const { total, failures } = await runOrderedStreams({
    publishers: [await client(a.urls[0]!), await client(b.urls[0]!)],
    subscriber: await client(c.urls[0]!),
    topics: [400_004, 400_005],
    perTopic: 25_000,
    requestTimeout: 10_000,
    deliveryTimeout: 30_000,
  });
  expect(failures).toEqual([]);
  expect(total).toBe(50_000);
}, 60_000);

test('teardown: after closing clients, servers and nodes nothing is left running', async () => {
  const base = handles();
  const dir = mkdtempSync(join(tmpdir(), 'st-e2e-'));
  try {
    const core = await startNode({
      core: true,
      serve: ['tcp://127.0.0.1:0', `unix://${join(dir, 'core.sock')}`, 'ws://127.0.0.1:0'],
      lighthouseInterval: 50,
    });
    const edge = await startNode({ serve: ['tcp://127.0.0.1:0'], connect: [core.urls[0]!], reconnectDelay: 10 });
    const onTcp = await openClient(edge.urls[0]!, { address: true, timeout: 10_000 });
    const onUnix = await openClient(core.urls[1]!, { address: true, timeout: 10_000 });
    const onWs = await openClient(core.urls[2]!, { address: true, timeout: 10_000 });
    const raw = await connect(core.urls[0]!, { timeout: 10_000 }); // a bare link, never used

    const fetchServer = new FetchServer(onUnix).route('echo', ({ body }) => body).start();
    let signals = 0;
    const signalServer = new SignalServer(onUnix).route('ping', () => void signals++).start();
    await registerAddressName(onUnix, 'teardown-service', undefined, { timeout: 5000 });
    const tracker = await trackAddressNames(onWs, { timeout: 5000 });
    const out = new OutTopic(onTcp, 400_006);
    const sub = new InTopic(onWs, 400_006);
    await out.waitRequested(true, { timeout: 5000 });
    await out.send('hello');
    await expect(sub.recvData({ timeout: 5000 })).resolves.toBe('hello');
    await expect(onTcp.fetch('teardown-service', 'echo', 1, { timeout: 5000 })).resolves.toBe(1);
    await sendSignal(onWs, 'teardown-service', 'ping', null, { timeout: 5000 });
    await until(() => signals === 1, 'the signal');
    // Waits still in progress when everything is closed.
    const pendingFetch = onTcp.fetch(onUnix.address!, 'nothing-answers-this', null, { timeout: 60_000 }).catch((e: Error) => e);
    const pendingRead = sub.recvData({ timeout: 60_000 }).catch((e: Error) => e);
    const errorName = async (p: Promise<unknown>) => ((await p) as Error).name;

    tracker.stop();
    fetchServer.stop();
    signalServer.stop();
    out.close();
    for (const c of [onTcp, onUnix, onWs]) c.close();
    raw.close();
    await edge.close();
    await core.close();
    expect(await errorName(pendingFetch)).toBe('ClientStoppedError');
    expect(await errorName(pendingRead)).toBe('ClientStoppedError');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  await noHandlesBeyond(base);
});
