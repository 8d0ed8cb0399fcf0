// The command line end to end, as separate processes over real TCP on
// 127.0.0.1: a node with discovery, pub + sub, reply + request (and the
// error exit), resolve, signal, and a clean stop on SIGINT.
import { SignalServer } from '@streamtasks/signal';
import { registerAddressName } from '@streamtasks/discovery';
import { openClient } from '@streamtasks/cli';
import { CliProcess, run, startNodeProcess } from './process.js';

let node: CliProcess;
let url: string;
beforeAll(async () => {
  ({ node, url } = await startNodeProcess(['--core', '--serve', 'tcp://127.0.0.1:0']));
});
afterAll(async () => {
  expect(await node.stop()).toBe(0);
  expect(node.stdout.at(-1)).toMatch(/stopped$/);
});

test('--help lists the commands', async () => {
  const { code, stdout } = await run(['--help']);
  expect(code).toBe(0);
  expect(stdout.join('\n')).toMatch(/node .*\n.*pub .*\n.*sub /);
  const sub = await run(['sub', '--help']);
  expect(sub.stdout[0]).toMatch(/^usage: streamtasks sub/);
});

test('sub prints what pub publishes, one JSON per line', async () => {
  const sub = new CliProcess(['sub', '--url', url, '100000', '--count', '3', '--timeout', '10']);
  const pub = await run(['pub', '--url', url, '100000', '--count', '3', '--interval', '10', '--timeout', '10']);
  expect(pub.code).toBe(0);
  expect(await sub.exited).toBe(0);
  expect(sub.stdout.map((l) => JSON.parse(l).value)).toEqual([0, 1, 2]);
});

test('pub with a fixed JSON payload keeps 64-bit integers exact', async () => {
  const sub = new CliProcess(['sub', '--url', url, '100001', '--count', '1']);
  const pub = await run(['pub', '--url', url, '100001', '{"id": 18446744073709551615}', '--count', '1']);
  expect(pub.code).toBe(0);
  expect(await sub.exited).toBe(0);
  expect(sub.stdout).toEqual(['{"id":18446744073709551615}']);
});

test('request gets the answer of reply; errors exit with 2 and name the code', async () => {
  const reply = new CliProcess(['reply', '--url', url, '--name', 'echo-svc', 'echo']);
  await reply.waitFor(/serving "echo" as echo-svc/);
  const ok = await run(['request', '--url', url, 'echo-svc', 'echo', '{"hello": "world"}']);
  expect(ok).toMatchObject({ code: 0, stdout: ['{"hello":"world"}'] });
  const missing = await run(['request', '--url', url, 'echo-svc', 'nope']);
  expect(missing.code).toBe(2);
  expect(missing.stderr.join('\n')).toMatch(/error: not_found: nope/);
  const resolved = await run(['resolve', '--url', url, 'echo-svc']);
  expect(resolved.code).toBe(0);
  expect(Number(resolved.stdout[0])).toBeGreaterThanOrEqual(10_000);
  expect(await reply.stop()).toBe(0);
  // The name was unregistered on the way out.
  const gone = await run(['resolve', '--url', url, 'echo-svc']);
  expect(gone.code).toBe(2);
});

test('request to a silent target times out with exit code 3', async () => {
  const silent = await run(['request', '--url', url, '99999', 'x', '--timeout', '0.3']);
  expect(silent.code).toBe(3);
  expect(silent.stderr.join('\n')).toMatch(/timed out/);
});

test('signal reaches a signal route by name', async () => {
  const receiver = await openClient(url, { address: true, timeout: 5000 });
  try {
    const got = new Promise<unknown>((resolve) => {
      new SignalServer(receiver).route('ping', (body) => resolve(body)).start();
    });
    await registerAddressName(receiver, 'signal-target', undefined, { timeout: 5000 });
    const sent = await run(['signal', '--url', url, 'signal-target', 'ping', '{"x": 1}']);
    expect(sent.code).toBe(0);
    await expect(got).resolves.toEqual({ x: 1 });
  } finally {
    receiver.close();
  }
});

test('usage mistakes exit with 1 and show the usage', async () => {
  const bad = await run(['sub', '--url', url]);
  expect(bad.code).toBe(1);
  expect(bad.stderr.join('\n')).toMatch(/missing TOPIC[\s\S]*usage: streamtasks sub/);
  const unknown = await run(['frobnicate']);
  expect(unknown.code).toBe(1);
});

test('the URL can come from STREAMTASKS_URL', async () => {
  const { code } = await run(['resolve', 'nobody-here'], { STREAMTASKS_URL: url });
  expect(code).toBe(2);
});
