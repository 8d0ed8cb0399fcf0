// Failover on a 3-server cluster: the server a node is connected to dies;
// the node moves to another server, its subscriptions and routes come back,
// traffic resumes within 5 s, nobody is declared dead meanwhile, and the
// messages lost in the move are counted (core NATS is at most once).
import { connect, type NatsConnection } from '@nats-io/transport-node';
import {
  AddressedMessage,
  AddressesChangedMessage,
  InTopicsChangedMessage,
  OutTopicsChangedMessage,
  RawData,
  TopicDataMessage,
} from '@streamtasks/link';
import { DEFAULT_DEAD_AFTER, DEFAULT_HEARTBEAT_INTERVAL } from '@streamtasks/nats';
import { startNatsCluster, type NatsServer } from '@streamtasks/testing';
import { freshNetwork, startNode, untilKnown, type Participant, type TestNode } from './helpers.js';

let servers: NatsServer[] = [];
const nodes: TestNode[] = [];
let watcher: NatsConnection | undefined;
afterEach(async () => {
  await Promise.all(nodes.splice(0).map((n) => n.close()));
  await watcher?.close();
  watcher = undefined;
  await Promise.all(servers.splice(0).map((s) => s.kill()));
});

/** Publishes 0, 1, 2, … on `topic` every 20 ms from `from`, as a live source does. */
function ticker(from: Participant, topic: number): { readonly sent: number; stop(): void } {
  let sent = 0;
  const timer = setInterval(() => from.send(new TopicDataMessage(topic, RawData.from(sent++))), 20);
  return {
    get sent() {
      return sent;
    },
    stop: () => clearInterval(timer),
  };
}

/**
 * Resolves once `count` heartbeats of `node` passed through the cluster
 * after `since` and at least `ms` milliseconds went by: the window in which
 * a wrong death verdict would have fallen, measured by the node's own beats.
 */
async function beatsFor(nc: NatsConnection, subject: string, ms: number, since: number): Promise<number> {
  let beats = 0;
  const sub = nc.subscribe(subject, { timeout: 5000 });
  for await (const _ of sub) {
    beats++;
    if (Date.now() - since >= ms) break;
  }
  return beats;
}

test('killing the server a node is on moves it to another: routes, subscriptions and traffic come back within 5 s', async () => {
  servers = await startNatsCluster(3);
  const [s1, s2, s3] = servers as [NatsServer, NatsServer, NatsServer];
  const network = freshNetwork();
  // The mover knows every server and starts on the first; the observer sits on the third.
  const all = servers.map((s) => `127.0.0.1:${s.port}`).join(',');
  const mover = await startNode(`nats://${all}?network=${network}`, { nats: { noRandomize: true } });
  nodes.push(mover);
  const observer = await startNode(`${s3.url}?network=${network}`);
  nodes.push(observer);
  await Promise.all([untilKnown(mover.link, 1), untilKnown(observer.link, 1)]);
  expect(mover.link.server).toBe(`127.0.0.1:${s1.port}`);

  // Traffic both ways: the mover publishes topic 23 to the observer and subscribes topic 24 from it;
  // the observer reaches an address (31) behind the mover.
  const onMover = mover.participant();
  const onObserver = observer.participant();
  onMover.send(new OutTopicsChangedMessage([{ id: 23, cost: 0 }], []));
  onMover.send(new AddressesChangedMessage([{ id: 31, cost: 0 }], []));
  onObserver.send(new OutTopicsChangedMessage([{ id: 24, cost: 0 }], []));
  await onObserver.until(() => onObserver.end.outTopics.has(23) && onObserver.end.addresses.has(31));
  await onMover.until(() => onMover.end.outTopics.has(24));
  onObserver.send(new InTopicsChangedMessage([23], []));
  onMover.send(new InTopicsChangedMessage([24], []));
  await onMover.until(() => onMover.end.inTopics.has(23));
  await onObserver.until(() => onObserver.end.inTopics.has(24));

  const leaves: string[] = [];
  mover.link.network.on('leave', (id, why) => leaves.push(`mover saw ${id} ${why}`));
  observer.link.network.on('leave', (id, why) => leaves.push(`observer saw ${id} ${why}`));
  const toObserver = ticker(onMover, 23);
  const toMover = ticker(onObserver, 24);
  try {
    // Flowing before the kill.
    await onObserver.until(() => onObserver.values().length > 0);
    await onMover.until(() => onMover.values().length > 0);

    const killedAt = Date.now();
    const sentBefore = [toObserver.sent, toMover.sent];
    await s1.kill();
    // Resumed: a message published after the kill arrives, each way.
    await onObserver.until(() => onObserver.values().some((v) => (v as number) >= sentBefore[0]!), 5000);
    await onMover.until(() => onMover.values().some((v) => (v as number) >= sentBefore[1]!), 5000);
    const resumedAfter = Date.now() - killedAt;
    expect(resumedAfter).toBeLessThan(5000);
    expect(mover.link.server).toBe(`127.0.0.1:${s2.port}`); // the next server of its list

    // The route to the address behind the mover came back too.
    onObserver.send(new AddressedMessage(31, 1, RawData.from('after the move')));
    await onMover.until(() => onMover.addressed().includes('after the move'), 5000);

    // Watch the mover's heartbeats (from the third server) until a death verdict would have fallen:
    // deadAfter plus one beat from the kill. Nobody may be declared dead, on either side.
    watcher = await connect({ servers: s3.url });
    await beatsFor(watcher, mover.link.subjects.state(mover.link.nodeId), DEFAULT_DEAD_AFTER + DEFAULT_HEARTBEAT_INTERVAL, killedAt);
    expect(leaves).toEqual([]);
    expect(observer.link.outTopics.has(23)).toBe(true);
    expect(mover.link.outTopics.has(24)).toBe(true);
    expect(observer.link.stats.nodes).toBe(1);
    expect(mover.link.stats.nodes).toBe(1);

    // Count: stop both sources, wait for their last messages (at most once, in order, nothing after a gap is lost).
    toObserver.stop();
    toMover.stop();
    const last = [toObserver.sent - 1, toMover.sent - 1];
    await onObserver.until(() => onObserver.values().includes(last[0]!), 5000);
    await onMover.until(() => onMover.values().includes(last[1]!), 5000);
    for (const [where, values, sent] of [
      ['to the observer', onObserver.values() as number[], toObserver.sent],
      ['to the mover', onMover.values() as number[], toMover.sent],
    ] as const) {
      expect(values).toEqual([...values].sort((a, b) => a - b)); // in order, no duplicates
      expect(new Set(values).size).toBe(values.length);
      const lost = sent - values.length;
      if (process.env.STREAMTASKS_NATS_REPORT) console.log(`failover ${where}: ${lost} of ${sent} messages lost, resumed after ${resumedAfter} ms`);
      expect(lost).toBeLessThan(sent / 2);
    }
  } finally {
    toObserver.stop();
    toMover.stop();
  }
}, 30_000);
