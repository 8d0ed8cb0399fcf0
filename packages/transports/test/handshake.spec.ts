import { createServer as createNetServer, type Server, type Socket } from 'node:net';
import {
  AbortError,
  ConnectionClosedError,
  TimeoutError,
} from '@streamtasks/link';
import { FrameTooLargeError, HandshakeError, HandshakeRejectedError, PROTOCOL_VERSION, connect, createServer, parseUrl, type TransportServer } from '@streamtasks/transports';
import { FrameParser, SYNC_WORD, checkHello, encodeFrame, encodeHello, encodeReply } from '@streamtasks/transports/internal';
import { RawStreamClient, nextEvent, openPair } from './harness.js';
import { hex, loadVectors, toHex, type HandshakeVectors } from './vectors.js';

const vectors = loadVectors<HandshakeVectors>('handshake.json');
const ACCEPT_HEX = vectors.accept.server_to_client_frames[0]!.hex;

/**
 * A scripted peer: records the frames a client sends and answers the first
 * one with `reply` (or never, when undefined).
 */
class ScriptedServer {
  readonly frames: Uint8Array[] = [];
  readonly sockets = new Set<Socket>();
  private readonly server: Server;
  private gotFrame: (() => void) | undefined;

  private constructor(reply: Uint8Array | undefined) {
    this.server = createNetServer((socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
      socket.on('error', () => {});
      const parser = new FrameParser({
        onFrame: (payload) => {
          this.frames.push(payload);
          this.gotFrame?.();
          if (reply && this.frames.length === 1) socket.write(encodeFrame(reply));
        },
      });
      socket.on('data', (chunk) => parser.push(chunk));
    });
  }

  static async start(reply: Uint8Array | undefined): Promise<ScriptedServer> {
    const s = new ScriptedServer(reply);
    await new Promise<void>((resolve) => s.server.listen(0, '127.0.0.1', resolve));
    return s;
  }

  get port(): number {
    return (this.server.address() as { port: number }).port;
  }

  async firstFrame(): Promise<Uint8Array> {
    if (this.frames.length === 0) await new Promise<void>((resolve) => (this.gotFrame = resolve));
    return this.frames[0]!;
  }

  /** Resolves once every connected client has closed its socket. */
  async clientsGone(): Promise<void> {
    await Promise.all([...this.sockets].map((s) => new Promise((resolve) => (s.destroyed ? resolve(undefined) : s.once('close', resolve)))));
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise((resolve) => this.server.close(resolve));
  }
}

describe('handshake bytes', () => {
  test('the client hello for the reference URL is byte-exact', () => {
    const hello = encodeHello(parseUrl(vectors.client_hello.url).handshakeData);
    expect(toHex(hello)).toBe(vectors.client_hello.frame_payload_hex);
    expect(toHex(encodeFrame(hello))).toBe(vectors.client_hello.raw_bytes_hex);
    expect(PROTOCOL_VERSION).toBe(vectors.version_string);
  });

  test('the accept and reject replies are byte-exact', () => {
    expect(toHex(encodeReply(true))).toBe(ACCEPT_HEX);
    expect(toHex(encodeReply(false))).toBe(vectors.reject_wrong_auth.server_to_client_frames[0]!.hex);
    expect(toHex(encodeReply(false))).toBe(vectors.reject_version_mismatch.server_reply_hex);
  });

  test('checkHello: versions must match, auth must match, both absent is equal', () => {
    expect(checkHello({ version: '0.1' }, undefined)).toBeUndefined();
    expect(checkHello({ version: '0.1', auth: 'A' }, 'A')).toBeUndefined();
    expect(checkHello({ version: '0.1' }, 'A')).toMatchObject({ reason: 'auth' });
    expect(checkHello({ version: '0.1', auth: 'A' }, undefined)).toMatchObject({ reason: 'auth' });
    expect(checkHello({ version: '0.1', auth: 'AB' }, 'A')).toMatchObject({ reason: 'auth' });
    expect(checkHello({ version: '0.1', auth: 1 }, '1')).toMatchObject({ reason: 'auth' });
    expect(checkHello({ version: '0.2', auth: 'A' }, 'A')).toMatchObject({ reason: 'version', peerVersion: '0.2' });
    expect(checkHello({}, undefined)).toMatchObject({ reason: 'version' });
  });
});

describe('client handshake over a real socket', () => {
  let peer: ScriptedServer | undefined;
  afterEach(async () => {
    await peer?.close();
    peer = undefined;
  });

  const urlFor = (port: number) => vectors.client_hello.url.replace('127.0.0.1:9', `127.0.0.1:${port}`);

  test('sends the reference hello bytes and accepts the reference reply', async () => {
    peer = await ScriptedServer.start(hex(ACCEPT_HEX));
    const link = await connect(urlFor(peer.port));
    expect(toHex(await peer.firstFrame())).toBe(vectors.client_hello.frame_payload_hex);
    expect(link.cost).toBe(vectors.accept.outcome.client_link_cost);
    link.close();
  });

  test('accepts a reply carrying extra keys (what a Python server sends)', async () => {
    peer = await ScriptedServer.start(hex(vectors.accept_with_server_extras.server_reply_hex));
    const link = await connect(`tcp://127.0.0.1:${peer.port}?auth=S`);
    expect(link.isClosed).toBe(false);
    link.close();
  });

  test.each([
    ['accepted false', encodeReply(false), HandshakeRejectedError, 'refused'],
    ['another version', hex('82a86163636570746564c3a776657273696f6ea3302e32'), HandshakeRejectedError, 'version'],
    ['accepted 1 (not exactly true)', hex('82a8616363657074656401a776657273696f6ea3302e31'), HandshakeRejectedError, 'refused'],
    ['not a map', hex('93010203'), HandshakeError, undefined],
    ['not MessagePack', hex('c1'), HandshakeError, undefined],
  ])('rejects a reply with %s', async (_what, reply, errorClass, reason) => {
    peer = await ScriptedServer.start(reply);
    const error = await connect(`tcp://127.0.0.1:${peer.port}`).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(errorClass);
    if (reason) expect(error).toMatchObject({ code: 'ERR_HANDSHAKE_REJECTED', reason });
    else expect(error).toMatchObject({ code: 'ERR_HANDSHAKE' });
    await peer.clientsGone(); // the client hung up
  });

  test('times out when the server never answers, leaving no socket open', async () => {
    peer = await ScriptedServer.start(undefined);
    const error = await connect(`tcp://127.0.0.1:${peer.port}`, { timeout: 100 }).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(TimeoutError);
    expect((error as TimeoutError).message).toMatch(/handshake reply/);
  });

  test('can be aborted', async () => {
    peer = await ScriptedServer.start(undefined);
    const controller = new AbortController();
    const pending = connect(`tcp://127.0.0.1:${peer.port}`, { signal: controller.signal });
    await peer.firstFrame();
    controller.abort();
    await expect(pending).rejects.toBeInstanceOf(AbortError);
    await expect(connect(`tcp://127.0.0.1:${peer.port}`, { signal: controller.signal })).rejects.toBeInstanceOf(AbortError);
  });

  test('a refused connection is a ConnectionClosedError', async () => {
    peer = await ScriptedServer.start(undefined);
    const port = peer.port;
    await peer.close();
    peer = undefined;
    const error = await connect(`tcp://127.0.0.1:${port}`).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(ConnectionClosedError);
    expect((error as Error).cause).toMatchObject({ code: 'ECONNREFUSED' });
  });
});

describe('server handshake over a real socket', () => {
  let server: TransportServer;
  afterEach(() => server.close());

  async function exchange(hello: Uint8Array): Promise<{ reply: string; raw: RawStreamClient }> {
    const raw = RawStreamClient.forServer(server);
    raw.sendFrame(hello);
    return { reply: toHex(await raw.frame(1)), raw };
  }

  test('answers the reference client with the reference accept bytes', async () => {
    server = await createServer('tcp://127.0.0.1:0?auth=ABC');
    const accepted = nextEvent((l) => server.events.on('connection-accepted', l));
    const { reply, raw } = await exchange(hex(vectors.accept.client_to_server_frames[0]!.hex));
    expect(reply).toBe(ACCEPT_HEX);
    const [link, info] = await accepted;
    expect(info).toMatchObject({ handshake: vectors.accept.client_to_server_frames[0]!.decoded });
    expect((link as { cost: number }).cost).toBe(100);
    raw.destroy();
  });

  test('Known fault 4: never sends its own credentials or URL parameters (the reference does)', async () => {
    server = await createServer('tcp://srvuser:srvpw@127.0.0.1:0?auth=S&cost=7&foo=bar');
    const accepted = nextEvent((l) => server.events.on('connection-accepted', l));
    const { reply, raw } = await exchange(encodeHello(new Map([['auth', 'S']])));
    expect(reply).toBe(ACCEPT_HEX);
    expect(reply).not.toBe(vectors.accept_with_server_extras.server_reply_hex);
    const [link] = await accepted;
    expect((link as { cost: number }).cost).toBe(7);
    raw.destroy();
  });

  test.each([
    ['a wrong auth', hex(vectors.reject_wrong_auth.client_to_server_frames[0]!.hex), 'auth'],
    ['another version', hex(vectors.reject_version_mismatch.client_hello_hex), 'version'],
  ])('rejects %s with the reference reply, then closes, and keeps serving', async (_what, hello, reason) => {
    server = await createServer('tcp://127.0.0.1:0?auth=ABC');
    const rejected = nextEvent<[Error, string]>((l) => server.events.on('connection-rejected', l));
    const { reply, raw } = await exchange(hello);
    expect(reply).toBe(vectors.reject_version_mismatch.server_reply_hex);
    await raw.closed;
    const [error] = await rejected;
    expect(error).toBeInstanceOf(HandshakeRejectedError);
    expect(error).toMatchObject({ reason });
    const [client] = await openPair(server, server.url, { auth: 'ABC' });
    client.close();
  });

  test('Known fault 4: auth holds for every connection, not only the first (the reference forgets it)', async () => {
    server = await createServer('tcp://127.0.0.1:0?auth=ABC');
    const url = server.url;
    for (let round = 0; round < 3; round++) {
      const good = await connect(`${url}?auth=ABC`);
      await expect(connect(url)).rejects.toMatchObject({ code: 'ERR_HANDSHAKE_REJECTED', reason: 'refused' });
      await expect(connect(`${url}?auth=XYZ`)).rejects.toBeInstanceOf(HandshakeRejectedError);
      good.close();
    }
    expect(server.connectionCount).toBeLessThanOrEqual(3);
  });

  test('without auth configured, only clients without auth are accepted, every time', async () => {
    server = await createServer('tcp://127.0.0.1:0');
    for (let round = 0; round < 3; round++) {
      await expect(connect(`${server.url}?auth=ABC`)).rejects.toBeInstanceOf(HandshakeRejectedError);
      (await connect(server.url)).close();
    }
  });

  test('options.auth overrides the URL on both sides', async () => {
    server = await createServer('tcp://127.0.0.1:0?auth=fromurl', { auth: 'fromoptions' });
    await expect(connect(`${server.url}?auth=fromurl`)).rejects.toBeInstanceOf(HandshakeRejectedError);
    (await connect(`${server.url}?auth=fromurl`, { auth: 'fromoptions' })).close();
  });

  test('a client that never sends a hello is closed after the handshake timeout', async () => {
    server = await createServer('tcp://127.0.0.1:0', { handshakeTimeout: 100 });
    const rejected = nextEvent<[Error, string]>((l) => server.events.on('connection-rejected', l));
    const raw = RawStreamClient.forServer(server);
    await raw.closed;
    const [error] = await rejected;
    expect(error).toBeInstanceOf(TimeoutError);
    expect(server.pendingCount).toBe(0);
  });

  test('a hello larger than 64 KiB is refused before any client is accepted', async () => {
    server = await createServer('tcp://127.0.0.1:0');
    const rejected = nextEvent<[Error, string]>((l) => server.events.on('connection-rejected', l));
    const raw = RawStreamClient.forServer(server);
    const header = new Uint8Array(8);
    header.set(SYNC_WORD);
    new DataView(header.buffer).setUint32(4, 65 * 1024, true);
    raw.write(header);
    await raw.closed;
    const [error] = await rejected;
    expect(error).toBeInstanceOf(FrameTooLargeError);
  });

  test('bytes before the hello are refused: the peer does not speak the protocol', async () => {
    server = await createServer('tcp://127.0.0.1:0');
    const rejected = nextEvent<[Error, string]>((l) => server.events.on('connection-rejected', l));
    const raw = RawStreamClient.forServer(server);
    raw.write(Buffer.from('GET / HTTP/1.1\r\n\r\n'));
    raw.sendFrame(encodeHello(new Map()));
    await raw.closed;
    expect(raw.frames).toHaveLength(0);
    const [error] = await rejected;
    expect(error).toBeInstanceOf(HandshakeError);
    // Refused at the first byte that is not the sync word, before the hello arrives.
    expect(error.message).toMatch(/sent an HTTP request/);
    expect(server.pendingCount).toBe(0);
    (await connect(server.url)).close();
  });

  test('a hello that is not a map is refused', async () => {
    server = await createServer('tcp://127.0.0.1:0');
    const rejected = nextEvent<[Error, string]>((l) => server.events.on('connection-rejected', l));
    const raw = RawStreamClient.forServer(server);
    raw.sendFrame(hex('93010203'));
    await raw.closed;
    expect((await rejected)[0]).toBeInstanceOf(HandshakeError);
  });
});
