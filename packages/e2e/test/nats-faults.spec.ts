// The long stream of the faults scenarios with NATS in the middle: three
// node processes, each attached to one nats-server and to nothing else;
// clients over TCP on two of them publish, a client on the third
// subscribes. Nothing may be lost and the order per topic and provider
// must hold (core NATS is at most once, but nothing fails here).
import type { Id } from '@streamtasks/link';
import type { Client } from '@streamtasks/client';
import { OutTopic } from '@streamtasks/topic';
import { openClient } from '@streamtasks/cli';
import { startNatsServer, type NatsServer } from '@streamtasks/testing';
import { CliProcess } from './process.js';

let server: NatsServer;
const processes: CliProcess[] = [];
const clients: Client[] = [];
beforeAll(async () => {
  server = await startNatsServer();
});
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await Promise.all(processes.splice(0).map((p) => p.kill()));
});
afterAll(async () => {
  await server?.kill();
});

/** Starts `streamtasks node …` attached to NATS; returns its TCP URL once it is ready. */
async function natsNode(natsUrl: string): Promise<string> {
  const p = new CliProcess(['node', '--no-node-socket', '--serve', 'tcp://127.0.0.1:0', '--connect', natsUrl]);
  processes.push(p);
  // A node process takes seconds to start on a loaded machine.
  const [, url] = await p.waitFor(/listening on (\S+)/, 25_000);
  await p.waitFor(/connected to nats:\/\//, 25_000);
  return url!;
}

async function client(url: string): Promise<Client> {
  const c = await openClient(url, { address: false, timeout: 10_000 });
  clients.push(c);
  return c;
}

test('50 000 messages through three switches joined by NATS: none lost, order kept per topic and provider', async () => {
  const natsUrl = `${server.url}?network=faults${process.pid}`;
  const [a, b, c] = await Promise.all([natsNode(natsUrl), natsNode(natsUrl), natsNode(natsUrl)]);
  const onA = await client(a);
  const onB = await client(b);
  const onC = await client(c);
  const topics = [400_104, 400_105];
  const outs = [new OutTopic(onA, topics[0]!), new OutTopic(onB, topics[1]!)];
  const expected = new Map<Id, number>(topics.map((t) => [t, 0]));
  const PER_TOPIC = 25_000;
  let total = 0;
  const failures: string[] = [];
  let done!: () => void;
  const all = new Promise<void>((resolve) => (done = resolve));
  for (const topic of topics) {
    onC.subscribe(topic, {
      data: (data) => {
        const { n } = data.value as { n: number };
        if (n !== expected.get(topic)) failures.push(`topic ${topic}: #${n} instead of #${expected.get(topic)}`);
        expected.set(topic, n + 1);
        if (++total === 2 * PER_TOPIC) done();
      },
    });
  }
  await Promise.all(outs.map((o) => o.waitRequested(true, { timeout: 20_000 })));
  for (let n = 0; n < PER_TOPIC; n++) await Promise.all(outs.map((o) => o.send({ n })));
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<void>((resolve) => (timer = setTimeout(resolve, 60_000)));
  await Promise.race([all, late]);
  clearTimeout(timer);
  expect(failures).toEqual([]);
  expect(total).toBe(2 * PER_TOPIC);
}, 120_000);
