// A reconnecting client in this process, on a node process that is
// SIGKILLed and started again on the same port, over real TCP on 127.0.0.1.
// Discovery runs in a second node that stays up: it releases the client's
// name when the killed node takes the client's address with it, and the
// client registers it again once it is back.
import { ConnectionClosedError, type Id } from '@streamtasks/link';
import { openClient, type ReconnectingClient } from '@streamtasks/connect';
import { registerAddressName } from '@streamtasks/discovery';
import { FetchServer } from '@streamtasks/fetch';
import { inTopic, outTopic } from '@streamtasks/topic';
import type { ConnectionStatus } from '@streamtasks/transports';
import { startNodeProcess, type CliProcess } from './process.js';

const TOPIC = 100_900;

let processes: CliProcess[] = [];
afterEach(async () => {
  for (const p of processes) await p.kill();
  processes = [];
});

async function node(args: string[]): Promise<string> {
  const { node: p, url } = await startNodeProcess(args);
  processes.push(p);
  return url;
}

test('SIGKILL of the node and a restart on the same port: the subscription, the fetch server and the name come back; statuses disconnect, reconnecting…, reconnect, close', async () => {
  const coreUrl = await node(['--core', '--serve', 'tcp://127.0.0.1:0']);
  const edgeUrl = await node(['--serve', 'tcp://127.0.0.1:0', '--connect', coreUrl, '--reconnect-delay', '50']);
  const edge = processes[1]!;
  await edge.waitFor(/connected to /);

  // The service: on the edge node, reconnecting; a fetch server under a name and a subscription.
  const service: ReconnectingClient = await openClient(edgeUrl, { address: true, reconnect: { delay: 50, maxDelay: 200 }, timeout: 10_000 });
  // The user: on the core node, which stays up.
  const user = await openClient(coreUrl, { address: true, timeout: 10_000 });
  const statuses: ConnectionStatus['type'][] = [];
  const watching = (async () => {
    for await (const s of service.status()) statuses.push(s.type);
  })();
  try {
    const server = new FetchServer(service).route('echo', ({ body }) => ({ echo: body })).start();
    await registerAddressName(service, 'echo-svc', undefined, { timeout: 5000 });
    const subscription = inTopic<{ n: number }>(service, TOPIC);
    subscription.register();
    const reader = subscription[Symbol.asyncIterator]();
    const publisher = outTopic(user, TOPIC);
    await publisher.waitRequested(true, { timeout: 10_000 });
    publisher.send({ n: 1 });
    expect((await reader.next()).value).toEqual({ n: 1 });
    expect(await user.fetch('echo-svc', 'echo', 'a', { timeout: 5000 })).toEqual({ echo: 'a' });

    // A fetch in flight when the node dies (to an address on the core node that never answers) fails at once.
    const silent = await openClient(coreUrl, { address: true, timeout: 10_000 });
    const asked = new Promise<void>((resolve) => silent.listenPort(100, () => resolve()));
    while (!service.link.addresses.has(silent.address!)) {
      await new Promise<void>((resolve) => {
        const off = service.addReceiver(() => (off(), resolve()));
      });
    }
    const inFlight = service.fetch(silent.address as Id, 'never', {}, { timeout: 60_000 }).then(() => undefined, (err: unknown) => err);
    await asked;

    await edge.kill();
    expect(await inFlight).toBeInstanceOf(ConnectionClosedError);
    const port = new URL(edgeUrl.replace(/^tcp:/, 'http:')).port;
    const restarted = await node(['--serve', `tcp://127.0.0.1:${port}`, '--connect', coreUrl, '--reconnect-delay', '50']);
    expect(restarted).toBe(edgeUrl);
    await service.waitConnected({ timeout: 10_000 });

    // The fetch server answers again, by name: discovery had released it and it was registered again.
    user.clearAddressNameCache();
    expect(await user.fetch('echo-svc', 'echo', 'b', { timeout: 5000 })).toEqual({ echo: 'b' });
    // The subscription: the publisher is asked for the topic again and its data arrives in the same loop.
    await publisher.waitRequested(true, { timeout: 10_000 });
    publisher.send({ n: 2 });
    expect((await reader.next()).value).toEqual({ n: 2 });

    server.stop();
    silent.close();
    await service[Symbol.asyncDispose]();
    await watching;
    expect(statuses[0]).toBe('disconnect');
    expect(statuses.slice(1, -2).length).toBeGreaterThanOrEqual(1);
    expect(statuses.slice(1, -2).every((s) => s === 'reconnecting')).toBe(true);
    expect(statuses.slice(-2)).toEqual(['reconnect', 'close']);
  } finally {
    user.close();
    service.close();
    await service.connection.close();
  }
});
