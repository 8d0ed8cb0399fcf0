// Node-only: a WebSocket server (ws) on its own HTTP(S) server.
import { createServer as createHttpServer, type IncomingMessage, type Server } from 'node:http';
import { createServer as createHttpsServer, type ServerOptions as HttpsOptions } from 'node:https';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { InvalidUrlError } from './errors.js';
import type { Listener, ListenAddress } from './listener.js';
import type { ConnectionUrl } from './url.js';

export interface WebSocketListenOptions {
  /** Largest message accepted; larger ones close the connection (code 1009). */
  maxPayload: number;
  /** Certificate and key for `wss://`. */
  tls?: HttpsOptions;
}

/**
 * Listens on a `ws://` or `wss://` URL. Upgrades are accepted on the URL's
 * path (any path when it is `/`); plain HTTP requests get 426.
 */
export async function listenWebSocket(
  target: ConnectionUrl,
  options: WebSocketListenOptions,
  onSocket: (ws: WebSocket, remote: string) => void,
  onError: (error: Error) => void,
): Promise<Listener> {
  if (target.scheme === 'wss' && !options.tls) throw new InvalidUrlError(target.href, 'a wss:// server needs the tls option');
  const server: Server = target.scheme === 'wss' ? createHttpsServer(options.tls!) : createHttpServer();
  const wss = new WebSocketServer({ noServer: true, maxPayload: options.maxPayload, clientTracking: false });
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
