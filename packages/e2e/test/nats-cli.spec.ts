// The command line over NATS, as separate processes: node A runs discovery
// and is attached to NATS only; node B serves TCP and is attached to NATS.
// A client on B (over TCP) and commands that join the network over NATS
// (`--url nats://…`) reach each other through the NATS server: names,
// fetch (request/reply) and topics (pub/sub).
import { startNatsServer, type NatsServer } from '@streamtasks/testing';
import { CliProcess, run, startNodeProcess } from './process.js';

let server: NatsServer;
let nodeA: CliProcess;
let nodeB: CliProcess;
let tcpB: string;
let natsUrl: string;

beforeAll(async () => {
  server = await startNatsServer();
  natsUrl = `${server.url}?network=cli${process.pid}`;
  nodeA = new CliProcess(['node', '--core', '--no-node-socket', '--connect', natsUrl]);
  // A node process takes seconds to start on a loaded machine: the waits are generous, the hook's limit bounds them.
  await nodeA.waitFor(/connected to nats:\/\/.* \(cost 200\)/, 25_000);
  ({ node: nodeB, url: tcpB } = await startNodeProcess(['--no-node-socket', '--serve', 'tcp://127.0.0.1:0', '--connect', natsUrl]));
  await nodeB.waitFor(/connected to nats:\/\//, 25_000);
}, 60_000);

afterAll(async () => {
  // Both stopped (and the server killed) before anything is checked: a failed start leaves no process behind.
  const codes = [await nodeB?.stop(), await nodeA?.stop()];
  await server?.kill();
  expect(codes).toEqual([nodeB ? 0 : undefined, 0]);
});

test('a service on node B (TCP) is found and fetched from a command on NATS, with discovery on node A', async () => {
  const reply = new CliProcess(['reply', '--url', tcpB, '--name', 'nats-echo', 'echo']);
  await reply.waitFor(/serving "echo" as nats-echo/);
  const ok = await run(['request', '--url', natsUrl, 'nats-echo', 'echo', '{"across": "nats"}', '--timeout', '10']);
  expect(ok).toMatchObject({ code: 0, stdout: ['{"across":"nats"}'] });
  const resolved = await run(['resolve', '--url', natsUrl, 'nats-echo']);
  expect(resolved.code).toBe(0);
  expect(Number(resolved.stdout[0])).toBeGreaterThanOrEqual(10_000);
  expect(await reply.stop()).toBe(0);
}, 30_000);

test('sub over NATS prints what pub publishes on node B over TCP', async () => {
  const sub = new CliProcess(['sub', '--url', natsUrl, '100200', '--count', '3', '--timeout', '15']);
  // pub keeps publishing until the subscription has come through NATS.
  const pub = new CliProcess(['pub', '--url', tcpB, '100200', '--interval', '50', '--timeout', '15']);
  expect(await sub.exited).toBe(0);
  await pub.stop();
  const values = sub.stdout.map((l) => JSON.parse(l).value as number);
  expect(values).toHaveLength(3);
  expect(values[1]).toBe(values[0]! + 1);
}, 30_000);
