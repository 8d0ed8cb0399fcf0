// Many clients: 2 000 clients (in two processes of 1 000), each on its own
// TCP connection to one server process and subscribed to its own topic; one
// publisher process writes 100-byte encoded messages round-robin over all
// 2 000 topics. Every client checks that its messages arrive complete and in
// order. Traffic starts once every client has heard of its topic's provider
// (streamtasks announces every topic to every link: 2 000 × 2 000 routes
// that are set-up, not timed). Figures: deliveries per second (first arrival to last, at any
// client), and the server's resident memory (RSS) with the clients connected,
// read from /proc after the traffic. The streamtasks server is a switch with
// a TCP server (what `streamtasks node` runs, with the connection limit
// raised above its default of 1 024).
import { measured, natsUnavailable, size, startNatsServer, startWorker, stopAll } from './_lib.mjs';
import { combine, rssMB, startNetWorker } from './_net.mjs';

const CLIENTS = 2_000;
const PROCESSES = 2;
const ROUNDS = size(50, 10);
const FIRST_TOPIC = 200_000;

export const name = 'tcp-many-clients';
export const order = 46;
export const warmup = false;
export const timeout = 240_000;
export const description =
  `${CLIENTS.toLocaleString('en-US')} clients, each on its own connection and topic, ${ROUNDS} rounds of one 100-byte message to every topic ` +
  'from one publisher process; deliveries/s and the server process\'s RSS';

async function run(system) {
  let server;
  const children = [];
  try {
    let url;
    if (system === 'nats') {
      server = await startNatsServer();
      url = server.url;
      server = server.child;
    } else {
      server = startWorker('idle-node', { maxConnections: CLIENTS + 100 });
      url = (await server.waitFor(/^LISTENING (\S+)/))[1];
    }
    children.push(server);
    const per = CLIENTS / PROCESSES;
    const subs = Array.from({ length: PROCESSES }, (_, p) =>
      system === 'nats'
        ? startNetWorker('many-nats-subs', { url, clients: per, first: p * per, perClient: ROUNDS })
        : startNetWorker('many-st-subs', { url, clients: per, firstTopic: FIRST_TOPIC + p * per, perClient: ROUNDS }),
    );
    children.push(...subs);
    await Promise.all(subs.map((s) => s.waitFor(/^READY/, 120_000)));
    const pub =
      system === 'nats'
        ? startNetWorker('rr-nats-pub', { url, topics: CLIENTS, rounds: ROUNDS })
        : startNetWorker('rr-st-pub', { url, topics: CLIENTS, firstTopic: FIRST_TOPIC, rounds: ROUNDS });
    children.push(pub);
    // Traffic starts once the publisher is set up and every client has heard of its provider.
    await pub.waitFor(/^READY/, 120_000);
    await Promise.all(subs.map((s) => s.waitFor(/^ROUTED/, 120_000)));
    pub.send('go');
    const results = await Promise.all(subs.map((s) => s.result(120_000)));
    const rss = rssMB(server.pid);
    measured.set(`many-clients-rss-${system}`, rss);
    return { ...combine(results, { unit: 'deliveries/s' }), note: `server RSS ${rss?.toFixed(1)} MB with ${CLIENTS} clients` };
  } finally {
    await stopAll(...children);
  }
}

/** The server RSS of the deliveries run just before (the cases are interleaved), or of a run of its own. */
async function rss(system) {
  const key = `many-clients-rss-${system}`;
  if (!measured.has(key)) await run(system);
  const value = measured.get(key);
  measured.delete(key);
  return { value, unit: 'MB' };
}

const deliveries = `${CLIENTS.toLocaleString('en-US')} clients, round-robin`;
const memory = `server RSS, ${CLIENTS.toLocaleString('en-US')} clients`;
export const cases = [
  { name: 'streamtasks', workload: deliveries, run: () => run('streamtasks'), target: { ratio: 1.5 } },
  { name: 'NATS', workload: deliveries, system: 'nats', run: () => run('nats'), skip: natsUnavailable },
  { name: 'streamtasks RSS', workload: memory, run: () => rss('streamtasks'), target: { maxRatio: 1.2 } },
  { name: 'NATS RSS', workload: memory, system: 'nats', run: () => rss('nats'), skip: natsUnavailable },
];
