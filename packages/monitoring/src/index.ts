/**
 * Monitoring for a streamtasks node: an HTTP endpoint (loopback by default)
 * with JSON stats in the style of the NATS monitoring port, Prometheus
 * metrics through prom-client and a live web dashboard.
 *
 * | path | what |
 * | --- | --- |
 * | `/node` | the node: uptime, links, topics, addresses, totals and rates |
 * | `/links` | every link with counters by message type, rates, queues (paged, sorted) |
 * | `/topics` | every topic: cost, provider, subscribers, last control, counts and rates |
 * | `/addresses`, `/names` | reachable addresses; registered names (discovery in this process) |
 * | `/services` | fetch and signal servers in this process with per-route stats |
 * | `/metrics` | Prometheus text format |
 * | `/healthz` | `{"status":"ok"}` |
 * | `/events` | live updates (Server-Sent Events) |
 * | `/` | the dashboard |
 *
 * `streamtasks node --monitor 127.0.0.1:8222` and `startNode({ monitor })`
 * of `@streamtasks/cli` start it for a node.
 *
 * @example
 * ```ts
 * import { Switch } from '@streamtasks/link';
 * import { startMonitor } from '@streamtasks/monitoring';
 *
 * const hub = new Switch();
 * const monitor = await startMonitor({ switch: hub }, { listen: '127.0.0.1:0' });
 * const node = await (await fetch(`${monitor.url}/node`)).json();
 * console.log(node.links, node.topics);
 * await monitor.close();
 * ```
 *
 * @packageDocumentation
 */
export { startMonitor, MonitorServer, type MonitorOptions } from './monitor.js';
export type { MonitorTarget } from './target.js';
export type { MonitorAuth } from './auth.js';
export { DEFAULT_MONITOR_HOST, DEFAULT_MONITOR_PORT, isLoopback, parseListen } from './listen.js';
export { DEFAULT_LIMIT, MAX_LIMIT } from './paging.js';
export type { AddressView, LinkView, NameView, NodeView, RouteView, ServiceView, TopicView, TrafficCounts } from './views.js';
