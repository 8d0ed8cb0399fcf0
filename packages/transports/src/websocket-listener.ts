// Node-only: a WebSocket server (ws) on its own HTTP(S) server.
import { createServer as createHttpServer, type IncomingMessage, type Server } from 'node:http';
import { createServer as createHttpsServer, type ServerOptions as HttpsOptions } from 'node:https';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import { InvalidUrlError } from './errors.js';
import type { Listener, ListenAddress } from './listener.js';
import type { ConnectionUrl } from './url.js';
import type { WebSocketLike } from './websocket-channel.js';

export interface WebSocketListenOptions {
  /** Largest message accepted; larger ones close the connection (code 1009). */
  maxPayload: number;
  /** Certificate and key for `wss://`. */
  tls?: HttpsOptions;
  /**
   * Milliseconds an upgrade request may take to arrive completely: a client
   * that sends its headers slowly, or never finishes them, is answered 408
   * and disconnected then (the protocol handshake has its own timeout).
   */
  upgradeTimeout: number;
}

/**
 * Listens on a `ws://` or `wss://` URL. Upgrades are accepted on the URL's
 * path (any path when it is `/`); plain HTTP requests get 426.
 */
export async function listenWebSocket(
  target: ConnectionUrl,
  options: WebSocketListenOptions,
  onSocket: (ws: WebSocketLike, remote: string) => void,
  onError: (error: Error) => void,
): Promise<Listener> {
  if (target.scheme === 'wss' && !options.tls) throw new InvalidUrlError(target.href, 'a wss:// server needs the tls option');
  // Node checks these timeouts every connectionsCheckingInterval (30 s by default): often enough to keep them.
  const timeouts = {
    headersTimeout: options.upgradeTimeout,
    requestTimeout: options.upgradeTimeout,
    connectionsCheckingInterval: Math.max(10, Math.min(1000, options.upgradeTimeout / 4)),
  };
  const server: Server = target.scheme === 'wss' ? createHttpsServer({ ...options.tls, ...timeouts }) : createHttpServer(timeouts);
  // No permessage-deflate, whatever a client offers: a compressed message
  // could inflate far beyond maxPayload's worth of wire bytes (zip bombs),
  // and frames are MessagePack, which compresses little anyway.
  const wss = new WebSocketServer({ noServer: true, maxPayload: options.maxPayload, clientTracking: false, perMessageDeflate: false });
  server.on('request', (_req, res) => {
    res.writeHead(426, { 'content-type': 'text/plain', connection: 'close' });
    res.end('this endpoint speaks WebSocket only\n');
  });
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const path = (req.url ?? '/').split('?')[0];
    if (target.path !== '/' && path !== target.path) {
      socket.end('HTTP/1.1 404 Not Found\r\nconnection: close\r\n\r\n');
      return;
    }
    socket.on('error', () => socket.destroy());
    wss.handleUpgrade(req, socket, head, (ws) => onSocket(ws, `${req.socket.remoteAddress}:${req.socket.remotePort}`));
  });
  wss.on('error', onError);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: target.host, port: target.port ?? (target.scheme === 'wss' ? 443 : 80) }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  server.on('error', onError);
  return new WebSocketListener(server, wss);
}

class WebSocketListener implements Listener {
  readonly address: ListenAddress;
  private readonly server: Server;
  private readonly wss: WebSocketServer;

  constructor(server: Server, wss: WebSocketServer) {
    this.server = server;
    this.wss = wss;
    const bound = server.address();
    this.address = typeof bound === 'object' && bound !== null ? { host: bound.address, port: bound.port } : { path: String(bound) };
  }

  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.wss.close();
    // Idle keep-alive HTTP connections would hold close() open.
    this.server.closeIdleConnections();
    await closed;
  }
}
