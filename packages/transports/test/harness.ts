// Real-socket harnesses for the compliance suite and the server tests.
import { connect as netConnect, type Socket } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Link } from '@streamtasks/link';
import { WebSocket } from 'ws';
import { connect, createServer, type ConnectOptions, type ConnectionLink, type ServerOptions, type TransportServer } from '@streamtasks/transports';
import { FrameParser, encodeFrame, encodeHello } from '@streamtasks/transports/internal';
import type { TransportHarness } from './compliance.js';

/** A fresh directory for unix sockets, removed by the returned function. */
export function tempSocketDir(): { path: (name: string) => string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'st-transports-'));
  return { path: (name) => join(dir, name), remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Resolves with the next event's arguments. */
export function nextEvent<A extends unknown[]>(on: (listener: (...args: A) => void) => () => void): Promise<A> {
  return new Promise((resolve) => {
    const off = on((...args) => {
      off();
      resolve(args);
    });
  });
}

/** Connects a client and returns it with the server's end of the same connection. */
export async function openPair(
  server: TransportServer,
  url = server.url,
  options?: ConnectOptions,
): Promise<[ConnectionLink, ConnectionLink]> {
  const accepted = nextEvent<[ConnectionLink, unknown]>((l) => server.events.on('connection-accepted', l));
  const client = await connect(url, options);
  const [serverEnd] = await accepted;
  return [client, serverEnd];
}

/** A raw byte-stream connection that speaks frames by hand. */
export class RawStreamClient {
  readonly socket: Socket;
  readonly frames: Uint8Array[] = [];
  readonly closed: Promise<void>;
  private readonly parser = new FrameParser({ onFrame: (p) => this.onFrame(p) });
  private wake: (() => void) | undefined;

  constructor(options: { host: string; port: number } | { path: string }) {
    this.socket = netConnect(options);
    this.socket.on('data', (chunk) => this.parser.push(chunk));
    this.socket.on('error', () => {});
    this.closed = new Promise((resolve) => this.socket.once('close', () => resolve()));
  }

  static forServer(server: TransportServer): RawStreamClient {
    const address = server.address;
    return new RawStreamClient('path' in address ? { path: address.path } : { host: address.host, port: address.port });
  }

  write(bytes: Uint8Array): void {
    this.socket.write(bytes);
  }

  sendFrame(payload: Uint8Array): void {
    this.write(encodeFrame(payload));
  }

  /** Waits for the n-th frame (1-based). */
  async frame(n = 1): Promise<Uint8Array> {
    while (this.frames.length < n) {
      await Promise.race([new Promise<void>((resolve) => (this.wake = resolve)), this.closed]);
      if (this.frames.length < n && this.socket.destroyed) throw new Error('closed before the frame arrived');
    }
    return this.frames[n - 1]!;
  }

  destroy(): void {
    this.socket.destroy();
  }

  private onFrame(payload: Uint8Array): void {
    this.frames.push(payload);
    this.wake?.();
  }
}

/** A raw `ws` connection for sending hand-made messages. */
export async function rawWebSocket(server: TransportServer): Promise<{ ws: WebSocket; messages: Uint8Array[]; closed: Promise<void>; next: () => Promise<Uint8Array> }> {
  const ws = new WebSocket(server.url);
  ws.binaryType = 'arraybuffer';
  const messages: Uint8Array[] = [];
  let wake: (() => void) | undefined;
  ws.on('message', (data: ArrayBuffer) => {
    messages.push(new Uint8Array(data));
    wake?.();
  });
  ws.on('error', () => {});
  const closed = new Promise<void>((resolve) => ws.once('close', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  let read = 0;
  const next = async () => {
    while (messages.length <= read) await new Promise<void>((resolve) => (wake = resolve));
    return messages[read++]!;
  };
  return { ws, messages, closed, next };
}

/** A compliance harness over a real server and client on `url` (port 0 / a temp socket path). */
export function socketHarness(url: () => string, serverOptions: ServerOptions = {}): () => Promise<TransportHarness> {
  return async () => {
    const server = await createServer(url(), serverOptions);
    const opened: Link[] = [];
    const isWebSocket = server.url.startsWith('ws');
    return {
      async pair() {
        const pair = await openPair(server);
        opened.push(...pair);
        return pair;
      },
      async teardown() {
        for (const link of opened) link.close();
        await server.close();
      },
      async injectMalformed() {
        const closedEvent = nextEvent<[ConnectionLink, Error | undefined]>((l) => server.events.on('connection-closed', l));
        if (isWebSocket) {
          const raw = await rawWebSocket(server);
          raw.ws.send(encodeHello(new Map()));
          await raw.next();
          raw.ws.send(Uint8Array.of(0x93, 1, 2, 3)); // an array, not a message map
          await raw.closed;
        } else {
          const raw = RawStreamClient.forServer(server);
          raw.sendFrame(encodeHello(new Map()));
          await raw.frame(1);
          raw.sendFrame(Uint8Array.of(0x93, 1, 2, 3));
          await raw.closed;
        }
        const [, reason] = await closedEvent;
        return reason;
      },
    };
  };
}
