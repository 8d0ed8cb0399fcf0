import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Where Debian's `nats-server` package installs the server (`.ci/run` installs it). */
export const NATS_SERVER_BINARY = process.env.NATS_SERVER ?? '/usr/sbin/nats-server';

/** A `nats-server` process on loopback, started by {@link startNatsServer}. */
export interface NatsServer {
  /** `nats://127.0.0.1:<client port>` */
  readonly url: string;
  readonly port: number;
  readonly monitorPort: number;
  /** The cluster port, when started with `cluster`. */
  readonly clusterPort: number | undefined;
  readonly name: string;
  readonly process: ChildProcess;
  /** Reads a monitoring endpoint (`varz`, `subsz`, `routez`, `connz`…) as JSON. */
  monitor<T = Record<string, unknown>>(endpoint: string): Promise<T>;
  /** Kills the server (SIGKILL by default) and resolves once it exited. */
  kill(signal?: NodeJS.Signals): Promise<void>;
}

export interface NatsServerOptions {
  /** Server name (`-n`). */
  name?: string;
  /** Join or form a cluster: its name and the cluster URLs of the other servers. */
  cluster?: { name: string; routes: readonly string[] };
  /** Further command-line arguments (`--max_payload`, `--user`…). */
  args?: readonly string[];
  /** Milliseconds to wait for the server to be ready. Default 10 000. */
  timeout?: number;
}

/**
 * Starts `nats-server` on 127.0.0.1 with ports from the OS and resolves once
 * it logged that it listens for clients, serves monitoring and is ready.
 * Fails with a clear message when the binary is missing.
 */
export async function startNatsServer(options: NatsServerOptions = {}): Promise<NatsServer> {
  if (!existsSync(NATS_SERVER_BINARY)) {
    throw new Error(`nats-server not found at ${NATS_SERVER_BINARY}: install it (apt-get install -y nats-server) or set NATS_SERVER`);
  }
  const name = options.name ?? `n${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  const storeDir = mkdtempSync(join(tmpdir(), 'nats-'));
  const args = ['-a', '127.0.0.1', '-p', '-1', '-m', '-1', '-n', name];
  if (options.cluster) {
    args.push('--cluster', 'nats://127.0.0.1:-1', '--cluster_name', options.cluster.name);
    if (options.cluster.routes.length > 0) args.push('--routes', options.cluster.routes.join(','));
  }
  args.push(...(options.args ?? []));
  const child = spawn(NATS_SERVER_BINARY, args, { stdio: ['ignore', 'ignore', 'pipe'], cwd: storeDir });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const cleanup = () => rmSync(storeDir, { recursive: true, force: true });
  void exited.then(cleanup);
  let log = '';
  const ports = await new Promise<{ port: number; monitorPort: number; clusterPort: number | undefined }>((resolve, reject) => {
    const timer = setTimeout(() => fail(new Error(`nats-server was not ready after ${options.timeout ?? 10_000} ms:\n${log}`)), options.timeout ?? 10_000);
    const fail = (err: Error) => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(err);
    };
    child.once('error', (err) => fail(new Error(`cannot start ${NATS_SERVER_BINARY}: ${err.message}`)));
    const onEarlyExit = (code: number | null) => fail(new Error(`nats-server exited (code ${code}) before it was ready:\n${log}`));
    child.once('exit', onEarlyExit);
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (chunk: string) => {
      log += chunk;
      // The route listener is logged after "Server is ready".
      const port = /Listening for client connections on 127\.0\.0\.1:(\d+)/.exec(log);
      const monitor = /Starting http monitor on 127\.0\.0\.1:(\d+)/.exec(log);
      const cluster = /Listening for route connections on 127\.0\.0\.1:(\d+)/.exec(log);
      if (!log.includes('Server is ready') || !port || !monitor || (options.cluster && !cluster)) return;
      clearTimeout(timer);
      child.off('exit', onEarlyExit);
      child.stderr!.removeAllListeners('data');
      child.stderr!.resume();
      resolve({ port: Number(port[1]), monitorPort: Number(monitor[1]), clusterPort: cluster ? Number(cluster[1]) : undefined });
    });
  });
  return {
    url: `nats://127.0.0.1:${ports.port}`,
    ...ports,
    name,
    process: child,
    monitor: (endpoint) => getJson(ports.monitorPort, endpoint),
    async kill(signal = 'SIGKILL') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
    },
  };
}

/**
 * Starts a cluster of `size` servers on loopback (each routes to the first)
 * and resolves once every server has a route to every other one.
 */
export async function startNatsCluster(size: number, options: { args?: readonly string[] } = {}): Promise<NatsServer[]> {
  const clusterName = `c${process.pid}${Math.random().toString(36).slice(2, 6)}`;
  const servers: NatsServer[] = [];
  try {
    const first = await startNatsServer({ cluster: { name: clusterName, routes: [] }, args: options.args });
    servers.push(first);
    const seed = `nats://127.0.0.1:${first.clusterPort}`;
    servers.push(...(await Promise.all(Array.from({ length: size - 1 }, () => startNatsServer({ cluster: { name: clusterName, routes: [seed] }, args: options.args })))));
    await Promise.all(servers.map((s) => waitForRoutes(s, size - 1)));
    return servers;
  } catch (err) {
    await Promise.all(servers.map((s) => s.kill()));
    throw err;
  }
}

/** Resolves once the server reports `count` routes (polling its monitor, which has no push API). */
export async function waitForRoutes(server: NatsServer, count: number, timeout = 10_000): Promise<void> {
  const deadline = Date.now() + timeout;
  for (;;) {
    const routez = await server.monitor<{ num_routes: number }>('routez');
    if (routez.num_routes >= count) return;
    if (Date.now() > deadline) throw new Error(`server ${server.name} has ${routez.num_routes} of ${count} routes`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

function getJson<T>(port: number, endpoint: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: `/${endpoint}` }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => {
        try {
          resolve(JSON.parse(body) as T);
        } catch (err) {
          reject(err);
        }
      });
    });
    req.once('error', reject);
    req.end();
  });
}
