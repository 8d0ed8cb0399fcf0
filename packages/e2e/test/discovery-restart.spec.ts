// A restarted discovery does not hand out an address that a client still
// holds, over real TCP on 127.0.0.1: the --core node is SIGKILLed and
// started again on the same port; a ReconnectingClient comes back to it
// with its address, a client on another node kept its own all along, and
// the addresses the new discovery hands out are neither.
import { Client } from '@streamtasks/client';
import { openClient, type ReconnectingClient } from '@streamtasks/connect';
import { requestAddresses, waitForAddressName, registerAddressName } from '@streamtasks/discovery';
import type { Id } from '@streamtasks/link';
import { connect } from '@streamtasks/transports';
import { startNodeProcess, type CliProcess } from './process.js';

const WAIT = { timeout: 10_000 };

let processes: CliProcess[] = [];
const clients: Client[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  for (const p of processes) await p.kill();
  processes = [];
});

async function node(args: string[]): Promise<{ p: CliProcess; url: string }> {
  const { node: p, url } = await startNodeProcess(args);
  processes.push(p);
  return { p, url };
}

/** Resolves once the client's link reaches every one of `addresses` (waiting on its route announcements). */
async function reachesAll(client: Client, addresses: Id[]): Promise<void> {
  while (!addresses.every((a) => client.link.addresses.has(a))) {
    await new Promise<void>((resolve) => {
      const off = client.addReceiver(() => (off(), resolve()));
    });
  }
}

test('after a SIGKILL and restart of the --core node, its new discovery hands out none of the addresses still held', async () => {
  const core = await node(['--core', '--serve', 'tcp://127.0.0.1:0']);
  const edge = await node(['--serve', 'tcp://127.0.0.1:0', '--connect', core.url, '--reconnect-delay', '50']);
  await edge.p.waitFor(/connected to /);

  // On the core node, reconnecting: it will come back with its address. On the edge node: it never leaves.
  const returning: ReconnectingClient = await openClient(core.url, { address: true, reconnect: { delay: 50, maxDelay: 200 }, timeout: 10_000 });
  clients.push(returning);
  const survivor = await openClient(edge.url, { address: true, timeout: 10_000 });
  clients.push(survivor);
  const held = [returning.address!, survivor.address!];
  expect(held).toEqual([10_000, 10_001]); // the first discovery's first two addresses
  await registerAddressName(returning, 'returning', undefined, WAIT);

  const statuses = returning.status();
  await core.p.kill();
  const port = new URL(core.url.replace(/^tcp:/, 'http:')).port;
  const restarted = await node(['--core', '--serve', `tcp://127.0.0.1:${port}`]);
  expect(restarted.url).toBe(core.url);
  for await (const s of statuses) if (s.type === 'reconnect') break;

  // A newcomer on the restarted node, once the network has told it of both holders (so it has told discovery too).
  const newcomer = new Client(await connect(core.url, WAIT)).start();
  clients.push(newcomer);
  await reachesAll(newcomer, held);
  const fresh = await requestAddresses(newcomer, 3, WAIT);
  expect(fresh).toHaveLength(3);
  for (const address of fresh) expect(held).not.toContain(address);
  expect(new Set(fresh).size).toBe(3);

  // The returning client is still the one its name and address lead to.
  newcomer.setAddress(fresh[0]!);
  await expect(waitForAddressName(newcomer, 'returning', WAIT)).resolves.toBe(returning.address);
  expect(returning.address).toBe(held[0]);
});
