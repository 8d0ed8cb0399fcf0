import { MessageType, WIRE_TYPE_COUNT, type Id, type Link } from '@streamtasks/link';
import { runningRouteServers } from '@streamtasks/client';
import { sum, type LinkRegistry } from './links.js';
import type { RateSampler } from './rates.js';
import { targetUrls, type MonitorTarget } from './target.js';

/** The wire message types by index, as `/links` and `/metrics` name them. */
export const TYPE_NAMES: readonly string[] = Object.entries(MessageType)
  .filter(([, index]) => index < WIRE_TYPE_COUNT)
  .sort((a, b) => a[1] - b[1])
  .map(([name]) => name);

/** What the views read: the target and the monitor's own bookkeeping. */
export interface ViewContext {
  readonly target: MonitorTarget;
  readonly links: LinkRegistry;
  readonly rates: RateSampler;
  readonly startedAt: number;
}

export interface TrafficCounts {
  in_msgs: number;
  out_msgs: number;
  in_bytes: number;
  out_bytes: number;
}

export interface LinkView extends TrafficCounts {
  id: number;
  kind: string;
  remote: string | null;
  cost: number;
  opened_at: string;
  uptime_s: number;
  rate: TrafficCounts;
  by_type: Record<string, TrafficCounts>;
  /** Received messages not consumed yet. */
  queued_in: number;
  /** Outgoing bytes not yet written to the OS (connections only). */
  buffered_out: number;
  dropped: number;
  decode_errors: number;
  backpressure: number;
  slow_consumer: number;
  in_topics: number;
  out_topics: number;
  addresses: number;
}

export function linkView(ctx: ViewContext, link: Link, now = Date.now()): LinkView {
  const s = link.counters;
  const by_type: Record<string, TrafficCounts> = {};
  for (let t = 0; t < WIRE_TYPE_COUNT; t++) {
    by_type[TYPE_NAMES[t]!] = { in_msgs: s.messagesIn[t]!, out_msgs: s.messagesOut[t]!, in_bytes: s.bytesIn[t]!, out_bytes: s.bytesOut[t]! };
  }
  const r = ctx.rates.link(link);
  const buffered = (link as { bufferedAmount?: unknown }).bufferedAmount;
  return {
    id: ctx.links.id(link),
    kind: link.kind,
    remote: link.remoteAddress ?? null,
    cost: link.cost,
    opened_at: new Date(s.openedAt).toISOString(),
    uptime_s: Math.round((now - s.openedAt) / 1000),
    in_msgs: sum(s.messagesIn),
    out_msgs: sum(s.messagesOut),
    in_bytes: sum(s.bytesIn),
    out_bytes: sum(s.bytesOut),
    rate: { in_msgs: round(r.messagesIn), out_msgs: round(r.messagesOut), in_bytes: round(r.bytesIn), out_bytes: round(r.bytesOut) },
    by_type,
    queued_in: link.queuedCount,
    buffered_out: typeof buffered === 'number' ? buffered : 0,
    dropped: s.dropped,
    decode_errors: s.decodeErrors,
    backpressure: s.backpressure,
    slow_consumer: s.slowConsumer,
    in_topics: link.inTopics.size,
    out_topics: link.outTopics.size,
    addresses: link.addresses.size,
  };
}

/** Sort keys of `/links`. */
export const LINK_SORT_KEYS = ['id', 'msg_rate', 'byte_rate', 'in_msgs', 'out_msgs', 'in_bytes', 'out_bytes', 'uptime', 'cost', 'dropped', 'queued'] as const;

export function linkSortValue(view: LinkView, key: string): number {
  switch (key) {
    case 'msg_rate': return view.rate.in_msgs + view.rate.out_msgs;
    case 'byte_rate': return view.rate.in_bytes + view.rate.out_bytes;
    case 'uptime': return view.uptime_s;
    case 'queued': return view.queued_in + view.buffered_out;
    default: return (view as unknown as Record<string, number>)[key] ?? 0;
  }
}

export interface TopicView {
  topic: Id;
  /** Cost of the cheapest provider; null when only requested. */
  cost: number | null;
  provider: number | null;
  providers: Array<{ link: number; cost: number }>;
  subscribers: number[];
  subscribed_via: number | null;
  paused: boolean | null;
  messages: number;
  bytes: number;
  msg_rate: number;
  byte_rate: number;
}

export function topicViews(ctx: ViewContext): TopicView[] {
  const id = (link: Link | undefined) => (link === undefined ? null : ctx.links.id(link));
  return ctx.target.switch.topicInfo().map((info) => {
    const r = ctx.rates.topic(info.topic);
    return {
      topic: info.topic,
      cost: Number.isFinite(info.cost) ? info.cost : null,
      provider: id(info.provider),
      providers: info.providers.map(([link, cost]) => ({ link: ctx.links.id(link), cost })),
      subscribers: info.subscribers.map((link) => ctx.links.id(link)),
      subscribed_via: id(info.subscribedVia),
      paused: info.paused ?? null,
      messages: info.messages,
      bytes: info.bytes,
      msg_rate: round(r.messages),
      byte_rate: round(r.bytes),
    };
  });
}

/** Sort keys of `/topics`. */
export const TOPIC_SORT_KEYS = ['topic', 'msg_rate', 'byte_rate', 'messages', 'bytes', 'subscribers', 'cost'] as const;

export function topicSortValue(view: TopicView, key: string): number | bigint {
  switch (key) {
    case 'topic': return view.topic;
    case 'subscribers': return view.subscribers.length;
    case 'cost': return view.cost ?? Infinity;
    default: return (view as unknown as Record<string, number>)[key] ?? 0;
  }
}

export interface AddressView {
  address: Id;
  cost: number;
  link: number | null;
}

export function addressViews(ctx: ViewContext): AddressView[] {
  return ctx.target.switch.addressInfo().map((a) => ({
    address: a.address,
    cost: a.cost,
    link: a.link === undefined ? null : ctx.links.id(a.link),
  }));
}

export const ADDRESS_SORT_KEYS = ['address', 'cost', 'link'] as const;

export interface NameView {
  name: string;
  address: Id;
}

/** The names registered with the discovery of this process; undefined when it does not run here. */
export function nameViews(ctx: ViewContext): NameView[] | undefined {
  const discovery = ctx.target.discovery;
  if (!discovery) return undefined;
  return Array.from(discovery.addressNames, ([name, address]) => ({ name, address }));
}

export const NAME_SORT_KEYS = ['name', 'address'] as const;

export interface RouteView {
  descriptor: string;
  requests: number;
  errors: number;
  last_error: string | null;
  last_error_at: string | null;
  processing_time_ms: number;
  average_processing_time_ms: number;
}

export interface ServiceView {
  kind: 'fetch' | 'signal';
  name: string | null;
  address: Id | null;
  port: number;
  unknown_descriptors: number;
  routes: RouteView[];
}

/** Every fetch and signal server running in this process, with per-route stats. */
export function serviceViews(): ServiceView[] {
  return Array.from(runningRouteServers(), (server) => ({
    kind: server.kind,
    name: server.name ?? null,
    address: server.client.address ?? null,
    port: server.port,
    unknown_descriptors: server.unknownDescriptors,
    routes: Array.from(server.routeStats(), ([descriptor, s]) => ({
      descriptor,
      requests: s.requests,
      errors: s.errors,
      last_error: s.lastError ?? null,
      last_error_at: s.lastErrorAt === undefined ? null : new Date(s.lastErrorAt).toISOString(),
      processing_time_ms: round(s.processingTime),
      average_processing_time_ms: round(s.averageProcessingTime),
    })).sort((a, b) => (a.descriptor < b.descriptor ? -1 : 1)),
  }));
}

export interface NodeView extends TrafficCounts {
  name: string | null;
  now: string;
  started_at: string;
  uptime_s: number;
  core: boolean;
  urls: string[];
  links: number;
  /** Links ever attached (closed ones included). */
  total_links: number;
  topics: number;
  requested_topics: number;
  addresses: number;
  names: number | null;
  rate: TrafficCounts;
  switch: {
    topic_messages: number;
    topic_bytes: number;
    topic_deliveries: number;
    controls: number;
    addressed: number;
    unroutable: number;
    dropped: number;
  };
  discovery: { addresses_allocated: number; topics_allocated: number; names: number; topic_spaces: number } | null;
}

export function nodeView(ctx: ViewContext): NodeView {
  const now = Date.now();
  const sw = ctx.target.switch;
  const totals: TrafficCounts = { in_msgs: 0, out_msgs: 0, in_bytes: 0, out_bytes: 0 };
  let retiredLinks = 0;
  for (const t of ctx.links.retired.values()) {
    retiredLinks += t.links;
    totals.in_msgs += sum(t.messagesIn);
    totals.out_msgs += sum(t.messagesOut);
    totals.in_bytes += sum(t.bytesIn);
    totals.out_bytes += sum(t.bytesOut);
  }
  for (const link of sw.links) {
    totals.in_msgs += sum(link.counters.messagesIn);
    totals.out_msgs += sum(link.counters.messagesOut);
    totals.in_bytes += sum(link.counters.bytesIn);
    totals.out_bytes += sum(link.counters.bytesOut);
  }
  const topics = sw.topicInfo();
  const r = ctx.rates.node;
  const d = ctx.target.discovery?.stats;
  const s = sw.stats;
  return {
    name: ctx.target.name ?? null,
    now: new Date(now).toISOString(),
    started_at: new Date(ctx.startedAt).toISOString(),
    uptime_s: Math.round((now - ctx.startedAt) / 1000),
    core: ctx.target.discovery !== undefined,
    urls: [...targetUrls(ctx.target)],
    links: sw.linkCount,
    total_links: sw.linkCount + retiredLinks,
    topics: topics.filter((t) => t.provider !== undefined).length,
    requested_topics: topics.filter((t) => t.subscribers.length > 0).length,
    addresses: sw.reachableAddresses().length,
    names: d ? d.names : null,
    ...totals,
    rate: { in_msgs: round(r.messagesIn), out_msgs: round(r.messagesOut), in_bytes: round(r.bytesIn), out_bytes: round(r.bytesOut) },
    switch: {
      topic_messages: s.topicMessages,
      topic_bytes: s.topicBytes,
      topic_deliveries: s.topicDeliveries,
      controls: s.controls,
      addressed: s.addressed,
      unroutable: s.unroutable,
      dropped: s.dropped,
    },
    discovery: d
      ? { addresses_allocated: d.addressesAllocated, topics_allocated: d.topicsAllocated, names: d.names, topic_spaces: d.topicSpaces }
      : null,
  };
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}

/** JSON with ids that exceed 2^53 written as strings (everything else stays a number). */
export function toJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    typeof v === 'bigint' ? (v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v.toString()) : v);
}
