// A Python client through NATS. Node A runs discovery and is attached to
// NATS only; node B serves TCP and is attached to NATS. On B, over TCP, a
// raw wire peer plays the Python client "A" of the recorded session
// (shared/vectors/transcript.json): it sends the very bytes the Python
// client sent (its hello, subscriptions, discovery requests and signals,
// answers to fetches) and expects the very bytes it received. On A, a
// TypeScript client plays the recording's client "B" through the public API.
//
// What it proves: across NATS a Python client gets its address from
// discovery (10000, answered on topic 1 with its own request id), requests
// topic ids and addresses, registers a name, runs topic spaces, and each
// answer reaches it byte for byte as from a Python network; it resolves a
// TypeScript service's name and fetches from it; it serves fetches and a
// signal to the TypeScript side (with the recorded answers, errors
// included); it publishes (with pause and resume) and subscribes; and
// unregistering its name and its address is seen on the other side.
import type { Client } from '@streamtasks/client';
import { FetchServer } from '@streamtasks/fetch';
import { registerAddressName, resolveAddressName, waitForAddressName } from '@streamtasks/discovery';
import {
  AddressedMessage,
  InTopicsChangedMessage,
  MessageType,
  RawData,
  decodeMessage,
  type Id,
  type WireMessage,
} from '@streamtasks/link';
import { decodeValue, encodeValue } from '@streamtasks/link/internal';
import { sendSignal } from '@streamtasks/signal';
import { InTopic, OutTopic, TopicControlData } from '@streamtasks/topic';
import { openClient } from '@streamtasks/cli';
import { VECTORS_DIR, startNatsServer, type NatsServer } from '@streamtasks/testing';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startNodeProcess, type CliProcess } from './process.js';
import { RawPeer } from './raw-peer.js';

interface Recorded {
  client: 'A' | 'B';
  dir: 'client->switch' | 'switch->client';
  type: string;
  hex: string;
}
const transcript = JSON.parse(readFileSync(join(VECTORS_DIR, 'transcript.json'), 'utf8')) as {
  steps: Array<{ step: string; messages: Recorded[] }>;
};
/** The recorded messages of the Python client A in the step whose name starts with `prefix`. */
function recorded(prefix: string): Recorded[] {
  const step = transcript.steps.find((s) => s.step.startsWith(prefix));
  if (!step) throw new Error(`no recorded step ${prefix}`);
  return step.messages.filter((m) => m.client === 'A');
}
const sent = (prefix: string) => recorded(prefix).filter((m) => m.dir === 'client->switch');
const received = (prefix: string) => recorded(prefix).filter((m) => m.dir === 'switch->client');
const bytes = (hex: string) => Uint8Array.from(Buffer.from(hex, 'hex'));
const hexOf = (b: Uint8Array) => Buffer.from(b).toString('hex');
/** Messages that carry something for the client (not route changes, whose costs depend on the topology). */
const isDelivery = (m: WireMessage) => m.type === MessageType.TopicData || m.type === MessageType.Addressed;

/** The Python client: a raw peer that keeps every delivered frame and tracks the routes it was offered. */
class PythonClient {
  readonly addresses = new Set<Id>();
  readonly topics = new Set<Id>();
  readonly requested = new Set<Id>();
  private constructor(readonly peer: RawPeer) {}

  static async open(url: string): Promise<PythonClient> {
    const peer = await RawPeer.open(url);
    // The hello a Python client sends for a URL without user or parameters: {version: "0.1"}.
    peer.sendFrame(bytes('81a776657273696f6ea3302e31'));
    expect(decodeValue(await peer.next())).toEqual({ accepted: true, version: '0.1' });
    return new PythonClient(peer);
  }

  sendHex(hex: string): void {
    this.peer.sendFrame(bytes(hex));
  }

  /** Sends what the Python client sent in a recorded step. */
  replay(step: string): void {
    for (const m of sent(step)) this.sendHex(m.hex);
  }

  /** The next delivery (topic data or addressed message), keeping track of route changes on the way. */
  async delivery(timeout = 10_000): Promise<{ message: WireMessage; hex: string }> {
    return this.next(isDelivery, timeout);
  }

  async next(match: (m: WireMessage) => boolean, timeout = 10_000): Promise<{ message: WireMessage; hex: string }> {
    const deadline = Date.now() + timeout;
    for (;;) {
      const frame = await this.peer.next(Math.max(1, deadline - Date.now()));
      const message = decodeMessage(frame);
      this.track(message);
      if (match(message)) return { message, hex: hexOf(frame) };
    }
  }

  /** Expects the deliveries the Python client received in a recorded step, byte for byte. */
  async expectRecorded(step: string): Promise<void> {
    for (const m of received(step).filter((r) => r.type === 'TopicDataMessage' || r.type === 'AddressedMessage')) {
      expect((await this.delivery()).hex).toBe(m.hex);
    }
  }

  async until(check: () => boolean, timeout = 10_000): Promise<void> {
    if (check()) return;
    await this.next(() => check(), timeout);
  }

  private track(m: WireMessage): void {
    if (m.type === MessageType.AddressesChanged) {
      for (const a of m.add) this.addresses.add(a.id);
      for (const r of m.remove) this.addresses.delete(r);
    } else if (m.type === MessageType.OutTopicsChanged) {
      for (const t of m.add) this.topics.add(t.id);
      for (const r of m.remove) this.topics.delete(r);
    } else if (m.type === MessageType.InTopicsChanged) {
      for (const t of m.add) this.requested.add(t);
      for (const t of m.remove) this.requested.delete(t);
    }
  }
}

let server: NatsServer;
const processes: CliProcess[] = [];
let py: PythonClient | undefined;
let ts: Client | undefined;

beforeAll(async () => {
  server = await startNatsServer();
}, 30_000);
afterAll(async () => {
  ts?.close();
  py?.peer.destroy();
  await Promise.all(processes.map((p) => p.stop()));
  await server?.kill();
});

test('a Python client on node B reaches discovery and TypeScript services on node A through NATS, byte for byte as recorded', async () => {
  const nats = `${server.url}?network=py${process.pid}`;
  const { node: nodeA, url: tcpA } = await startNodeProcess(['--core', '--no-node-socket', '--serve', 'tcp://127.0.0.1:0', '--connect', nats]);
  processes.push(nodeA);
  await nodeA.waitFor(/connected to nats:\/\//);
  const { node: nodeB, url: tcpB } = await startNodeProcess(['--no-node-socket', '--serve', 'tcp://127.0.0.1:0', '--connect', nats]);
  processes.push(nodeB);
  await nodeB.waitFor(/connected to nats:\/\//);

  py = await PythonClient.open(tcpB);
  // A fresh link learns discovery's address and its two well-known topics, here from across NATS.
  await py.until(() => py!.addresses.has(0) && py!.topics.has(0) && py!.topics.has(1));

  // The lighthouse: subscribe to topic 0 until 'running' arrives.
  const lighthouse = "A: TopicsReceiver([0]) until the first lighthouse data message";
  py.sendHex(sent(lighthouse)[0]!.hex);
  expect((await py.next((m) => m.type === MessageType.TopicData)).hex).toBe(received(lighthouse).find((m) => m.type === 'TopicDataMessage')!.hex);
  py.sendHex(sent(lighthouse)[1]!.hex);

  // An address without having one: a signal with the recorded request id, answered on topic 1 with the same bytes.
  const address = 'A: request_address() without an address';
  const [subscribe1, signal, unsubscribe1, announce] = sent(address);
  py.sendHex(subscribe1!.hex);
  py.sendHex(signal!.hex);
  expect((await py.next((m) => m.type === MessageType.TopicData && m.topic === 1)).hex).toBe(received(address).find((m) => m.type === 'TopicDataMessage')!.hex);
  py.sendHex(unsubscribe1!.hex);
  py.sendHex(announce!.hex); // address 10000

  // The TypeScript client on node A takes the next address (10001), as the recording's B did.
  ts = await openClient(tcpA, { address: true, timeout: 10_000 });
  expect(ts.address).toBe(10_001);
  await waitUntil(ts, () => ts!.link.addresses.has(10_000));

  for (const step of ['A: request_topic_ids(2)', 'A: request_addresses(2)']) {
    py.replay(step);
    await py.expectRecorded(step);
  }

  // B waits for the name 'pyecho' before it exists; the Python client registers it (recorded bytes).
  const waiting = waitForAddressName(ts, 'pyecho', { timeout: 10_000 });
  await waitUntil(ts, () => ts!.link.outTopics.has(100_002)); // the broadcast topic of the name namespace is there
  const registration = "A: address_name_context(A, 'pyecho') enter";
  py.replay(registration);
  await py.expectRecorded(registration);
  await expect(waiting).resolves.toBe(10_000);
  ts.clearAddressNameCache('pyecho');
  await expect(resolveAddressName(ts, 'pyecho', { timeout: 5000 })).resolves.toBe(10_000);

  // Topic spaces, errors included: each answer as recorded.
  for (const step of [
    'A: register_topic_space',
    'A: get_topic_space(id)',
    'A: get_topic_space_translation(id, 1)',
    'A: get_topic_space_translation(id, 99)',
    'A: delete_topic_space(id)',
    'A: get_topic_space(deleted id)',
    'A: delete_topic_space(deleted id)',
  ]) {
    py.replay(step);
    await py.expectRecorded(step);
  }

  // The TypeScript side fetches from the Python client by name; it answers with the recorded payloads.
  const answers = [
    ["B: fetch('pyecho', 'echo'", { hello: 'world', n: 1099511627776 }, undefined],
    ["B: fetch('pyecho', 'noresponse'", null, undefined],
    ["B: fetch('pyecho', 'validate'", undefined, 'bad_request'],
    ["B: fetch('pyecho', 'raise'", undefined, 'general'],
  ] as const;
  for (const [step, result, code] of answers) {
    const request = received(step)[0]!;
    const recordedRequest = decodeValue((decodeMessage(bytes(request.hex)) as AddressedMessage).data.bytes) as Record<string, unknown>;
    const fetching = ts.fetch('pyecho', recordedRequest.descriptor as string, recordedRequest.body, { timeout: 10_000 });
    const { message } = await py.next((m) => m.type === MessageType.Addressed && m.port === 100);
    const got = decodeValue((message as AddressedMessage).data.bytes) as Record<string, unknown>;
    expect([got.return_address, got.descriptor, got.body]).toEqual([10_001, recordedRequest.descriptor, recordedRequest.body]);
    const answer = decodeMessage(bytes(sent(step)[0]!.hex)) as AddressedMessage;
    py.peer.send(new AddressedMessage(got.return_address as number, got.return_port as number, RawData.fromBytes(answer.data.bytes)));
    if (code === undefined) await expect(fetching).resolves.toEqual(result);
    else await expect(fetching).rejects.toMatchObject({ fetchCode: code });
  }
  {
    const step = "B: fetch('pyecho', 'custom_error'";
    const fetching = ts.fetch('pyecho', 'custom_error', null, { timeout: 10_000 });
    const { message } = await py.next((m) => m.type === MessageType.Addressed && m.port === 100);
    const got = decodeValue((message as AddressedMessage).data.bytes) as Record<string, unknown>;
    const answer = decodeMessage(bytes(sent(step)[0]!.hex)) as AddressedMessage;
    py.peer.send(new AddressedMessage(got.return_address as number, got.return_port as number, RawData.fromBytes(answer.data.bytes)));
    await expect(fetching).rejects.toMatchObject({ body: { code: 42 } });
  }
  // A signal reaches the Python client with the recorded payload bytes.
  await sendSignal(ts, 'pyecho', 'ping', { x: 1 });
  const ping = await py.next((m) => m.type === MessageType.Addressed && m.port === 103);
  expect(hexOf((ping.message as AddressedMessage).data.bytes)).toBe(hexOf((decodeMessage(bytes(received("B: send_signal('pyecho'")[0]!.hex)) as AddressedMessage).data.bytes));

  // The Python client resolves a TypeScript service's name and fetches from it (the recording's request shapes, its own return port).
  new FetchServer(ts).route('echo', ({ body }) => body).start();
  await registerAddressName(ts, 'tsecho', undefined, { timeout: 5000 });
  const pyFetch = (returnPort: number, address: number, descriptor: string, body: unknown) =>
    py!.peer.send(new AddressedMessage(address, 100, RawData.fromBytes(encodeValue(new Map<string, unknown>([
      ['return_address', 10_000], ['return_port', returnPort], ['descriptor', descriptor], ['body', body],
    ])))));
  const answerOn = async (port: number) => {
    const { message } = await py!.next((m) => m.type === MessageType.Addressed && m.address === 10_000 && m.port === port);
    return decodeValue((message as AddressedMessage).data.bytes);
  };
  pyFetch(10_010, 0, 'resolve_address_name', new Map([['address_name', 'tsecho']]));
  expect(await answerOn(10_010)).toEqual({ body: { address: 10_001 }, error: false });
  pyFetch(10_011, 10_001, 'echo', new Map<string, unknown>([['from', 'python'], ['n', 1]]));
  expect(await answerOn(10_011)).toEqual({ body: { from: 'python', n: 1 }, error: false });

  // The Python client publishes: the TypeScript subscriber sees pause, data, resume in order (recorded bytes).
  py.replay('A: out_topic(100000) registered');
  const sub = new InTopic(ts, 100_000);
  await py.until(() => py!.requested.has(100_000));
  py.replay('A: set_paused(True), send({timestamp, value}), set_paused(False)');
  expect(await sub.recvDataControl({ timeout: 5000 })).toEqual(new TopicControlData(true));
  expect(await sub.recvDataControl({ timeout: 5000 })).toEqual({ timestamp: 1717171717171, value: 1 });
  expect(await sub.recvDataControl({ timeout: 5000 })).toEqual(new TopicControlData(false));
  sub.close();
  await py.until(() => !py!.requested.has(100_000)); // the request is withdrawn across NATS
  py.replay('A: out_topic(100000) unregistered');

  // The Python client subscribes to a TypeScript publisher on node A.
  const out = new OutTopic(ts, 100_001);
  await py.until(() => py!.topics.has(100_001));
  py.peer.send(new InTopicsChangedMessage([100_001], []));
  await out.waitRequested(true, { timeout: 10_000 });
  await out.send({ timestamp: 1, value: 'from typescript' });
  const data = await py.next((m) => m.type === MessageType.TopicData && m.topic === 100_001);
  expect(decodeValue((data.message as { data: RawData }).data.bytes)).toEqual({ timestamp: 1, value: 'from typescript' });

  // Unregistering the name (signal) and withdrawing the address are seen on the TypeScript side.
  py.replay('A: address_name_context exit');
  await eventuallyResolved(() => {
    ts!.clearAddressNameCache('pyecho'); // the recording asked discovery here
    return resolveAddressName(ts!, 'pyecho', { timeout: 5000 });
  }, undefined);
  py.replay('A: set_address(None)');
  await waitUntil(ts, () => !ts!.link.addresses.has(10_000));
}, 60_000);

/** Resolves once `check` holds, re-checked after each message the client receives. */
function waitUntil(c: Client, check: () => boolean, timeout = 10_000): Promise<void> {
  if (check()) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => (off(), reject(new Error('condition not reached'))), timeout);
    const off = c.addReceiver(() => {
      if (!check()) return;
      clearTimeout(timer);
      off();
      resolve();
    });
  });
}

/** The signal is fire and forget: asks again until discovery has handled it (each answer is a round trip, no sleep). */
async function eventuallyResolved<T>(ask: () => Promise<T>, expected: T, attempts = 20): Promise<void> {
  for (let i = 0; i < attempts; i++) if ((await ask()) === expected) return;
  throw new Error(`never resolved to ${String(expected)}`);
}
