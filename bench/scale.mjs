// How the network scales, in process unless said otherwise:
// - routing cost per message through a Switch with 10 and with 100 000
//   topics provided and requested: messages cycling through 10 of them (the
//   cost of having many registered), and through all 100 000 (the working
//   set no longer fits in the CPU caches);
// - fan-out of one publisher to 1, 10 and 100 subscriber links;
// - memory of 100 000 topics provided by one client and requested by another
//   through a Switch (a fresh process, heap + external growth after GC);
// - memory per idle TCP connection of a node process holding 10 000 of them
//   (RSS growth of the node process after GC).
import { performance } from 'node:perf_hooks';
import { setTimeout } from 'node:timers';
import {
  InTopicsChangedMessage,
  MessageType,
  OutTopicsChangedMessage,
  RawData,
  Switch,
  TopicDataMessage,
  createQueueLinkPair,
} from '@streamtasks/link';
import { Child, size, startWorker, stopAll, workerPath } from './_lib.mjs';

const ROUTED = size(1_000_000, 200_000);
const DELIVERIES = size(1_000_000, 200_000);
const MANY_TOPICS = 100_000;
const IDLE_CONNECTIONS = size(10_000, 2_000, 'BENCH_IDLE_CONNECTIONS');

export const name = 'scale';
export const order = 60;
export const warmup = false;
export const description =
  'routing cost with 10 vs 100 000 topics; fan-out to 1/10/100 subscriber links; memory of 100 000 topics; ' +
  `memory per idle TCP connection (${IDLE_CONNECTIONS.toLocaleString('en-US')} connections to one node process)`;

/** Waits until `check()` holds, giving the queue links' microtasks and timers a chance to run. */
async function until(check, what) {
  const deadline = Date.now() + 30_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
}

/** One publisher link and `subscribers` subscriber links on a Switch, with `topics` topics provided and requested by all. */
async function setUp(topics, subscribers) {
  const hub = new Switch();
  const [pubSide, pub] = createQueueLinkPair();
  hub.addLink(pubSide);
  const ids = Array.from({ length: topics }, (_, i) => 1_000 + i);
  pub.send(new OutTopicsChangedMessage(ids.map((id) => ({ id, cost: 0 })), []));
  pub.setReceiver(() => {});
  const subs = [];
  for (let s = 0; s < subscribers; s++) {
    const [subSide, sub] = createQueueLinkPair();
    hub.addLink(subSide);
    sub.setReceiver(() => {});
    sub.send(new InTopicsChangedMessage(ids, []));
    subs.push(sub);
  }
  await until(() => pub.inTopics.size === topics && ids.every((id) => hub.subscriberCount(id) === subscribers || id !== ids[topics - 1]), 'the subscriptions');
  const close = () => {
    hub.close();
    pub.close();
    for (const s of subs) s.close();
  };
  return { hub, pub, subs, ids, close };
}

/** Sends `messages` messages cycling through the first `active` topics; resolves when every subscriber has all of them. */
async function pump(net, messages, active = net.ids.length) {
  const { pub, subs } = net;
  const ids = net.ids.slice(0, active);
  let outstanding = subs.length;
  let done;
  const finished = new Promise((resolve) => (done = resolve));
  for (const sub of subs) {
    let n = 0;
    sub.setReceiver((m) => {
      if (m.type === MessageType.TopicData && ++n === messages && --outstanding === 0) done();
    });
  }
  const data = RawData.from({ timestamp: 0, value: 1 });
  const t0 = performance.now();
  for (let i = 0, t = 0; i < messages; i++) {
    if (!pub.send(new TopicDataMessage(ids[t], data))) await pub.drained();
    if (++t === ids.length) t = 0;
  }
  await finished;
  return (performance.now() - t0) / 1000;
}

async function routing(topics, active) {
  const net = await setUp(topics, 1);
  try {
    await pump(net, Math.min(ROUTED, 100_000), active); // warm-up
    const seconds = await pump(net, ROUTED, active);
    return { value: (seconds * 1e9) / ROUTED, unit: 'ns/msg' };
  } finally {
    net.close();
  }
}

async function fanOut(subscribers) {
  const net = await setUp(1, subscribers);
  const messages = Math.max(1_000, Math.round(DELIVERIES / subscribers));
  try {
    await pump(net, Math.max(100, messages >> 3)); // warm-up
    const seconds = await pump(net, messages);
    return { ops: messages * subscribers, seconds, unit: 'deliveries/s' };
  } finally {
    net.close();
  }
}

async function topicsMemory() {
  const child = startWorker('topics-memory', { topics: MANY_TOPICS }, { nodeArgs: ['--expose-gc'] });
  try {
    const r = await child.result(60_000);
    return { value: r.heapMB, unit: 'MB', note: `100 000 topics: heap + external +${r.heapMB.toFixed(1)} MB, RSS +${r.rssMB.toFixed(1)} MB` };
  } finally {
    await stopAll(child);
  }
}

/** Node in a shell that raised its open-file limit first; the limit it got is printed as `NOFILE n`. */
function withFileLimit(role, args, nodeArgs = []) {
  const script = 'ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null; echo "NOFILE $(ulimit -n)"; exec "$0" "$@"';
  return new Child('/bin/sh', ['-c', script, process.execPath, ...nodeArgs, workerPath, role, JSON.stringify(args)], { name: role });
}

async function idleConnections() {
  const WARM = 100;
  const node = withFileLimit('idle-node', { maxConnections: IDLE_CONNECTIONS + WARM + 100 }, ['--expose-gc']);
  const clients = [];
  try {
    const nodeLimit = Number((await node.waitFor(/^NOFILE (\S+)/))[1]);
    const url = (await node.waitFor(/^LISTENING (\S+)/))[1];
    const measureNode = async (expect) => {
      for (;;) {
        const seen = node.lines.length;
        node.send('measure');
        await node.waitFor(/^MEM /);
        const line = node.lines.slice(seen).find((l) => l.startsWith('MEM ')) ?? node.lines.findLast((l) => l.startsWith('MEM '));
        const mem = JSON.parse(line.slice(4));
        if (mem.connections >= expect) return mem;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    };
    const open = async (count) => {
      const c = withFileLimit('idle-clients', { url, count });
      clients.push(c);
      const limit = Number((await c.waitFor(/^NOFILE (\S+)/))[1]);
      await c.waitFor(/^CONNECTED/, 120_000);
      return limit;
    };
    const clientLimit = await open(WARM);
    let count = IDLE_CONNECTIONS;
    const limit = Math.min(Number.isFinite(nodeLimit) ? nodeLimit : Infinity, Number.isFinite(clientLimit) ? clientLimit : Infinity);
    let note = '';
    if (count + WARM + 100 > limit) {
      count = Math.max(100, limit - WARM - 100);
      note = `open-file limit ${limit}: measured ${count} connections instead of ${IDLE_CONNECTIONS}`;
    }
    const before = await measureNode(WARM);
    await open(count);
    const after = await measureNode(WARM + count);
    const rssKB = (after.rss - before.rss) / 1024 / count;
    const heapKB = (after.heapUsed + after.external - before.heapUsed - before.external) / 1024 / count;
    note = `${count} idle connections: RSS +${rssKB.toFixed(1)} KB, heap + external +${heapKB.toFixed(1)} KB per connection${note ? `; ${note}` : ''}`;
    return { value: rssKB, unit: 'KB/conn', note };
  } finally {
    await stopAll(...clients, node);
  }
}

export const cases = [
  { name: 'routing, 10 topics', run: () => routing(10, 10) },
  {
    name: 'routing, 100 000 topics (10 active)',
    run: () => routing(MANY_TOPICS, 10),
    target: { flatAgainst: 'routing, 10 topics', flatFactor: 1.25 },
  },
  { name: 'routing, 100 000 topics (all active)', run: () => routing(MANY_TOPICS, MANY_TOPICS) },
  { name: 'fan-out to 1', run: () => fanOut(1) },
  { name: 'fan-out to 10', run: () => fanOut(10) },
  { name: 'fan-out to 100', run: () => fanOut(100) },
  { name: 'memory, 100 000 topics', run: topicsMemory, target: { max: 100 } },
  { name: 'memory per idle TCP connection', run: idleConnections, target: { max: 20 }, timeout: 300_000 },
];
