// Two streamtasks nodes joined through one nats-server (@streamtasks/nats),
// against the same two nodes joined by TCP, against plain nats.js doing the
// same work, all in this process: a publisher sends MessagePack payloads
// `{ timestamp, value, pad }` of 100 bytes (encoded on the publishing side,
// decoded on the subscribing side in all three), measured at the
// subscriber from the first message to the last. Then fan-out to 4
// subscriber nodes: the NATS messages the publishing node published per
// streamtasks message, at most 1.0 (a burst travels in batches: far less).
import { performance } from 'node:perf_hooks';
import { connect as natsConnect } from '@nats-io/transport-node';
import {
  InTopicsChangedMessage,
  MessageType,
  OutTopicsChangedMessage,
  RawData,
  Switch,
  TopicDataMessage,
  createQueueLinkPair,
} from '@streamtasks/link';
import { decodeValue, encodeValue } from '@streamtasks/link/internal';
import { connectNats } from '@streamtasks/nats';
import { connect, createServer } from '@streamtasks/transports';
import { natsUnavailable, size, startNatsServer, stopAll } from './_lib.mjs';

const MESSAGES = size(200_000, 50_000, 'BENCH_MESSAGES');
const FANOUT_MESSAGES = size(20_000, 5_000);
const TOPIC = 100;
const PAD = 'x'.repeat(60);

export const name = 'nats-link';
export const order = 45;
// Every in-process case gets an untimed run first, so that neither system is measured with cold code (the NATS client is shared).
export const warmup = true;
export const description =
  `${MESSAGES.toLocaleString('en-US')} messages of 100 bytes between two nodes in one process, through nats-server, ` +
  'over TCP, and with plain nats.js; fan-out to 4 nodes';

/** A node: a switch with one local participant (the far end of an in-process link). */
function node() {
  const sw = new Switch();
  const [inside, outside] = createQueueLinkPair();
  sw.addLink(inside);
  return { sw, end: outside };
}

/** Announces, subscribes, publishes MESSAGES and waits for the last one at every subscriber. */
async function pubsub(pubEnd, subEnds, messages) {
  pubEnd.send(new OutTopicsChangedMessage([{ id: TOPIC, cost: 0 }], []));
  for (const end of subEnds) {
    while (!end.outTopics.has(TOPIC)) await end.recv({ timeout: 10_000 });
  }
  const finished = subEnds.map((end) => {
    let received = 0;
    let checksum = 0;
    return new Promise((resolve, reject) => {
      end.setReceiver((m) => {
        if (m.type !== MessageType.TopicData) return;
        checksum += m.data.value.value;
        if (++received === messages) {
          if (checksum !== (messages * (messages - 1)) / 2) reject(new Error(`wrong payloads (checksum ${checksum})`));
          else resolve();
        }
      });
      end.send(new InTopicsChangedMessage([TOPIC], []));
    });
  });
  while (!pubEnd.inTopics.has(TOPIC)) await pubEnd.recv({ timeout: 10_000 });
  return { finished: Promise.all(finished) };
}

async function publish(pubEnd, messages) {
  for (let i = 0; i < messages; i++) {
    if (!pubEnd.send(new TopicDataMessage(TOPIC, RawData.from({ timestamp: Date.now(), value: i, pad: PAD })))) await pubEnd.drained();
  }
}

/** Node `a` publishes MESSAGES to node `b`; the rate at `b`. */
async function measure(a, b) {
  const { finished } = await pubsub(a.end, [b.end], MESSAGES);
  const t0 = performance.now();
  await publish(a.end, MESSAGES);
  await finished;
  return { ops: MESSAGES, seconds: (performance.now() - t0) / 1000, unit: 'msgs/s' };
}

async function overNats() {
  const { child: server, url } = await startNatsServer();
  const a = node();
  const b = node();
  const network = `bench${process.pid}`;
  const links = [];
  try {
    links.push(await connectNats(`nats://${url}?network=${network}`));
    a.sw.addLink(links[0]);
    links.push(await connectNats(`nats://${url}?network=${network}`));
    b.sw.addLink(links[1]);
    return await measure(a, b);
  } finally {
    a.sw.close();
    b.sw.close();
    await Promise.all(links.map((l) => l.released));
    await stopAll(server);
  }
}

async function overTcp() {
  const a = node();
  const b = node();
  const server = await createServer('tcp://127.0.0.1:0', { switch: a.sw });
  try {
    b.sw.addLink(await connect(server.url));
    return await measure(a, b);
  } finally {
    a.sw.close();
    b.sw.close();
    await server.close();
  }
}

/** The same work with plain nats.js: encode, publish on one subject, decode at the subscriber. */
async function plainNats() {
  const { child: server, url } = await startNatsServer();
  const pub = await natsConnect({ servers: url });
  const sub = await natsConnect({ servers: url });
  try {
    let received = 0;
    let checksum = 0;
    let done;
    const finished = new Promise((resolve) => (done = resolve));
    sub.subscribe('bench.nats-link', {
      callback: (_err, msg) => {
        checksum += decodeValue(msg.data).value;
        if (++received === MESSAGES) done();
      },
    });
    await sub.flush();
    const t0 = performance.now();
    for (let i = 0; i < MESSAGES; i++) {
      pub.publish('bench.nats-link', encodeValue({ timestamp: Date.now(), value: i, pad: PAD }));
      // Bounded buffering, as the NATS link's high-water mark does.
      if (i % 1000 === 999) await pub.flush();
    }
    await finished;
    const seconds = (performance.now() - t0) / 1000;
    if (checksum !== (MESSAGES * (MESSAGES - 1)) / 2) throw new Error(`wrong payloads (checksum ${checksum})`);
    return { ops: MESSAGES, seconds, unit: 'msgs/s' };
  } finally {
    await pub.close();
    await sub.close();
    await stopAll(server);
  }
}

/** Publishes to 4 subscriber nodes; returns the NATS messages the publishing node sent per streamtasks message. */
async function fanout() {
  const { child: server, url } = await startNatsServer();
  const network = `fanout${process.pid}`;
  const nodes = [node(), node(), node(), node(), node()];
  const links = [];
  try {
    for (const n of nodes) {
      // Heartbeats far apart: the count below is the data alone.
      const link = await connectNats({ url: `nats://${url}?network=${network}`, heartbeatInterval: 60_000, deadAfter: 120_000 });
      links.push(link);
      n.sw.addLink(link);
    }
    const [pub, ...subs] = nodes;
    const { finished } = await pubsub(pub.end, subs.map((s) => s.end), FANOUT_MESSAGES);
    while (links[0].requesterCount(TOPIC) < 4) await new Promise((resolve) => links[0].network.once('change', resolve));
    const before = links[0].stats.published;
    await publish(pub.end, FANOUT_MESSAGES);
    await finished;
    return { value: (links[0].stats.published - before) / FANOUT_MESSAGES, unit: 'NATS messages per message' };
  } finally {
    for (const n of nodes) n.sw.close();
    await Promise.all(links.map((l) => l.released));
    await stopAll(server);
  }
}

const workload = `2 nodes, ${MESSAGES / 1000} k × 100 B, encoded`;
export const cases = [
  { name: 'streamtasks over NATS', workload, run: overNats, skip: natsUnavailable, target: { ratio: 0.8 } },
  { name: 'plain nats.js', workload, system: 'nats', run: plainNats, skip: natsUnavailable },
  { name: 'streamtasks over TCP', workload: `${workload} (TCP)`, run: overTcp },
  { name: 'fan-out to 4 nodes', workload: 'NATS publications per message', run: fanout, skip: natsUnavailable, target: { max: 1.0 } },
];
