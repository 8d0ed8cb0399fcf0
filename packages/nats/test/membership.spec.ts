// Who is on the network: joining, leaving and dying, against real
// nats-server processes (reconnecting: failover.spec.ts).
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import * as readline from 'node:readline';
import { AddressesChangedMessage, InTopicsChangedMessage, OutTopicsChangedMessage, RawData, TopicDataMessage } from '@streamtasks/link';
import { startNatsServer, type NatsServer } from '@streamtasks/testing';
import { freshNetwork, startNode, untilNetwork, type TestNode } from './helpers.js';

const nodes: TestNode[] = [];
afterEach(async () => {
  await Promise.all(nodes.splice(0).map((n) => n.close()));
});

async function node(url: string, options: Parameters<typeof startNode>[1] = {}): Promise<TestNode> {
  const n = await startNode(url, options);
  nodes.push(n);
  return n;
}

describe('on one server', () => {
  let server: NatsServer;
  beforeAll(async () => {
    server = await startNatsServer();
  });
  afterAll(async () => {
    await server.kill();
  });

  test('a joining node learns topics, addresses and requests within 1 s', async () => {
    const url = `${server.url}?network=${freshNetwork()}`;
    const [p, r] = [await node(url), await node(url)];
    const provider = p.participant();
    provider.send(new OutTopicsChangedMessage([{ id: 20, cost: 50 }], []));
    provider.send(new AddressesChangedMessage([{ id: 30, cost: 0 }], []));
    const subscriber = r.participant();
    await subscriber.until(() => subscriber.end.outTopics.has(20));
    subscriber.send(new InTopicsChangedMessage([20], []));
    await provider.until(() => provider.end.inTopics.has(20));

    const started = Date.now();
    const joiner = await node(url);
    // The joiner provides topic 20 cheaper: the existing request moves to it once it knows about it.
    const cheaper = joiner.participant();
    cheaper.send(new OutTopicsChangedMessage([{ id: 20, cost: 0 }], []));
    await untilNetwork(joiner.link, () => joiner.link.outTopics.has(20) && joiner.link.addresses.has(30) && joiner.link.stats.nodes === 2);
    await cheaper.until(() => cheaper.end.inTopics.has(20));
    expect(Date.now() - started).toBeLessThan(1000);
  });

  test('a node that closes is withdrawn everywhere at once', async () => {
    const url = `${server.url}?network=${freshNetwork()}`;
    const [a, b] = [await node(url), await node(url)];
    a.participant().send(new OutTopicsChangedMessage([{ id: 21, cost: 0 }], []));
    await untilNetwork(b.link, () => b.link.outTopics.has(21));
    const left = new Promise<string>((resolve) => b.link.network.on('leave', (_, why) => resolve(why)));
    const started = Date.now();
    await nodes.splice(nodes.indexOf(a), 1)[0]!.close();
    expect(await left).toBe('left');
    expect(b.link.outTopics.has(21)).toBe(false);
    expect(Date.now() - started).toBeLessThan(500);
  });

  test('a node killed with SIGKILL is withdrawn within 3 s', async () => {
    const url = `${server.url}?network=${freshNetwork()}`;
    const observer = await node(url);
    const child = spawn(process.execPath, [path.join(__dirname, 'fixtures', 'provider-node.mjs'), url, '22'], { stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      const ready = await new Promise<string>((resolve, reject) => {
        readline.createInterface({ input: child.stdout! }).on('line', (line) => line.startsWith('ready ') && resolve(line.slice(6)));
        child.once('exit', (code) => reject(new Error(`the node exited with ${code}`)));
      });
      await untilNetwork(observer.link, () => observer.link.outTopics.has(22));
      const dead = new Promise<[string, string]>((resolve) => observer.link.network.on('leave', (id, why) => resolve([id, why])));
      const killed = Date.now();
      child.kill('SIGKILL');
      expect(await dead).toEqual([ready, 'dead']);
      expect(observer.link.outTopics.has(22)).toBe(false);
      expect(Date.now() - killed).toBeLessThan(3000);
    } finally {
      child.kill('SIGKILL');
    }
  });
});

test('a publisher that keeps its process busy does not get its subscribers declared dead', async () => {
  const server = await startNatsServer();
  try {
    const url = `${server.url}?network=${freshNetwork()}`;
    // Short periods, so that a burst of publishing outlasts several of them.
    const options = { heartbeatInterval: 200, deadAfter: 500 };
    const [a, b] = [await node(url, options), await node(url, options)];
    const publisher = a.participant();
    const subscriber = b.participant();
    publisher.send(new OutTopicsChangedMessage([{ id: 25, cost: 0 }], []));
    await subscriber.until(() => subscriber.end.outTopics.has(25));
    subscriber.send(new InTopicsChangedMessage([25], []));
    await publisher.until(() => publisher.end.inTopics.has(25));
    const leaves: string[] = [];
    a.link.network.on('leave', (id, why) => leaves.push(`publisher saw ${id} ${why}`));
    b.link.network.on('leave', (id, why) => leaves.push(`subscriber saw ${id} ${why}`));
    // Publishes as fast as backpressure allows: between waits for drain the event loop reads no socket.
    const received = new Promise<number>((resolve) => {
      let n = 0;
      subscriber.end.setReceiver((m) => m.type === 0 && ++n === COUNT && resolve(n));
    });
    const COUNT = 100_000;
    for (let i = 0; i < COUNT; i++) {
      if (!publisher.end.send(new TopicDataMessage(25, RawData.from({ i, pad: 'x'.repeat(100) })))) await publisher.end.drained();
    }
    expect(await received).toBe(COUNT);
    expect(leaves).toEqual([]);
  } finally {
    await Promise.all(nodes.splice(0).map((n) => n.close()));
    await server.kill();
  }
}, 60_000);
