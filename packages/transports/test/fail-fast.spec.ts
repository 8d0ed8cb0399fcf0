// Mistakes that used to wait out the 10 s handshake timeout, or hid their
// cause: each is answered at once with an error that names the URL and the
// cause, over real sockets on 127.0.0.1.
import { createServer as createNetServer, connect as netConnect, type Server, type Socket } from 'node:net';
import { TimeoutError } from '@streamtasks/link';
import { HandshakeError, HandshakeRejectedError, connect, createServer, type TransportServer } from '@streamtasks/transports';

let server: TransportServer | undefined;
let silent: Server | undefined;
const sockets = new Set<Socket>();

afterEach(async () => {
  await server?.close();
  server = undefined;
  for (const s of sockets) s.destroy();
  sockets.clear();
  await new Promise<void>((resolve) => (silent ? silent.close(() => resolve()) : resolve()));
  silent = undefined;
});

function portOf(url: string): number {
  return Number(new URL(url).port);
}

/** The next rejection a server reports. */
function nextRejection(s: TransportServer): Promise<Error> {
  return new Promise((resolve) => {
    const off = s.events.on('connection-rejected', (err) => {
      off();
      resolve(err);
    });
  });
}

test('an HTTP request sent to a TCP port is refused at once, not after the handshake timeout', async () => {
  server = await createServer('tcp://127.0.0.1:0', { handshakeTimeout: 60_000 });
  const rejected = nextRejection(server);
  const socket = netConnect({ host: '127.0.0.1', port: portOf(server.url) });
  sockets.add(socket);
  socket.on('error', () => {});
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  socket.write('GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
  const error = await rejected;
  expect(error).toBeInstanceOf(HandshakeError);
  expect(error.message).toMatch(/sent an HTTP request/);
  await closed;
  expect(server.connectionCount).toBe(0);
});

test('bytes that are not the sync word refuse the connection at its first byte', async () => {
  server = await createServer('tcp://127.0.0.1:0', { handshakeTimeout: 60_000 });
  const rejected = nextRejection(server);
  const socket = netConnect({ host: '127.0.0.1', port: portOf(server.url) });
  sockets.add(socket);
  socket.on('error', () => {});
  socket.write(Uint8Array.of(0xb8, 0x23, 0x00)); // a prefix of the sync word, then a wrong byte
  const error = await rejected;
  expect(error).toBeInstanceOf(HandshakeError);
  expect(error.message).toMatch(/not the sync word/);
});

test('ws:// pointed at a TCP port fails at once, naming the URL', async () => {
  server = await createServer('tcp://127.0.0.1:0', { handshakeTimeout: 60_000 });
  const url = `ws://127.0.0.1:${portOf(server.url)}`;
  const error = (await connect(url, { timeout: 60_000 }).catch((e: unknown) => e)) as Error;
  expect(error).not.toBeInstanceOf(TimeoutError);
  expect(error.message).toContain(`127.0.0.1:${portOf(server.url)}`);
});

test('tcp:// pointed at a WebSocket port fails with a HandshakeError that says it is HTTP', async () => {
  server = await createServer('ws://127.0.0.1:0', { handshakeTimeout: 60_000 });
  const url = `tcp://127.0.0.1:${portOf(server.url)}`;
  const error = (await connect(url, { timeout: 60_000 }).catch((e: unknown) => e)) as Error;
  expect(error).toBeInstanceOf(HandshakeError);
  expect(error.message).toMatch(/answered with HTTP.*ws:\/\//);
  expect(error.message).toContain(url);
});

describe('auth failures name the cause, never the secret', () => {
  test('no auth sent to a server that requires one', async () => {
    server = await createServer('tcp://127.0.0.1:0?auth=s3cret');
    const rejected = nextRejection(server);
    const error = (await connect(server.url, { timeout: 5000 }).catch((e: unknown) => e)) as HandshakeRejectedError;
    expect(error).toBeInstanceOf(HandshakeRejectedError);
    expect(error.message).toMatch(/no auth/);
    expect(error.message).toContain(`127.0.0.1:${portOf(server.url)}`);
    expect(error.message).not.toContain('s3cret');
    expect((await rejected).message).toMatch(/client sent no auth/);
  });

  test('a wrong auth', async () => {
    server = await createServer('tcp://127.0.0.1:0?auth=s3cret');
    const error = (await connect(`${server.url}?auth=hunter2`, { timeout: 5000 }).catch((e: unknown) => e)) as Error;
    expect(error).toBeInstanceOf(HandshakeRejectedError);
    expect(error.message).toMatch(/wrong auth/);
    for (const secret of ['s3cret', 'hunter2']) expect(error.message).not.toContain(secret);
  });

  test('auth sent to a server without any: the server says it takes none', async () => {
    server = await createServer('tcp://127.0.0.1:0');
    const rejected = nextRejection(server);
    const error = (await connect(`${server.url}?auth=hunter2`, { timeout: 5000 }).catch((e: unknown) => e)) as Error;
    expect(error.message).toMatch(/wrong auth \(or it takes none/);
    const log = await rejected;
    expect(log.message).toMatch(/this server takes none/);
    expect(log.message).not.toContain('hunter2');
  });
});

test('a connect timeout names the URL and the timeout', async () => {
  silent = createNetServer((socket) => {
    sockets.add(socket);
  });
  await new Promise<void>((resolve) => silent!.listen(0, '127.0.0.1', resolve));
  const port = (silent.address() as { port: number }).port;
  const error = (await connect(`tcp://127.0.0.1:${port}`, { timeout: 50 }).catch((e: unknown) => e)) as Error;
  expect(error).toBeInstanceOf(TimeoutError);
  expect(error.message).toContain(`tcp://127.0.0.1:${port}`);
  expect(error.message).toMatch(/50 ms/);
});
