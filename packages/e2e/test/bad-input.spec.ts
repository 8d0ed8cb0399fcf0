// Bad input over real sockets against a running node (discovery, one TCP
// server): raw connections send garbage, broken handshakes, wrong versions
// and credentials, oversize length prefixes, frames that are not messages
// and payloads built to pollute prototypes, or never finish the handshake.
// Each bad connection is closed with a reason the node reports in its
// `connection-rejected` / `connection-closed` events, and the node keeps
// serving a good client throughout.
import { randomBytes } from 'node:crypto';
import { AddressedMessage, DecodeError, MessageType, OutTopicsChangedMessage, RawData, TopicDataMessage } from '@streamtasks/link';
import { decodeValue } from '@streamtasks/link/internal';
import type { Client } from '@streamtasks/client';
import { FetchServer } from '@streamtasks/fetch';
import { InTopic, OutTopic } from '@streamtasks/topic';
import { FrameTooLargeError, HandshakeError, HandshakeRejectedError, SkippedBytesError, connect } from '@streamtasks/transports';
import { SYNC_WORD } from '@streamtasks/transports/internal';
import { openClient, startNode, type StreamtasksNode } from '@streamtasks/cli';
import { RawPeer, isAddressedTo } from './raw-peer.js';

const HANDSHAKE_TIMEOUT = 1000;
const T = 300_001;

interface Outcome {
  event: 'rejected' | 'closed';
  error: Error | undefined;
}

/** What the node reported for each connection, by the remote end's `host:port`. */
class Outcomes {
  private readonly seen = new Map<string, Outcome>();
  private readonly waiters = new Map<string, (o: Outcome) => void>();

  constructor(node: StreamtasksNode) {
    node.events.on('connection-rejected', (_server, error, remote) => this.record(remote, { event: 'rejected', error }));
    node.events.on('connection-closed', (_server, remote, reason) => this.record(remote, { event: 'closed', error: reason }));
  }

  get count(): number {
    return this.seen.size;
  }

  /** Resolves with what the node reported about the peer's connection. */
  of(peer: RawPeer, timeout = 5000): Promise<Outcome> {
    const remote = peer.remote;
    const known = this.seen.get(remote);
    if (known) return Promise.resolve(known);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the node reported nothing about ${remote}`)), timeout);
      this.waiters.set(remote, (o) => {
        clearTimeout(timer);
        resolve(o);
      });
    });
  }

  private record(remote: string, outcome: Outcome): void {
    this.seen.set(remote, outcome);
    this.waiters.get(remote)?.(outcome);
    this.waiters.delete(remote);
  }
}

let node: StreamtasksNode;
let url: string;
let outcomes: Outcomes;
let service: Client;
let user: Client;
let out: OutTopic;
let sub: InTopic<{ n: number }>;
const nodeErrors: Error[] = [];
const peers: RawPeer[] = [];
const prototypeBefore = Object.getOwnPropertyNames(Object.prototype).sort();

beforeAll(async () => {
  node = await startNode({ core: true, serve: ['tcp://127.0.0.1:0'], server: { handshakeTimeout: HANDSHAKE_TIMEOUT } });
  [url] = node.urls as [string];
  outcomes = new Outcomes(node);
  node.events.on('error', (err) => nodeErrors.push(err));
  service = await openClient(url, { address: true, timeout: 10_000 });
  user = await openClient(url, { address: true, timeout: 10_000 });
  new FetchServer(service).route('echo', ({ body }) => body).start();
  out = new OutTopic(service, T);
  sub = new InTopic<{ n: number }>(user, T);
  await out.waitRequested(true, { timeout: 10_000 });
});

afterEach(() => {
  for (const p of peers.splice(0)) p.destroy();
});

afterAll(async () => {
  user.close();
  service.close();
  await node.close();
  // No payload delivered in this file reached Object.prototype.
  expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(prototypeBefore);
});

async function peer(): Promise<RawPeer> {
  const p = await RawPeer.open(url);
  peers.push(p);
  return p;
}

/** A raw peer that has completed the handshake. */
async function accepted(): Promise<RawPeer> {
  const p = await peer();
  expect(await p.handshake()).toEqual({ accepted: true, version: '0.1' });
  return p;
}

let marker = 0;
/** The good clients still get answers and data through the node. */
async function serving(): Promise<void> {
  const n = ++marker;
  await expect(user.fetch(service.address!, 'echo', { n }, { timeout: 5000 })).resolves.toEqual({ n });
  await out.send({ n });
  for (;;) if ((await sub.recvData({ timeout: 5000 })).n === n) break;
}

function lengthPrefix(length: number): Uint8Array {
  const header = new Uint8Array(8);
  header.set(SYNC_WORD);
  new DataView(header.buffer).setUint32(4, length, true);
  return header;
}

describe('before the handshake', () => {
  test('bytes before the hello are refused at once', async () => {
    const p = await peer();
    p.write('GET / HTTP/1.1\r\nHost: streamtasks\r\n\r\n');
    p.sendFrame(new Uint8Array(0));
    await p.closed;
    const { event, error } = await outcomes.of(p);
    expect(event).toBe('rejected');
    expect(error).toBeInstanceOf(HandshakeError);
    expect(error!.message).toMatch(/sent an HTTP request/);
    await serving();
  });

  test('garbage that never contains a frame is refused at its first byte, not by the handshake timeout', async () => {
    const p = await peer();
    const garbage = randomBytes(4096).map((b) => (b === SYNC_WORD[0] ? 0 : b));
    p.write(garbage);
    await p.closed;
    const { event, error } = await outcomes.of(p);
    expect(event).toBe('rejected');
    expect(error).toMatchObject({ code: 'ERR_HANDSHAKE' });
    await serving();
  });

  test.each([
    ['not MessagePack', Uint8Array.of(0xc1), HandshakeError],
    ['not a map', Uint8Array.of(0x93, 1, 2, 3), HandshakeError],
    ['a map with other keys than strings', Uint8Array.of(0x81, 0x01, 0x02), HandshakeError],
    ['a map without a version', RawPeer.payload([['auth', 'x']]), HandshakeRejectedError],
    ['an empty frame', new Uint8Array(0), HandshakeError],
  ])('a hello that is %s is refused', async (_what, hello, type) => {
    const p = await peer();
    p.sendFrame(hello);
    await p.closed;
    const { event, error } = await outcomes.of(p);
    expect(event).toBe('rejected');
    expect(error).toBeInstanceOf(type);
    await serving();
  });

  test('a wrong version is refused with a reply that says no', async () => {
    const p = await peer();
    p.sendFrame(RawPeer.payload([['version', '9.9']]));
    expect(decodeValue(await p.next())).toEqual({ accepted: false, version: '0.1' });
    await p.closed;
    const { error } = await outcomes.of(p);
    expect(error).toBeInstanceOf(HandshakeRejectedError);
    expect(error).toMatchObject({ reason: 'version', peerVersion: '9.9' });
    await serving();
  });

  test('a length prefix near 4 GiB closes the connection at once, before and after the handshake', async () => {
    const before = process.memoryUsage().arrayBuffers;
    const early = await peer();
    const late = await accepted();
    for (const p of [early, late]) {
      p.write(lengthPrefix(0xffff_fff0));
      // A trickle after it: nothing of it is ever buffered.
      for (let i = 0; i < 64 && !p.isClosed; i++) p.write(randomBytes(1024));
    }
    await Promise.all([early.closed, late.closed]);
    const [a, b] = await Promise.all([outcomes.of(early), outcomes.of(late)]);
    expect(a).toMatchObject({ event: 'rejected', error: expect.any(FrameTooLargeError) });
    expect(b).toMatchObject({ event: 'closed', error: expect.any(FrameTooLargeError) });
    expect(b.error).toMatchObject({ size: 0xffff_fff0, maxSize: 16 * 1024 * 1024 });
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(4 * 1024 * 1024);
    await serving();
  });

  test('a frame announced just below the maximum holds only the bytes that arrived', async () => {
    const p = await accepted();
    const before = process.memoryUsage().arrayBuffers;
    p.write(lengthPrefix(16 * 1024 * 1024 - 16));
    const chunk = 16 * 1024;
    for (let i = 0; i < 16; i++) p.write(randomBytes(chunk));
    // The node has read the trickle once it answers a good client after it.
    await serving();
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(4 * 1024 * 1024);
    p.destroy();
    const { event } = await outcomes.of(p);
    expect(event).toBe('closed');
  });
});

describe('wrong credentials', () => {
  test('Known fault 4: a wrong or missing auth is refused on every connection; the reply never carries the secret', async () => {
    const secured = await startNode({ serve: ['tcp://srv:hunter2@127.0.0.1:0?auth=s3cret'] });
    const [securedUrl] = secured.urls as [string];
    const rejections: Error[] = [];
    secured.events.on('connection-rejected', (_s, err) => rejections.push(err));
    try {
      for (let round = 0; round < 5; round++) {
        const good = await connect(`${securedUrl}?auth=s3cret`, { timeout: 5000 });
        await expect(connect(securedUrl, { timeout: 5000 })).rejects.toMatchObject({ code: 'ERR_HANDSHAKE_REJECTED', reason: 'refused' });
        await expect(connect(`${securedUrl}?auth=wrong`, { timeout: 5000 })).rejects.toBeInstanceOf(HandshakeRejectedError);
        const raw = await RawPeer.open(securedUrl);
        peers.push(raw);
        raw.sendFrame(RawPeer.payload([['auth', 'S3CRET'], ['version', '0.1']]));
        const reply = await raw.next();
        expect(decodeValue(reply)).toEqual({ accepted: false, version: '0.1' });
        for (const secret of ['s3cret', 'hunter2', 'srv']) expect(Buffer.from(reply).includes(secret)).toBe(false);
        await raw.closed;
        good.close();
      }
      expect(rejections).toHaveLength(15);
      expect(rejections.every((e) => e instanceof HandshakeRejectedError && e.reason === 'auth')).toBe(true);
    } finally {
      await secured.close();
    }
  });
});

describe('after the handshake', () => {
  const bin = Uint8Array.of(0xc0);
  test.each<[string, Uint8Array]>([
    ['an array', Uint8Array.of(0x93, 1, 2, 3)],
    ['a string', Uint8Array.of(0xa2, 0x68, 0x69)],
    ['nothing at all', new Uint8Array(0)],
    ['a reserved byte', Uint8Array.of(0xc1)],
    ['a map with trailing bytes', Uint8Array.of(...RawPeer.payload([['topic', 1], ['data', bin], ['_id', 0]]), 0x00)],
    ['an unknown _id', RawPeer.payload([['topic', 1], ['data', bin], ['_id', 9]])],
    ['a negative _id', RawPeer.payload([['topic', 1], ['data', bin], ['_id', -1]])],
    ['a string _id', RawPeer.payload([['topic', 1], ['data', bin], ['_id', '0']])],
    ['no _id', RawPeer.payload([['topic', 1], ['data', bin]])],
    ['a topic that is a string', RawPeer.payload([['topic', 'news'], ['data', bin], ['_id', 0]])],
    ['a negative topic', RawPeer.payload([['topic', -5], ['data', bin], ['_id', 0]])],
    ['a topic that is a float', RawPeer.payload([['topic', 1.5], ['data', bin], ['_id', 0]])],
    ['data that is not bin', RawPeer.payload([['topic', 1], ['data', 'text'], ['_id', 0]])],
    ['data missing', RawPeer.payload([['topic', 1], ['_id', 0]])],
    ['an extra key on topic data', RawPeer.payload([['topic', 1], ['data', bin], ['x', 1], ['_id', 0]])],
    ['paused that is a string', RawPeer.payload([['topic', 1], ['paused', 'yes'], ['_id', 1]])],
    ['a port beyond 2^53', RawPeer.payload([['address', 1], ['port', 2n ** 60n], ['data', bin], ['_id', 2]])],
    ['add that is not an array', RawPeer.payload([['add', 'x'], ['remove', []], ['_id', 4]])],
    ['a route without a cost', RawPeer.payload([['add', [{ id: 1 }]], ['remove', []], ['_id', 5]])],
    ['a cost near 2^64', RawPeer.payload([['add', [{ id: 1, cost: 2n ** 64n - 1n }]], ['remove', []], ['_id', 3]])],
    ['a map with a string of invalid UTF-8', Uint8Array.of(0x83, 0xa5, ...Buffer.from('topic'), 0x01, 0xa4, ...Buffer.from('data'), 0xa2, 0xc3, 0x28, 0xa3, ...Buffer.from('_id'), 0x00)],
  ])('Known fault 8: a frame that is %s closes its own connection with a DecodeError the node reports', async (_what, frame) => {
    const p = await accepted();
    p.sendFrame(frame);
    await p.closed;
    const { event, error } = await outcomes.of(p);
    expect(event).toBe('closed');
    expect(error).toBeInstanceOf(DecodeError);
    expect(error).toMatchObject({ code: 'ERR_DECODE' });
    await serving();
  });

  test('bytes between frames are skipped and reported; the connection stays', async () => {
    const p = await accepted();
    const errors = nodeErrors.length;
    p.announceAddress(77_001);
    p.write(Uint8Array.of(1, 2, 3, SYNC_WORD[0]!, SYNC_WORD[1]!));
    p.send(new AddressedMessage(service.address!, 100, RawData.from({
      return_address: 77_001, return_port: 5, descriptor: 'echo', body: 'still here',
    })));
    const answer = await p.until(isAddressedTo(77_001));
    expect((answer as AddressedMessage).data.value).toEqual({ body: 'still here', error: false });
    expect(nodeErrors.slice(errors)).toEqual([expect.any(SkippedBytesError)]);
    expect(nodeErrors[errors]).toMatchObject({ count: 5 });
    expect(p.isClosed).toBe(false);
  });
});

test('a payload that is not MessagePack is reported by the subscriber and skipped; the connection stays', async () => {
  const topic = 300_003;
  const p = await accepted();
  p.send(new OutTopicsChangedMessage([{ id: topic, cost: 0 }], []));
  const received = new InTopic<string>(user, topic);
  const errors: Error[] = [];
  received.events.on('error', (e) => errors.push(e));
  await p.until((m) => m.type === MessageType.InTopicsChanged && m.add.includes(topic));
  p.send(new TopicDataMessage(topic, RawData.fromBytes(Uint8Array.of(0xc1))));
  p.send(new TopicDataMessage(topic, RawData.from('after')));
  await expect(received.recvData({ timeout: 5000 })).resolves.toBe('after');
  expect(errors).toEqual([expect.any(DecodeError)]);
  expect(p.isClosed).toBe(false);
  received.close();
});

describe('payloads built to pollute prototypes', () => {
  const hostile = (): Uint8Array => RawPeer.payload([
    ['__proto__', { polluted: true }],
    ['constructor', { prototype: { polluted: true } }],
    ['n', 1],
  ]);

  function expectClean(value: unknown): void {
    const record = value as Record<string, unknown>;
    expect(Object.getPrototypeOf(record)).toBe(Object.prototype);
    expect(Object.keys(record)).toEqual(['__proto__', 'constructor', 'n']);
    expect(Object.getOwnPropertyDescriptor(record, '__proto__')?.value).toEqual({ polluted: true });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect((Object.prototype as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(prototypeBefore);
  }

  test('through the switch to a subscriber', async () => {
    const topic = 300_002;
    const p = await accepted();
    p.send(new OutTopicsChangedMessage([{ id: topic, cost: 0 }], []));
    const received = new InTopic<Record<string, unknown>>(user, topic);
    await p.until((m) => m.type === MessageType.InTopicsChanged && m.add.includes(topic));
    p.send(new TopicDataMessage(topic, RawData.fromBytes(hostile())));
    expectClean(await received.recvData({ timeout: 5000 }));
    received.close();
  });

  test('into a fetch server, in the request and in its body, and back', async () => {
    const p = await accepted();
    p.announceAddress(77_002);
    const request = RawPeer.payload([
      ['__proto__', { polluted: true }],
      ['return_address', 77_002],
      ['return_port', 9],
      ['descriptor', 'echo'],
      ['body', decodeValue(hostile())],
    ]);
    p.send(new AddressedMessage(service.address!, 100, RawData.fromBytes(request)));
    const answer = (await p.until(isAddressedTo(77_002))) as AddressedMessage;
    const { body, error } = answer.data.value as { body: unknown; error: boolean };
    expect(error).toBe(false);
    expectClean(body);
    await serving();
  });
});

test('hundreds of connections that never finish the handshake are closed by the timeout; a good client is served throughout', async () => {
  const silent = await Promise.all(Array.from({ length: 300 }, () => peer()));
  // Half send nothing, half the start of a hello that never ends.
  silent.forEach((p, i) => {
    if (i % 2) p.write(Uint8Array.of(...lengthPrefix(100), 0x82, 0xa7));
  });
  let served = 0;
  let done = false;
  const closedAll = Promise.all(silent.map((p) => p.closed)).then(() => (done = true));
  while (!done) {
    await serving();
    served++;
  }
  await closedAll;
  const results = await Promise.all(silent.map((p) => outcomes.of(p)));
  expect(results.every((r) => r.event === 'rejected' && r.error?.name === 'TimeoutError')).toBe(true);
  expect(served).toBeGreaterThan(1);
  await serving();
});
