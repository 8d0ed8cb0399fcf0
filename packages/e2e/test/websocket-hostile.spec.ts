// Hostile WebSocket peers against a running node's ws:// server, written by
// hand frame by frame (raw-websocket.ts): huge and lying lengths up to 4 GiB
// and beyond, text frames, fragmented messages and continuation frames out
// of place, ping floods, an upgrade request that never completes
// (slowloris), and permessage-deflate offered (it stays off: no zip bombs).
// Each bad connection is closed with the code RFC 6455 gives (or served, where
// the input is allowed), and a good client is served throughout.
import { decodeValue } from '@streamtasks/link/internal';
import type { Client } from '@streamtasks/client';
import { FetchServer } from '@streamtasks/fetch';
import { parseUrl } from '@streamtasks/transports';
import { encodeHello } from '@streamtasks/transports/internal';
import { openClient, startNode, type StreamtasksNode } from '@streamtasks/cli';
import { Opcode, RawWebSocket } from './raw-websocket.js';

const HANDSHAKE_TIMEOUT = 1000;
const MAX_FRAME = 64 * 1024;
/** Close codes of RFC 6455 that the server sends here. */
const PROTOCOL_ERROR = 1002;
const TOO_BIG = 1009;
const POLICY_VIOLATION = 1008;

let node: StreamtasksNode;
let host: string;
let port: number;
let service: Client;
let user: Client;
const sockets: RawWebSocket[] = [];

beforeAll(async () => {
  node = await startNode({
    core: true,
    serve: ['ws://127.0.0.1:0', 'tcp://127.0.0.1:0'],
    server: { handshakeTimeout: HANDSHAKE_TIMEOUT, maxFrameSize: MAX_FRAME, closeTimeout: HANDSHAKE_TIMEOUT },
  });
  const [wsUrl, tcpUrl] = node.urls as [string, string];
  ({ host, port } = parseUrl(wsUrl) as { host: string; port: number });
  service = await openClient(tcpUrl, { address: true, timeout: 10_000 });
  user = await openClient(wsUrl, { address: true, timeout: 10_000 });
  new FetchServer(service).route('echo', ({ body }) => body).start();
});

afterEach(() => {
  for (const s of sockets.splice(0)) s.destroy();
});

afterAll(async () => {
  user.close();
  service.close();
  await node.close();
});

async function upgraded(extra?: string[]): Promise<RawWebSocket> {
  const ws = await RawWebSocket.open(host, port);
  sockets.push(ws);
  await ws.upgrade(extra);
  expect(ws.status).toBe('HTTP/1.1 101 Switching Protocols');
  return ws;
}

/** The handshake reply (pongs of pings sent before it are skipped), decoded. */
async function reply(ws: RawWebSocket): Promise<unknown> {
  const frame = await ws.nextData();
  expect(frame.opcode).toBe(Opcode.Binary);
  return decodeValue(frame.payload);
}

/** Sends the hello and returns the decoded reply. */
function handshake(ws: RawWebSocket): Promise<unknown> {
  ws.send(Opcode.Binary, encodeHello(new Map()));
  return reply(ws);
}

let marker = 0;
/** The good client (over WebSocket) still gets answers through the node. */
async function serving(): Promise<void> {
  const n = ++marker;
  await expect(user.fetch(service.address!, 'echo', { n }, { timeout: 5000 })).resolves.toEqual({ n });
}

describe('lengths', () => {
  test('a frame announcing more than the largest frame is refused from its header (1009)', async () => {
    const ws = await upgraded();
    ws.send(Opcode.Binary, new Uint8Array(0), { announce: MAX_FRAME + 1 });
    expect(await ws.closeCode()).toBe(TOO_BIG);
    await ws.closed;
    await serving();
  });

  test('a 4 GiB length in a frame header is refused from the header (1009)', async () => {
    const ws = await upgraded();
    expect(await handshake(ws)).toEqual({ accepted: true, version: '0.1' });
    ws.send(Opcode.Binary, new Uint8Array(0), { announce: 2n ** 32n });
    expect(await ws.closeCode()).toBe(TOO_BIG);
    await ws.closed;
    await serving();
  });

  test('a length beyond 2^53 (which no JavaScript number holds) is refused', async () => {
    const ws = await upgraded();
    ws.send(Opcode.Binary, new Uint8Array(0), { announce: 2n ** 63n - 1n });
    expect([TOO_BIG, PROTOCOL_ERROR]).toContain(await ws.closeCode());
    await ws.closed;
    await serving();
  });

  test('fragments that add up to more than the largest frame are refused (1009)', async () => {
    const ws = await upgraded();
    const piece = new Uint8Array(MAX_FRAME / 2 + 1);
    ws.send(Opcode.Binary, piece, { fin: false });
    ws.send(Opcode.Continuation, piece, { fin: false });
    expect(await ws.closeCode()).toBe(TOO_BIG);
    await ws.closed;
    await serving();
  });
});

describe('frame kinds', () => {
  test('text frames are ignored: the hello after them is answered', async () => {
    const ws = await upgraded();
    for (let i = 0; i < 100; i++) ws.send(Opcode.Text, Buffer.from(`{"not": "a frame ${i}"}`));
    expect(await handshake(ws)).toEqual({ accepted: true, version: '0.1' });
    await serving();
  });

  test('a hello in three fragments, with pings between them, is one message', async () => {
    const ws = await upgraded();
    const hello = encodeHello(new Map());
    ws.send(Opcode.Binary, hello.subarray(0, 2), { fin: false });
    ws.send(Opcode.Ping, Buffer.from('between'));
    ws.send(Opcode.Continuation, hello.subarray(2, 5), { fin: false });
    ws.send(Opcode.Continuation, hello.subarray(5));
    expect(await reply(ws)).toEqual({ accepted: true, version: '0.1' });
    await serving();
  });

  test('a continuation frame with no message to continue is a protocol error (1002)', async () => {
    const ws = await upgraded();
    ws.send(Opcode.Continuation, Buffer.from('orphan'));
    expect(await ws.closeCode()).toBe(PROTOCOL_ERROR);
    await ws.closed;
    await serving();
  });

  test('a new message inside a fragmented one is a protocol error (1002)', async () => {
    const ws = await upgraded();
    ws.send(Opcode.Binary, Buffer.from('first'), { fin: false });
    ws.send(Opcode.Binary, Buffer.from('second'));
    expect(await ws.closeCode()).toBe(PROTOCOL_ERROR);
    await ws.closed;
    await serving();
  });

  /** `count` masked pings of 4 bytes each, in one write. */
  const pings = (count: number) => Buffer.concat(Array.from({ length: count }, (_, i) => Buffer.concat([
    Buffer.from([0x80 | Opcode.Ping, 0x80 | 4]), Buffer.alloc(4), Buffer.from([0, 0, (i >> 8) & 0xff, i & 0xff]),
  ])));

  test('pings are answered, and the connection goes on', async () => {
    const ws = await upgraded();
    ws.write(pings(50));
    await ws.until(() => ws.frames.filter((f) => f.opcode === Opcode.Pong).length === 50, 'every pong');
    expect(await handshake(ws)).toEqual({ accepted: true, version: '0.1' });
    await serving();
  });

  test('a ping flood from a peer that does not read its pongs drops that connection, and only that one', async () => {
    // ws stops a connection with more than 60 pongs that could not be written yet: a flood in one
    // write produces them faster than the socket takes them.
    const ws = await upgraded();
    ws.write(pings(20_000));
    await ws.closed;
    await serving();
  });

  test('a message in more fragments than allowed is refused (1008)', async () => {
    // ws allows 16 Ki fragments per message.
    const ws = await upgraded();
    const fragment = (fin: boolean, opcode: number) => Buffer.from([(fin ? 0x80 : 0) | opcode, 0x80 | 1, 0, 0, 0, 0, 0]);
    ws.write(Buffer.concat([fragment(false, Opcode.Binary), ...Array.from({ length: 17_000 }, () => fragment(false, Opcode.Continuation))]));
    expect(await ws.closeCode()).toBe(POLICY_VIOLATION);
    await ws.closed;
    await serving();
  });
});

describe('the upgrade', () => {
  test('permessage-deflate offered by the client stays off, and a compressed frame is a protocol error', async () => {
    const ws = await upgraded(['Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits']);
    expect(ws.headers.has('sec-websocket-extensions')).toBe(false);
    // RSV1 set: "compressed", which was not agreed.
    ws.send(Opcode.Binary, Buffer.from([0x4b, 0x04, 0x00]), { rsv1: true });
    expect(await ws.closeCode()).toBe(PROTOCOL_ERROR);
    await ws.closed;
    await serving();
  });

  test('an upgrade request that never completes (slowloris) is dropped after the handshake timeout', async () => {
    const ws = await RawWebSocket.open(host, port);
    sockets.push(ws);
    const request = RawWebSocket.request();
    // Everything but the blank line that ends the headers, then one header line now and then.
    ws.write(request.slice(0, request.length - 2));
    const trickle = setInterval(() => ws.write('X-Slow: 1\r\n'), HANDSHAKE_TIMEOUT / 10);
    try {
      await ws.closed;
    } finally {
      clearInterval(trickle);
    }
    await serving();
  });

  test('an upgraded connection that never sends its hello is closed by the handshake timeout', async () => {
    const ws = await upgraded();
    await ws.closed;
    await serving();
  });
});

