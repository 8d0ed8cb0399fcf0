import { execFileSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { get } from 'node:http';
import { createServer as createNetServer, connect as netConnect } from 'node:net';
import {
  AddressedMessage,
  ConnectionClosedError,
  DecodeError,
  RawData,
  SlowConsumerError,
  Switch,
  TopicDataMessage,
} from '@streamtasks/link';
import { DEFAULT_CLOSE_TIMEOUT, FrameTooLargeError, HandshakeRejectedError, connect, createServer, type ConnectionLink, type TransportServer } from '@streamtasks/transports';
import { SYNC_WORD, encodeFrame, encodeHello } from '@streamtasks/transports/internal';
import { Collector } from './compliance.js';
import { RawStreamClient, nextEvent, openPair, rawWebSocket, tempSocketDir } from './harness.js';

const sockets = tempSocketDir();
afterAll(() => sockets.remove());

let server: TransportServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** Yields to the event loop until `condition` holds (bounded, never a fixed sleep). */
export async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 10_000 && !condition(); i++) await new Promise((resolve) => setImmediate(resolve));
  expect(condition()).toBe(true);
}

/** A raw client that has completed the handshake. */
async function handshaken(s: TransportServer): Promise<RawStreamClient> {
  const raw = RawStreamClient.forServer(s);
  raw.sendFrame(encodeHello(new Map()));
  await raw.frame(1);
  return raw;
}

describe('listening', () => {
  test('port 0 binds a free port and reports it', async () => {
    server = await createServer('tcp://127.0.0.1:0');
    expect(server.listening).toBe(true);
    expect(server.port).toBeGreaterThan(0);
    expect(server.address).toEqual({ host: '127.0.0.1', port: server.port });
    expect(server.url).toBe(`tcp://127.0.0.1:${server.port}`);
    await server.close();
    expect(server.listening).toBe(false);
    await server.close(); // twice is fine
  });

  test('a WebSocket server reports its path', async () => {
    server = await createServer('ws://127.0.0.1:0/net');
    expect(server.url).toBe(`ws://127.0.0.1:${server.port}/net`);
  });

  test('a port in use is an error', async () => {
    server = await createServer('tcp://127.0.0.1:0');
    await expect(createServer(server.url)).rejects.toMatchObject({ code: 'EADDRINUSE' });
  });
});

describe('unix socket files', () => {
  test('a stale socket file is removed, and the file is gone after close', async () => {
    const path = sockets.path('stale.sock');
    // A process that exits without closing its server leaves the socket file behind.
    execFileSync(process.execPath, ['-e', `require('net').createServer().listen(${JSON.stringify(path)}, () => process.exit(0))`]);
    expect(existsSync(path)).toBe(true);
    server = await createServer(`unix://${path}`);
    expect(server.url).toBe(`unix://${path}`);
    (await connect(server.url)).close();
    await server.close();
    expect(existsSync(path)).toBe(false);
  });

  test('a live socket is not taken over', async () => {
    const path = sockets.path('live.sock');
    server = await createServer(`unix://${path}`);
    await expect(createServer(`unix://${path}`)).rejects.toMatchObject({ code: 'EADDRINUSE' });
    (await connect(server.url)).close();
  });

  test('a path that is not a socket is never touched', async () => {
    const path = sockets.path('file.txt');
    writeFileSync(path, 'keep me');
    await expect(createServer(`unix://${path}`)).rejects.toMatchObject({ code: 'EEXIST' });
    expect(existsSync(path)).toBe(true);
  });
});

describe('bad input closes only its own connection', () => {
  test('an oversize frame after the handshake', async () => {
    server = await createServer('tcp://127.0.0.1:0', { maxFrameSize: 1024 });
    const [client, serverEnd] = await openPair(server);
    const closed = nextEvent<[ConnectionLink, Error | undefined]>((l) => server!.events.on('connection-closed', l));
    const raw = await handshaken(server);
    const header = new Uint8Array(8);
    header.set(SYNC_WORD);
    new DataView(header.buffer).setUint32(4, 1025, true);
    raw.write(header);
    await raw.closed;
    const [, reason] = await closed;
    expect(reason).toBeInstanceOf(FrameTooLargeError);
    expect(reason).toMatchObject({ code: 'ERR_FRAME_TOO_LARGE', size: 1025, maxSize: 1024 });
    // The other client is unaffected.
    const got = new Collector(serverEnd);
    client.send(new TopicDataMessage(1, RawData.from('ok')));
    await got.count(1);
    client.close();
  });

  test('garbage bytes between frames are reported, not fatal', async () => {
    server = await createServer('tcp://127.0.0.1:0');
    const accepted = nextEvent<[ConnectionLink]>((l) => server!.events.on('connection-accepted', l));
    const raw = await handshaken(server);
    const [link] = await accepted;
    const errors: Error[] = [];
    link.events.on('error', (e) => errors.push(e));
    const got = new Collector(link);
    raw.write(Uint8Array.of(1, 2, 3, 0xb8));
    raw.sendFrame(Uint8Array.from(Buffer.from('83a5746f70696301a464617461c401c0a35f696400', 'hex'))); // TopicData(1, nil)
    await got.count(1);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ code: 'ERR_SKIPPED_BYTES', count: 4 });
    raw.destroy();
  });

  test('a malformed WebSocket message closes with DecodeError; text messages are ignored', async () => {
    server = await createServer('ws://127.0.0.1:0');
    const accepted = nextEvent<[ConnectionLink]>((l) => server!.events.on('connection-accepted', l));
    const raw = await rawWebSocket(server);
    raw.ws.send(encodeHello(new Map()));
    await raw.next();
    const [link] = await accepted;
    const got = new Collector(link);
    raw.ws.send('some text');
    raw.ws.send(Buffer.from('83a5746f70696301a464617461c401c0a35f696400', 'hex'));
    await got.count(1);
    raw.ws.send(Uint8Array.of(0xc1));
    expect(await link.closed).toBeInstanceOf(DecodeError);
    await raw.closed;
  });

  test('an oversize WebSocket message closes the connection', async () => {
    server = await createServer('ws://127.0.0.1:0', { maxFrameSize: 1024 });
    const accepted = nextEvent<[ConnectionLink]>((l) => server!.events.on('connection-accepted', l));
    const raw = await rawWebSocket(server);
    raw.ws.send(encodeHello(new Map()));
    await raw.next();
    const [link] = await accepted;
    raw.ws.send(new Uint8Array(2048));
    expect(await link.closed).toBeInstanceOf(ConnectionClosedError);
    await raw.closed;
    (await connect(server.url)).close();
  });

  test('plain HTTP requests to a WebSocket server get 426', async () => {
    server = await createServer('ws://127.0.0.1:0');
    const status = await new Promise<number | undefined>((resolve, reject) => {
      get(`http://127.0.0.1:${server!.port}/`, (res) => {
        res.resume();
        resolve(res.statusCode);
      }).on('error', reject);
    });
    expect(status).toBe(426);
  });
});

describe('slow consumers', () => {
  test('a peer that stops reading gets its link closed with SlowConsumerError', async () => {
    server = await createServer('tcp://127.0.0.1:0', { highWaterMark: 64 * 1024, maxBufferedBytes: 512 * 1024 });
    const accepted = nextEvent<[ConnectionLink]>((l) => server!.events.on('connection-accepted', l));
    const raw = await handshaken(server);
    raw.socket.pause(); // never reads again
    const [link] = await accepted;
    const closed = nextEvent<[ConnectionLink, Error | undefined]>((l) => server!.events.on('connection-closed', l));
    const payload = RawData.from(new Uint8Array(64 * 1024));
    let error: unknown;
    for (let i = 0; i < 10_000 && !error; i++) {
      try {
        link.send(new AddressedMessage(1, 1, payload));
      } catch (err) {
        error = err;
      }
      // Let the socket take what the kernel accepts.
      if (i % 4 === 0) await new Promise((resolve) => setImmediate(resolve));
    }
    expect(error).toBeInstanceOf(SlowConsumerError);
    expect(link.bufferedAmount).toBeLessThanOrEqual(512 * 1024);
    expect(await link.closed).toBe(error);
    expect((await closed)[1]).toBe(error);
    raw.destroy();
  });
});

describe('capacity and shutdown', () => {
  test('maxConnections rejects extra clients and frees up when one leaves', async () => {
    server = await createServer('tcp://127.0.0.1:0', { maxConnections: 2 });
    const [a] = await openPair(server);
    const [b] = await openPair(server);
    const rejected = nextEvent<[Error, string]>((l) => server!.events.on('connection-rejected', l));
    await expect(connect(server.url)).rejects.toBeInstanceOf(HandshakeRejectedError);
    expect((await rejected)[0]).toMatchObject({ reason: 'capacity' });
    const closed = nextEvent((l) => server!.events.on('connection-closed', l));
    a.close();
    await closed;
    expect(server.connectionCount).toBe(1);
    const [c] = await openPair(server);
    b.close();
    c.close();
  });

  test('Known fault 2: close() ends every connection, removes the links from the switch and cancels handshakes', async () => {
    const hub = new Switch();
    server = await createServer('tcp://127.0.0.1:0', { switch: hub });
    const clients = [await connect(server.url), await connect(server.url), await connect(server.url)];
    const pending = RawStreamClient.forServer(server); // never finishes its handshake
    await until(() => server!.pendingCount === 1);
    expect(server.connectionCount).toBe(3);
    expect(hub.linkCount).toBe(3);
    const removed: unknown[] = [];
    hub.events.on('link-removed', (link) => removed.push(link));
    const rejected: unknown[] = [];
    server.events.on('connection-rejected', (e) => rejected.push(e));
    await server.close();
    expect(server.connectionCount).toBe(0);
    expect(server.pendingCount).toBe(0);
    expect(hub.linkCount).toBe(0);
    expect(removed).toHaveLength(3);
    expect(rejected).toHaveLength(0);
    await Promise.all(clients.map((c) => c.closed));
    await pending.closed;
    await expect(connect(server.url)).rejects.toBeInstanceOf(ConnectionClosedError);
  });

  test('Known fault 2: a connection that ends is removed from the switch and its count (the reference keeps them)', async () => {
    const hub = new Switch();
    server = await createServer('tcp://127.0.0.1:0', { switch: hub });
    for (let i = 0; i < 3; i++) {
      const client = await connect(server.url);
      const removed = nextEvent((l) => hub.events.on('link-removed', l));
      expect(hub.linkCount).toBe(1);
      client.close();
      await removed;
      expect(hub.linkCount).toBe(0);
    }
    expect(server.connectionCount).toBe(0);
  });
});

test('a silent server makes connect time out without leaking (scripted peer)', async () => {
  // It reads (and ignores) what arrives, so it notices when the client hangs up.
  const silent = createNetServer((socket) => socket.on('error', () => {}).resume());
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  const { port } = silent.address() as { port: number };
  await expect(connect(`ws://127.0.0.1:${port}`, { timeout: 100 })).rejects.toMatchObject({ code: 'ERR_TIMEOUT' });
  await new Promise((resolve) => silent.close(resolve));
});

test('a consumer in pull mode pauses reading instead of queueing without bound, and loses nothing', async () => {
  server = await createServer('tcp://127.0.0.1:0', { maxQueuedMessages: 16 });
  const [client, serverEnd] = await openPair(server);
  const padding = new Uint8Array(1024);
  for (let i = 0; i < 2000; i++) client.send(new TopicDataMessage(1, RawData.from({ i, padding })));
  // Wait until the server side has queued what it will queue while nobody consumes.
  await until(() => serverEnd.queuedCount >= 16);
  for (let i = 0; i < 20; i++) await new Promise((resolve) => setImmediate(resolve));
  // Reading stops at the chunk that crossed the limit; the rest waits in the socket.
  expect(serverEnd.queuedCount).toBeLessThan(200);
  for (let i = 0; i < 2000; i++) {
    const m = (await serverEnd.recv({ timeout: 5000 })) as TopicDataMessage<{ i: number }>;
    expect(m.data.value.i).toBe(i);
  }
  client.close();
});

test('closeTimeout: a peer that never finishes a graceful close is cut off after it', async () => {
  server = await createServer('tcp://127.0.0.1:0', { closeTimeout: 150 });
  const accepted = nextEvent<[ConnectionLink]>((l) => server!.events.on('connection-accepted', l));
  // A peer that keeps its half of the connection open and never answers the close.
  const socket = netConnect({ host: '127.0.0.1', port: server.port!, allowHalfOpen: true });
  socket.on('error', () => {});
  socket.write(encodeFrame(encodeHello(new Map())));
  await accepted;
  const started = Date.now();
  await server.close(); // resolves once every socket is released
  const took = Date.now() - started;
  expect(took).toBeGreaterThanOrEqual(100);
  expect(took).toBeLessThan(DEFAULT_CLOSE_TIMEOUT);
  socket.destroy();
});

test('unusable options are refused before any socket is opened', async () => {
  await expect(createServer('tcp://127.0.0.1:0', { cost: 0 })).rejects.toBeInstanceOf(RangeError);
  await expect(connect('tcp://127.0.0.1:1', { cost: 1.5 })).rejects.toBeInstanceOf(RangeError);
  await expect(connect('tcp://127.0.0.1:1', { highWaterMark: 10, maxBufferedBytes: 5 })).rejects.toBeInstanceOf(RangeError);
});
