// A rogue NATS client publishing garbage on a network's subjects: every
// node reports it, drops it and keeps serving.
import { connect, headers } from '@nats-io/transport-node';
import { InTopicsChangedMessage, OutTopicsChangedMessage, RawData, TopicDataMessage } from '@streamtasks/link';
import { encodeValue } from '@streamtasks/link/internal';
import { RoguePublishError } from '@streamtasks/nats';
import { startNatsServer, type NatsServer } from '@streamtasks/testing';
import { freshNetwork, startNode, untilKnown, type TestNode } from './helpers.js';

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

test('garbage on every kind of subject is reported and dropped; the nodes keep serving', async () => {
  const url = `${server.url}?network=${freshNetwork()}`;
  const [p, r] = [await startNode(url), await startNode(url)];
  nodes.push(p, r);
  await untilKnown(r.link, 1);
  const provider = p.participant();
  provider.send(new OutTopicsChangedMessage([{ id: 40, cost: 0 }], []));
  const subscriber = r.participant();
  await subscriber.until(() => subscriber.end.outTopics.has(40));
  subscriber.send(new InTopicsChangedMessage([40], []));
  await provider.until(() => provider.end.inTopics.has(40));
  const errors: Error[] = [];
  r.link.events.on('error', (err) => errors.push(err));

  const s = r.link.subjects;
  const ids = [p.link.nodeId, r.link.nodeId];
  const garbage: Array<[string, Uint8Array]> = [
    [s.node(ids[1]!), new Uint8Array([0xc1])], // not MessagePack
    [s.node(ids[1]!), encodeValue({ _id: 0, topic: 40 })], // data without its payload
    [s.topic(ids[0]!, 40), encodeValue({ _id: 0, topic: 40, data: new Uint8Array([1]) })], // a frame, not a run of entries
    [s.topic(ids[0]!, 40), new Uint8Array([0xc4, 10, 1])], // a payload that runs past the end
    [s.topic(ids[0]!, 40), new Uint8Array([0xc4, 1, 0x01, 0x92])], // a good entry, then garbage: nothing is delivered
    [s.topic(ids[0]!, 40), new Uint8Array(0)],
    [s.state(ids[0]!), encodeValue({ kind: 'change', node: 'someoneelse', seq: 9 })], // a state under another node's name
    [s.state(ids[0]!), encodeValue({ kind: 'change', node: ids[0], seq: 1, provide: [1, -5] })], // a negative cost
    [s.state(ids[0]!), encodeValue([1, 2, 3])],
    [s.hello, encodeValue({ kind: 'full', node: 'x1', seq: 0 })], // a hello without its reply subject
    [s.snap(ids[1]!), new Uint8Array(0)],
    [s.node(ids[1]!), new Uint8Array(Array.from({ length: 5000 }, () => 0x91))], // deep nesting
  ];
  const rogue = await connect({ servers: server.url });
  try {
    for (const [subject, bytes] of garbage) rogue.publish(subject, bytes);
    // Pieces that never finish, each declaring 16 MiB: bounded, counted, never stuck.
    for (let i = 0; i < 10; i++) {
      const h = headers();
      h.set('Streamtasks-Piece', `rogue${i} 1 0 4 ${16 * 1024 * 1024}`);
      rogue.publish(s.node(ids[1]!), new Uint8Array(100), { headers: h });
    }
    await rogue.flush();
  } finally {
    await rogue.close();
  }
  // The provider's next message arrives after all of that.
  provider.send(new TopicDataMessage(40, RawData.from('still serving')));
  expect(await subscriber.data(1)).toEqual(['still serving']);
  expect(errors.filter((e) => e instanceof RoguePublishError)).toHaveLength(garbage.length);
  expect(r.link.stats.rejected).toBe(garbage.length);
  // Four unfinished 16 MiB messages fill the buffer of all senders together (64 MiB); six more were dropped to make room.
  expect(r.link.stats.piecesDropped).toBe(6);
  expect(r.link.stats.nodes).toBe(1);
  expect(subscriber.end.outTopics.has(40)).toBe(true);
});
