import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { authorized, checkAuth, type MonitorAuth } from './auth.js';
import { DashboardAssets } from './dashboard-assets.js';
import { LinkRegistry } from './links.js';
import { LiveClients } from './live.js';
import { parseListen } from './listen.js';
import { NodeMetrics } from './metrics.js';
import { QueryError, page, parsePageQuery } from './paging.js';
import { RateSampler } from './rates.js';
import type { MonitorTarget } from './target.js';
import {
  ADDRESS_SORT_KEYS,
  LINK_SORT_KEYS,
  NAME_SORT_KEYS,
  TOPIC_SORT_KEYS,
  addressViews,
  linkSortValue,
  linkView,
  nameViews,
  nodeView,
  serviceViews,
  toJson,
  topicSortValue,
  topicViews,
  type ViewContext,
} from './views.js';

export interface MonitorOptions {
  /**
   * Where to listen: `HOST:PORT`, `:PORT` or `PORT`. Default
   * `127.0.0.1:8222`; without a host it is loopback. Port 0 picks a free
   * port (see {@link MonitorServer.url}).
   */
  listen?: string | number;
  /** Require a token or basic auth for everything but `/healthz`. */
  auth?: MonitorAuth;
  /** Milliseconds between rate samples and live updates. Default 1000. */
  interval?: number;
  /** Most HTTP connections at once. Default 64. */
  maxConnections?: number;
  /** Most live-update (`/events`) clients at once. Default 16. */
  maxLiveClients?: number;
  /** Unsent bytes at which a live-update client that does not read is disconnected. Default 1 MiB. */
  maxClientBuffer?: number;
}

/** A running monitor (see {@link startMonitor}). */
export class MonitorServer {
  /** `http://HOST:PORT` of the monitor. */
  readonly url: string;
  private closed = false;

  /** Use {@link startMonitor}. */
  constructor(
    private readonly http: Server,
    private readonly ctx: ViewContext & { readonly links: LinkRegistry },
    private readonly live: LiveClients,
    private readonly offSample: () => void,
  ) {
    const address = http.address() as AddressInfo;
    const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    this.url = `http://${host}:${address.port}`;
  }

  /** Clients of the live update stream (`/events`) now. */
  get liveClientCount(): number {
    return this.live.size;
  }

  /** The port the monitor listens on. */
  get port(): number {
    return (this.http.address() as AddressInfo).port;
  }

  /** Stops listening, ends every connection (live streams included) and the sampler. Safe to call twice. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.offSample();
    this.ctx.rates.stop();
    this.ctx.links.close();
    this.live.closeAll();
    const done = new Promise<void>((resolve) => this.http.close(() => resolve()));
    this.http.closeAllConnections();
    await done;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}

/**
 * Starts the HTTP monitor of a node: JSON at `/node`, `/links`, `/topics`,
 * `/addresses`, `/names`, `/services` and `/healthz`, Prometheus metrics at
 * `/metrics`, live updates (Server-Sent Events) at `/events` and the
 * dashboard at `/`.
 *
 * Every answer is computed at once from the counters and written without
 * waiting for the client, so a slow or stuck HTTP client never delays the
 * switch; live-update clients that fall behind are disconnected.
 */
export async function startMonitor(target: MonitorTarget, options: MonitorOptions = {}): Promise<MonitorServer> {
  const { host, port } = parseListen(options.listen);
  checkAuth(options.auth);
  const interval = options.interval ?? 1000;
  if (!(interval >= 10)) throw new RangeError(`monitor interval must be at least 10 ms, got ${interval}`);
  const links = new LinkRegistry(target.switch);
  const rates = new RateSampler(target.switch, interval);
  const ctx = { target, links, rates, startedAt: Date.now() };
  const metrics = new NodeMetrics(ctx);
  const live = new LiveClients(options.maxLiveClients ?? 16, options.maxClientBuffer ?? 1024 * 1024);
  const assets = new DashboardAssets();

  const http = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) send(res, 500, { error: err instanceof Error ? err.message : String(err) });
      else res.destroy();
    });
  });
  http.maxConnections = options.maxConnections ?? 64;
  http.headersTimeout = 10_000;
  http.requestTimeout = 10_000;
  http.keepAliveTimeout = 5_000;

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://monitor');
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('allow', 'GET, HEAD');
      return send(res, 405, { error: `${req.method} is not allowed` });
    }
    if (url.pathname === '/healthz') return send(res, 200, { status: 'ok' });
    if (!authorized(options.auth, req, url)) {
      if (options.auth?.username !== undefined) res.setHeader('www-authenticate', 'Basic realm="streamtasks monitor"');
      return send(res, 401, { error: 'unauthorized' });
    }
    try {
      switch (url.pathname) {
        case '/node':
          return send(res, 200, nodeView(ctx));
        case '/links': {
          const q = parsePageQuery(url.searchParams, LINK_SORT_KEYS, 'id');
          const now = Date.now();
          const { items, ...paging } = page([...target.switch.links].map((l) => linkView(ctx, l, now)), q, linkSortValue);
          return send(res, 200, { now: new Date(now).toISOString(), ...paging, links: items });
        }
        case '/topics': {
          const q = parsePageQuery(url.searchParams, TOPIC_SORT_KEYS, 'topic');
          let views = topicViews(ctx);
          const only = url.searchParams.get('topic');
          if (only !== null) views = views.filter((v) => String(v.topic) === only);
          const { items, ...paging } = page(views, q, topicSortValue);
          return send(res, 200, { now: new Date().toISOString(), ...paging, topics: items });
        }
        case '/addresses': {
          const q = parsePageQuery(url.searchParams, ADDRESS_SORT_KEYS, 'address');
          const { items, ...paging } = page(addressViews(ctx), q, (v, key) => (v as unknown as Record<string, number>)[key] ?? -1);
          return send(res, 200, { now: new Date().toISOString(), ...paging, addresses: items });
        }
        case '/names': {
          const names = nameViews(ctx);
          const q = parsePageQuery(url.searchParams, NAME_SORT_KEYS, 'name');
          const { items, ...paging } = page(names ?? [], q, (v, key) => (key === 'name' ? v.name : v.address));
          return send(res, 200, { now: new Date().toISOString(), supported: names !== undefined, ...paging, names: items });
        }
        case '/services':
          return send(res, 200, { now: new Date().toISOString(), services: serviceViews(), discovery: nodeView(ctx).discovery });
        case '/metrics': {
          const text = await metrics.text();
          res.writeHead(200, { 'content-type': metrics.contentType, 'cache-control': 'no-store' });
          res.end(req.method === 'HEAD' ? undefined : text);
          return;
        }
        case '/events':
          live.add(res, liveUpdate());
          return;
        default: {
          if (!assets.has(url.pathname)) return send(res, 404, { error: `no such endpoint: ${url.pathname}` });
          const asset = await assets.get(url.pathname);
          if (!asset) return send(res, 503, { error: 'the dashboard is not built (npm run build)' });
          res.writeHead(200, { 'content-type': asset.type, 'cache-control': 'no-cache', 'content-length': asset.body.length });
          res.end(req.method === 'HEAD' ? undefined : asset.body);
          return;
        }
      }
    } catch (err) {
      if (err instanceof QueryError) return send(res, 400, { error: err.message });
      throw err;
    }
  }

  function liveUpdate(): string {
    const now = Date.now();
    const linkList = [...target.switch.links].map((l) => linkView(ctx, l, now));
    return toJson({ node: nodeView(ctx), links: linkList, services: serviceViews() });
  }

  rates.start();
  const offSample = rates.onSample(() => {
    if (live.size > 0) live.broadcast(liveUpdate());
  });
  try {
    await new Promise<void>((resolve, reject) => {
      http.once('error', reject);
      http.listen(port, host, () => {
        http.off('error', reject);
        resolve();
      });
    });
  } catch (err) {
    offSample();
    rates.stop();
    links.close();
    throw err;
  }
  return new MonitorServer(http, ctx, live, offSample);
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = toJson(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'cache-control': 'no-store',
    'content-length': Buffer.byteLength(text),
  });
  res.end(res.req.method === 'HEAD' ? undefined : text);
}


