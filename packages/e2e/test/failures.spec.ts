// Failures as a user meets them, with separate processes over real TCP on
// 127.0.0.1: a node that dies under its clients, a service that crashes
// holding a name, a second service asking for the same name, a server that
// never answers, and a node stopped with SIGTERM.
import { createServer as createNetServer, type Socket } from 'node:net';
import { trackAddressNames } from '@streamtasks/discovery';
import { openClient } from '@streamtasks/cli';
import type { Id } from '@streamtasks/link';
import { CliProcess, run, startNodeProcess } from './process.js';

/** Exit code 4: the connection could not be made or was lost (packages/cli README). */
const CONNECTION_LOST = 4;

function oneErrorLine(p: { stderr: string[] }): string {
  const errors = p.stderr.filter((line) => line.startsWith('error: '));
  expect(errors).toHaveLength(1);
  return errors[0]!;
}

/** Resolves once `p` has printed `count` stdout lines matching `re`. */
async function linesMatching(p: CliProcess, re: RegExp, count: number): Promise<void> {
  while (p.stdout.filter((line) => re.test(line)).length < count) {
    await new Promise((resolve) => p.child.stdout!.once('data', resolve));
    await new Promise((resolve) => setImmediate(resolve)); // readline hands the line on after the data event
  }
}

test.each([['SIGKILL'], ['SIGTERM']] as const)('when the node goes (%s), sub, pub and reply say so in one line and exit with 4', async (sig) => {
  const { node, url } = await startNodeProcess(['--core', '--serve', 'tcp://127.0.0.1:0']);
  // --timeout must not turn a lost connection into a wait of 60 s.
  const sub = new CliProcess(['sub', '--url', url, '--timeout', '60', '100500']);
  const pub = new CliProcess(['pub', '--url', url, '100501']);
  const reply = new CliProcess(['reply', '--url', url, '--name', `gone-${sig}`, 'echo']);
  await reply.waitFor(/serving "echo"/);
  await linesMatching(node, / accepted on /, 3); // sub and pub are connected too
  node.child.kill(sig);
  for (const p of [sub, pub, reply]) {
    expect(await p.exited).toBe(CONNECTION_LOST);
    await new Promise((resolve) => setImmediate(resolve));
    expect(oneErrorLine(p)).toMatch(new RegExp(`^error: the connection to ${url.replace(/[.]/g, '\\.')} closed`));
  }
  await node.exited;
});

test('names follow liveness: a taken name is refused (exit 2); a SIGKILLed holder releases it', async () => {
  const { node, url } = await startNodeProcess(['--core', '--serve', 'tcp://127.0.0.1:0']);
  const watcher = await openClient(url, { address: true, timeout: 5000 });
  try {
    const tracker = await trackAddressNames(watcher, { timeout: 5000 });
    const first = new CliProcess(['reply', '--url', url, '--name', 'echo-svc', 'echo']);
    await first.waitFor(/serving "echo" as echo-svc/);
    const second = await run(['reply', '--url', url, '--name', 'echo-svc', 'echo']);
    expect(second.code).toBe(2);
    expect(oneErrorLine(second)).toMatch(/^error: bad_request: address name "echo-svc" is held by address \d+/);
    await expect(run(['request', '--url', url, 'echo-svc', 'echo', '1'])).resolves.toMatchObject({ code: 0, stdout: ['1'] });

    const released = new Promise<Id | undefined>((resolve) => {
      tracker.events.on('change', (name, address) => {
        if (name === 'echo-svc' && address === undefined) resolve(address);
      });
    });
    await first.kill();
    await released;
    const gone = await run(['resolve', '--url', url, 'echo-svc']);
    expect(gone.code).toBe(2);
    expect(oneErrorLine(gone)).toMatch(/"echo-svc" is not registered/);

    const next = new CliProcess(['reply', '--url', url, '--name', 'echo-svc', 'echo']);
    await next.waitFor(/serving "echo" as echo-svc/);
    await expect(run(['request', '--url', url, 'echo-svc', 'echo', '2'])).resolves.toMatchObject({ code: 0, stdout: ['2'] });
    expect(await next.stop()).toBe(0);
    tracker.stop();
  } finally {
    watcher.close();
    await node.stop();
  }
});

test('--timeout bounds the whole command, connect and handshake included', async () => {
  // A server that accepts and never answers the handshake.
  const sockets = new Set<Socket>();
  const silent = createNetServer((socket) => sockets.add(socket));
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  const url = `tcp://127.0.0.1:${(silent.address() as { port: number }).port}`;
  try {
    const results = await Promise.all([
      run(['sub', '--url', url, '--timeout', '0.3', '100000']),
      run(['pub', '--url', url, '--timeout', '0.3', '100000']),
      run(['request', '--url', url, '--timeout', '0.3', 'x', 'y']),
      run(['resolve', '--url', url, '--timeout', '0.3', 'x']),
      run(['signal', '--url', url, '--timeout', '0.3', 'x', 'y']),
      run(['reply', '--url', url, '--timeout', '0.3', '--name', 'x', 'y']),
    ]);
    for (const result of results) {
      expect(result.code).toBe(3);
      expect(oneErrorLine(result)).toMatch(/^error: timed out after \d+ ms waiting for the handshake reply from tcp:\/\/127\.0\.0\.1/);
    }
  } finally {
    for (const s of sockets) s.destroy();
    await new Promise((resolve) => silent.close(resolve));
  }
});

test('an idle node exits within 0.5 s of SIGTERM', async () => {
  // Process start-up is not measured: only the time from the signal to the exit. Best of three.
  const times: number[] = [];
  for (let i = 0; i < 3 && !times.some((t) => t < 500); i++) {
    const { node } = await startNodeProcess(['--core', '--serve', 'tcp://127.0.0.1:0']);
    const start = performance.now();
    node.child.kill('SIGTERM');
    expect(await node.exited).toBe(0);
    times.push(performance.now() - start);
  }
  expect(Math.min(...times)).toBeLessThan(500);
});
