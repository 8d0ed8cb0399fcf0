// The observability commands end to end, as separate processes over real
// TCP: `streamtasks node --monitor`, `topics`, `addresses`, `names` (also
// against a discovery without the list route, as the Python one), and
// `top`, as plain lines and in a real terminal (tmux).
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Switch, createQueueLinkPair } from '@streamtasks/link';
import { Client, DISCOVERY_ADDRESS, Ports, Topics } from '@streamtasks/client';
import { fetchResponsePayload, parseFetchRequest } from '@streamtasks/client/internal';
import { SignalServer } from '@streamtasks/signal';
import { registerAddressName } from '@streamtasks/discovery';
import { outTopic } from '@streamtasks/topic';
import { createServer } from '@streamtasks/transports';
import { openClient } from '@streamtasks/cli';
import { CLI, run, startNodeProcess, type CliProcess } from './process.js';

let node: CliProcess;
let url: string;
let monitor: string;
let service: Client;

beforeAll(async () => {
  ({ node, url } = await startNodeProcess(['--core', '--serve', 'tcp://127.0.0.1:0', '--monitor', '127.0.0.1:0']));
  [, monitor] = (await node.waitFor(/monitor on (http:\S+)/)) as unknown as [string, string];
  service = await openClient(url, { address: true, timeout: 5000 });
  await registerAddressName(service, 'ops-svc', undefined, { timeout: 5000 });
  service.registerOutTopics([300_000]);
});

afterAll(async () => {
  service?.close();
  expect(await node.stop()).toBe(0);
});

test('topics prints the provided topics with their cost, as a table and as JSON', async () => {
  const table = await run(['topics', '--url', url]);
  expect(table.code).toBe(0);
  expect(table.stdout[0]).toMatch(/^ *TOPIC {2}COST$/);
  const rows = table.stdout.slice(1).map((l) => l.trim().split(/\s+/).map(Number));
  expect(rows).toEqual(expect.arrayContaining([[0, 101], [1, 101], [300_000, 200]]));
  const json = await run(['topics', '--url', url, '--json']);
  expect(JSON.parse(json.stdout[0]!)).toEqual(expect.arrayContaining([{ topic: 300_000, cost: 200 }, { topic: 0, cost: 101 }]));
});

test('addresses prints the reachable addresses', async () => {
  const { code, stdout } = await run(['addresses', '--url', url, '--json']);
  expect(code).toBe(0);
  expect(JSON.parse(stdout[0]!)).toEqual(expect.arrayContaining([{ address: 0, cost: 101 }, { address: service.address, cost: 200 }]));
});

test('names lists the registered names', async () => {
  const table = await run(['names', '--url', url]);
  expect(table.code).toBe(0);
  expect(table.stdout[0]).toMatch(/^NAME\s+ADDRESS$/);
  expect(table.stdout).toContainEqual(expect.stringMatching(new RegExp(`^ops-svc\\s+${service.address}$`)));
  const json = await run(['names', '--url', url, '--json']);
  expect(JSON.parse(json.stdout[0]!)).toContainEqual({ name: 'ops-svc', address: service.address });
});

test('names says clearly that a discovery without the list route does not support it', async () => {
  // A discovery as the Python one: it hands out addresses and resolves
  // names, and leaves requests for unknown descriptors unanswered.
  const hub = new Switch();
  const server = await createServer('tcp://127.0.0.1:0', { switch: hub });
  const [switchSide, discoverySide] = createQueueLinkPair();
  hub.addLink(switchSide);
  const discovery = new Client(discoverySide).start();
  discovery.setAddress(DISCOVERY_ADDRESS);
  discovery.registerOutTopics([Topics.DISCOVERY_SIGNAL, Topics.ADDRESSES_CREATED]);
  let next = 10_000;
  const signals = new SignalServer(discovery)
    .route('request_addresses', (body) => {
      const { count, request_id } = body as { count: number; request_id: bigint };
      const addresses = Array.from({ length: count }, () => next++);
      discovery.sendStreamData(Topics.ADDRESSES_CREATED, { addresses, request_id });
    })
    .start();
  discovery.listenPort(Ports.FETCH, (message) => {
    const request = parseFetchRequest(message.data.value);
    if (request?.descriptor !== 'resolve_address_name') return; // silence, as in Python
    discovery.sendToAddress(request.returnAddress, request.returnPort, fetchResponsePayload({ address: null }, false));
  });
  try {
    const { code, stderr } = await run(['names', '--url', server.url]);
    expect(stderr).toEqual([expect.stringMatching(/^error: the discovery service does not support list_address_names/)]);
    expect(code).toBe(2);
  } finally {
    signals.stop();
    discovery.close();
    await server.close();
    hub.close();
  }
});

test('top prints plain lines when stdout is not a terminal', async () => {
  const out = outTopic(service, 300_000);
  const { code, stdout } = await run(['top', '--monitor', monitor, '--count', '2', '--interval', '0.2']);
  expect(code).toBe(0);
  const text = stdout.join('\n');
  expect(text.includes('\u001b')).toBe(false);
  expect(text).toMatch(/^streamtasks top - http:\/\/127\.0\.0\.1:\d+ {3}uptime \d+s {3}links 2 {3}topics 3/m);
  expect(text).toMatch(/^ID\s+KIND\s+REMOTE\s+COST\s+MSG\/S IN/m);
  expect(stdout.filter((l) => /^\d{4}-\d\d-\d\dT.* links by msg_rate$/.test(l))).toHaveLength(2);
  const topics = await run(['top', '--monitor', monitor, '--topics', '--count', '1']);
  expect(topics.stdout.join('\n')).toMatch(/^ *TOPIC\s+COST\s+PROVIDER\s+SUBS\s+MSG\/S/m);
  expect(topics.stdout.join('\n')).toMatch(/^300000\s+100\s+link \d+/m);
  out.close();
});

test('top fails in one line when the monitor is not there', async () => {
  const { code, stderr } = await run(['top', '--monitor', 'http://127.0.0.1:1', '--count', '1']);
  expect(code).toBe(1);
  expect(stderr).toEqual([expect.stringMatching(/^error: cannot read the monitor: /)]);
});

const haveTmux = spawnSync('tmux', ['-V']).status === 0;
(haveTmux ? describe : describe.skip)('top in a terminal (tmux)', () => {
  let socketDir: string;
  let tmux: (...args: string[]) => string;
  beforeAll(() => {
    socketDir = mkdtempSync(path.join(tmpdir(), 'streamtasks-tmux-'));
    const socket = path.join(socketDir, 'sock');
    tmux = (...args) => execFileSync('tmux', ['-S', socket, '-f', '/dev/null', ...args], { encoding: 'utf8' });
  });
  afterAll(() => {
    try {
      tmux('kill-server');
    } catch {
      // already gone
    }
    rmSync(socketDir, { recursive: true, force: true });
  });

  /** Re-reads the pane until `re` matches (the screen is redrawn every interval). */
  async function screenMatching(session: string, re: RegExp, timeout = 15_000): Promise<string> {
    const deadline = Date.now() + timeout;
    for (;;) {
      const screen = tmux('capture-pane', '-p', '-t', session);
      if (re.test(screen)) return screen;
      if (Date.now() > deadline) throw new Error(`the screen never matched ${re}:\n${screen}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  for (const [key, label] of [['q', 'q'], ['C-c', 'Ctrl-C']] as const) {
    test(`shows the live view, switches to topics and exits on ${label}`, async () => {
      const session = `top-${label.replace(/\W/g, '')}`;
      const command = `${JSON.stringify(process.execPath)} ${JSON.stringify(CLI)} top --monitor ${monitor} --interval 0.2; echo "top exited with $?"; sleep 60`;
      tmux('new-session', '-d', '-s', session, '-x', '160', '-y', '40', command);
      try {
        const links = await screenMatching(session, /ID\s+KIND\s+REMOTE/);
        expect(links).toMatch(/^streamtasks top - http:\/\/127\.0\.0\.1:\d+ {3}uptime/m);
        expect(links).toMatch(/links by msg_rate \(2\)/);
        tmux('send-keys', '-t', session, 't');
        const topics = await screenMatching(session, /TOPIC\s+COST\s+PROVIDER/);
        expect(topics).toMatch(/^300000\s+100\s+link \d+/m);
        tmux('send-keys', '-t', session, 's');
        await screenMatching(session, /topics by byte_rate/);
        tmux('send-keys', '-t', session, key);
        const after = await screenMatching(session, /top exited with \d+/);
        expect(after).toMatch(/top exited with 0/);
        // The alternate screen is gone: the live view no longer shows.
        expect(after).not.toMatch(/TOPIC\s+COST/);
      } finally {
        tmux('kill-session', '-t', session);
      }
    });
  }
});
