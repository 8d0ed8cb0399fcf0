// Two nodes joined over TCP and over NATS: traffic takes the cheaper path
// (TCP), moves to NATS when the TCP link goes, and back when it returns.
import {
  InTopicsChangedMessage,
  MessageType,
  OutTopicsChangedMessage,
  RawData,
  Switch,
  TopicDataMessage,
  createQueueLinkPair,
  type Link,
  type Message,
} from '@streamtasks/link';
import { connectNats, type NatsLink } from '@streamtasks/nats';
import { connect, createServer } from '@streamtasks/transports';
import { startNatsServer, type NatsServer } from '@streamtasks/testing';

interface TestNode {
  sw: Switch;
  link: NatsLink;
  participant(): Participant;
  close(): Promise<void>;
}

/** A local participant: pulls (and keeps) what its switch sends it. */
class Participant {
  readonly log: Message[] = [];
  constructor(readonly end: Link) {}
  send(message: Message): void {
    this.end.send(message);
  }
  async until(check: () => boolean, timeout = 5000): Promise<void> {
    const deadline = Date.now() + timeout;
    while (!check()) this.log.push(await this.end.recv({ timeout: Math.max(1, deadline - Date.now()) }));
  }
  async data(n: number): Promise<unknown[]> {
    const values = () => this.log.flatMap((m) => (m.type === MessageType.TopicData ? [m.data.value] : []));
    await this.until(() => values().length >= n);
    return values();
  }
}

async function startNode(url: string): Promise<TestNode> {
  const sw = new Switch();
  const link = await connectNats(url);
  sw.addLink(link);
  const ends: Link[] = [];
  return {
    sw,
    link,
    participant() {
      const [inside, outside] = createQueueLinkPair({ serialize: true });
      sw.addLink(inside);
      ends.push(outside);
      return new Participant(outside);
    },
    async close() {
      for (const end of ends) end.close();
      sw.close();
      await link.released;
    },
  };
}

/** Resolves once `check` holds, re-checked on every change of the network the link sees. */
function untilNetwork(link: NatsLink, check: () => boolean): Promise<void> {
  return new Promise((resolve, reject) => {
    if (check()) return resolve();
    const timer = setTimeout(() => (off(), reject(new Error('condition not reached in time'))), 5000);
    const off = link.network.on('change', () => check() && (clearTimeout(timer), off(), resolve()));
  });
}

let server: NatsServer;
const nodes: TestNode[] = [];
beforeAll(async () => {
  server = await startNatsServer();
});
afterAll(async () => {
  await server.kill();
});
afterEach(async () => {
  await Promise.all(nodes.splice(0).map((n) => n.close()));
});

test('the cheaper path carries the traffic, the other takes over when it goes, with no loop', async () => {
  const url = `${server.url}?network=mixed${process.pid}`;
  const [a, b] = [await startNode(url), await startNode(url)];
  nodes.push(a, b);
  await untilNetwork(b.link, () => b.link.stats.nodes === 1);
  const tcp = await createServer('tcp://127.0.0.1:0', { switch: a.sw });
  try {
    const tcpLink = await connect(tcp.url);
    b.sw.addLink(tcpLink);
    const provider = a.participant();
    provider.send(new OutTopicsChangedMessage([{ id: 50, cost: 0 }], []));
    const subscriber = b.participant();
    // TCP (cost 100) beats NATS (cost 200).
    await subscriber.until(() => subscriber.end.outTopics.get(50) === 1 + 100 + 1);
    subscriber.send(new InTopicsChangedMessage([50], []));
    await provider.until(() => provider.end.inTopics.has(50));
    const publishedBefore = a.link.stats.published;
    provider.send(new TopicDataMessage(50, RawData.from('over tcp')));
    expect(await subscriber.data(1)).toEqual(['over tcp']);
    expect(b.link.providerOf(50)).toBeUndefined();
    expect(a.link.stats.published).toBe(publishedBefore);

    // TCP goes: the route through NATS is what is left, and the subscription moves there.
    tcpLink.close();
    await subscriber.until(() => subscriber.end.outTopics.get(50) === 1 + 200 + 1);
    await untilNetwork(a.link, () => a.link.requesterCount(50) === 1);
    expect(b.link.providerOf(50)).toBe(a.link.nodeId);
    provider.send(new TopicDataMessage(50, RawData.from('over nats')));
    expect(await subscriber.data(2)).toEqual(['over tcp', 'over nats']);

    // TCP comes back: the subscription returns to it and leaves NATS.
    b.sw.addLink(await connect(tcp.url));
    await subscriber.until(() => subscriber.end.outTopics.get(50) === 1 + 100 + 1);
    await untilNetwork(a.link, () => a.link.requesterCount(50) === 0);
    const beforeBack = a.link.stats.published;
    provider.send(new TopicDataMessage(50, RawData.from('tcp again')));
    expect(await subscriber.data(3)).toEqual(['over tcp', 'over nats', 'tcp again']);
    expect(a.link.stats.published).toBe(beforeBack);
    // Routes settled without a loop: each side sees the topic once, at the direct cost.
    expect(a.sw.topicCost(50)).toBe(1);
    expect(b.sw.topicCost(50)).toBe(1 + 100);
  } finally {
    await tcp.close();
  }
});
