// Node-only: listening TCP and unix sockets.
import { lstat, unlink } from 'node:fs/promises';
import { connect as netConnect, createServer, type Server, type Socket } from 'node:net';
import type { Listener, ListenAddress } from './listener.js';
import { socketPathOf } from './node-socket.js';
import type { ConnectionUrl } from './url.js';

/**
 * Listens on a `tcp://`, `unix://` or `node://` URL. For unix sockets a stale socket
 * file (left by a process that died) is removed first; a live one is an
 * `EADDRINUSE` error, and a path that is not a socket is never touched.
 */
export async function listenStream(
  target: ConnectionUrl,
  onSocket: (socket: Socket) => void,
  onError: (error: Error) => void,
): Promise<Listener> {
  const path = target.scheme === 'tcp' ? undefined : socketPathOf(target);
  if (path !== undefined) await removeStaleSocket(path);
  const server = createServer(onSocket);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    const done = () => {
      server.off('error', reject);
      resolve();
    };
    if (path !== undefined) server.listen({ path }, done);
    else server.listen({ host: target.host, port: target.port! }, done);
  });
  server.on('error', onError);
  return new StreamListener(server, path);
}

class StreamListener implements Listener {
  readonly address: ListenAddress;
  private readonly server: Server;
  private readonly path: string | undefined;

  constructor(server: Server, path: string | undefined) {
    this.server = server;
    const bound = server.address();
    if (path !== undefined) {
      this.path = path;
      this.address = { path };
    } else if (typeof bound === 'string' || bound === null) {
      throw new Error('a TCP server without a bound address');
    } else {
      this.address = { host: bound.address, port: bound.port };
    }
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    // Node removes the socket file itself; make sure, without touching a file someone else created since.
    if (this.path !== undefined) await removeStaleSocket(this.path).catch(() => undefined);
  }
}

async function removeStaleSocket(path: string): Promise<void> {
  let isSocket: boolean;
  try {
    isSocket = (await lstat(path)).isSocket();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw err;
  }
  if (!isSocket) {
    throw Object.assign(new Error(`${path} exists and is not a socket`), { code: 'EEXIST' });
  }
  if (await isListening(path)) {
    throw Object.assign(new Error(`another process is listening on ${path}`), { code: 'EADDRINUSE' });
  }
  await unlink(path).catch((err: NodeJS.ErrnoException) => {
    if (err.code !== 'ENOENT') throw err;
  });
}

function isListening(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = netConnect({ path });
    probe.once('connect', () => {
      probe.destroy();
      resolve(true);
    });
    probe.once('error', () => resolve(false));
  });
}
