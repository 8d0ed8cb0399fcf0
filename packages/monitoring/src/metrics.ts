import { Counter, Gauge, Registry } from 'prom-client';
import { WIRE_TYPE_COUNT } from '@streamtasks/link';
import { runningRouteServers } from '@streamtasks/client';
import type { RetiredTotals } from './links.js';
import { TYPE_NAMES, type ViewContext } from './views.js';

/** Per link kind: the live links' counters plus those of closed links. */
interface KindTotals extends RetiredTotals {
  /** Links of this kind attached now. */
  open: number;
  queued: number;
  buffered: number;
}

function collectKinds(ctx: ViewContext): Map<string, KindTotals> {
  const kinds = new Map<string, KindTotals>();
  const entry = (kind: string): KindTotals => {
    let t = kinds.get(kind);
    if (!t) {
      t = {
        open: 0, links: 0, queued: 0, buffered: 0, dropped: 0, decodeErrors: 0, backpressure: 0, slowConsumer: 0,
        messagesIn: new Float64Array(WIRE_TYPE_COUNT), messagesOut: new Float64Array(WIRE_TYPE_COUNT),
        bytesIn: new Float64Array(WIRE_TYPE_COUNT), bytesOut: new Float64Array(WIRE_TYPE_COUNT),
      };
      kinds.set(kind, t);
    }
    return t;
  };
  const add = (t: KindTotals, s: Omit<RetiredTotals, 'links'>) => {
    for (let i = 0; i < WIRE_TYPE_COUNT; i++) {
      t.messagesIn[i] += s.messagesIn[i]!;
      t.messagesOut[i] += s.messagesOut[i]!;
      t.bytesIn[i] += s.bytesIn[i]!;
      t.bytesOut[i] += s.bytesOut[i]!;
    }
    t.dropped += s.dropped;
    t.decodeErrors += s.decodeErrors;
    t.backpressure += s.backpressure;
    t.slowConsumer += s.slowConsumer;
  };
  for (const [kind, retired] of ctx.links.retired) {
    const t = entry(kind);
    t.links += retired.links;
    add(t, retired);
  }
  for (const link of ctx.target.switch.links) {
    const t = entry(link.kind);
    t.open++;
    t.links++;
    t.queued += link.queuedCount;
    const buffered = (link as { bufferedAmount?: unknown }).bufferedAmount;
    if (typeof buffered === 'number') t.buffered += buffered;
    add(t, link.counters);
  }
  return kinds;
}

/**
 * The Prometheus metrics of a monitored node, in a registry of their own
 * (prom-client writes the text format). Every value is read from the node's
 * counters when scraped; labels are bounded: link kind, direction, message
 * type, service and route descriptor — never a topic, address or message id.
 */
export class NodeMetrics {
  readonly registry = new Registry();
  private kinds = new Map<string, KindTotals>();

  constructor(private readonly ctx: ViewContext) {
    const registers = [this.registry];
    const kinds = () => this.kinds;
    const perKind = (name: string, help: string, value: (t: KindTotals) => number, type: 'counter' | 'gauge') => {
      const config = {
        name, help, labelNames: ['kind'] as const, registers,
        collect(this: Counter<'kind'> | Gauge<'kind'>) {
          this.reset();
          for (const [kind, t] of kinds()) {
            if (this instanceof Counter) this.inc({ kind }, value(t));
            else this.set({ kind }, value(t));
          }
        },
      };
      return type === 'counter' ? new Counter(config) : new Gauge(config);
    };
    const traffic = (name: string, help: string, pick: (t: KindTotals, direction: 'in' | 'out') => Float64Array) =>
      new Counter({
        name, help, labelNames: ['kind', 'direction', 'type'] as const, registers,
        collect() {
          this.reset();
          for (const [kind, t] of kinds()) {
            for (const direction of ['in', 'out'] as const) {
              const counts = pick(t, direction);
              for (let i = 0; i < WIRE_TYPE_COUNT; i++) {
                if (counts[i]! > 0) this.inc({ kind, direction, type: TYPE_NAMES[i]! }, counts[i]!);
              }
            }
          }
        },
      });
    const single = (name: string, help: string, value: () => number, type: 'counter' | 'gauge') => {
      const config = {
        name, help, registers,
        collect(this: Counter | Gauge) {
          this.reset();
          if (this instanceof Counter) this.inc(value());
          else this.set(value());
        },
      };
      return type === 'counter' ? new Counter(config) : new Gauge(config);
    };
    const sw = ctx.target.switch;

    single('streamtasks_uptime_seconds', 'Seconds since the monitor started watching the node.', () => (Date.now() - ctx.startedAt) / 1000, 'gauge');
    perKind('streamtasks_links', 'Links attached to the switch now, by kind (queue, tcp, unix, ws, wss).', (t) => t.open, 'gauge');
    perKind('streamtasks_links_opened_total', 'Links ever attached to the switch, by kind.', (t) => t.links, 'counter');
    traffic('streamtasks_link_messages_total', 'Messages received (direction="in") and sent (direction="out") on the links, by link kind and wire message type.', (t, d) => (d === 'in' ? t.messagesIn : t.messagesOut));
    traffic('streamtasks_link_bytes_total', 'Encoded bytes received and sent on serializing links (frame payloads), by link kind and wire message type.', (t, d) => (d === 'in' ? t.bytesIn : t.bytesOut));
    perKind('streamtasks_link_dropped_messages_total', 'Messages meant for a link that were lost (no wire form for it).', (t) => t.dropped, 'counter');
    perKind('streamtasks_link_decode_errors_total', 'Received frames that were not valid messages (each closes its connection).', (t) => t.decodeErrors, 'counter');
    perKind('streamtasks_link_backpressure_total', 'Times a link\'s outgoing buffer went above its high-water mark.', (t) => t.backpressure, 'counter');
    perKind('streamtasks_link_slow_consumer_total', 'Times a peer was too slow and its link hit the hard buffer limit (the link closes).', (t) => t.slowConsumer, 'counter');
    perKind('streamtasks_link_queued_messages', 'Received messages waiting to be consumed, summed over the links of a kind.', (t) => t.queued, 'gauge');
    perKind('streamtasks_link_buffered_bytes', 'Outgoing bytes not yet written to the operating system, summed over the connections of a kind.', (t) => t.buffered, 'gauge');

    single('streamtasks_topics_provided', 'Topics provided through the switch.', () => sw.providedTopics().length, 'gauge');
    single('streamtasks_topics_requested', 'Topics requested by at least one link.', () => sw.topicInfo().filter((t) => t.subscribers.length > 0).length, 'gauge');
    single('streamtasks_addresses', 'Addresses reachable through the switch.', () => sw.reachableAddresses().length, 'gauge');
    single('streamtasks_switch_topic_messages_total', 'TopicData messages the switch forwarded (once per message, whatever the number of subscribers).', () => sw.stats.topicMessages, 'counter');
    single('streamtasks_switch_topic_bytes_total', 'Encoded bytes of the forwarded TopicData messages, where known (they arrived serialized).', () => sw.stats.topicBytes, 'counter');
    single('streamtasks_switch_topic_deliveries_total', 'TopicData copies the switch handed to subscriber links.', () => sw.stats.topicDeliveries, 'counter');
    single('streamtasks_switch_controls_total', 'TopicControl messages the switch received.', () => sw.stats.controls, 'counter');
    single('streamtasks_switch_addressed_total', 'Addressed messages the switch delivered.', () => sw.stats.addressed, 'counter');
    single('streamtasks_switch_unroutable_total', 'Addressed messages dropped because no link reaches their address.', () => sw.stats.unroutable, 'counter');
    single('streamtasks_switch_dropped_total', 'Message copies the switch could not hand to one destination (no wire form).', () => sw.stats.dropped, 'counter');

    const routeLabels = ['kind', 'service', 'descriptor'] as const;
    const perRoute = (name: string, help: string, value: (s: { requests: number; errors: number; processingTime: number }) => number) =>
      new Counter({
        name, help, labelNames: routeLabels, registers,
        collect() {
          this.reset();
          for (const server of runningRouteServers()) {
            const service = server.name ?? `${String(server.client.address ?? '?')}:${server.port}`;
            for (const [descriptor, s] of server.routeStats()) this.inc({ kind: server.kind, service, descriptor }, value(s));
          }
        },
      });
    perRoute('streamtasks_route_requests_total', 'Requests (fetch) or signals handled per route of the servers running in this process.', (s) => s.requests);
    perRoute('streamtasks_route_errors_total', 'Of those, the ones that ended in an error.', (s) => s.errors);
    perRoute('streamtasks_route_processing_seconds_total', 'Time spent in the route handlers.', (s) => s.processingTime / 1000);
    new Counter({
      name: 'streamtasks_route_unknown_descriptors_total',
      help: 'Requests or signals for descriptors without a route.',
      labelNames: ['kind', 'service'] as const,
      registers,
      collect() {
        this.reset();
        for (const server of runningRouteServers()) {
          const service = server.name ?? `${String(server.client.address ?? '?')}:${server.port}`;
          this.inc({ kind: server.kind, service }, server.unknownDescriptors);
        }
      },
    });

    const discovery = () => ctx.target.discovery?.stats;
    if (ctx.target.discovery) {
      single('streamtasks_discovery_addresses_allocated_total', 'Addresses the discovery service handed out.', () => discovery()!.addressesAllocated, 'counter');
      single('streamtasks_discovery_topics_allocated_total', 'Topic ids the discovery service handed out.', () => discovery()!.topicsAllocated, 'counter');
      single('streamtasks_discovery_names', 'Address names registered with the discovery service.', () => discovery()!.names, 'gauge');
      single('streamtasks_discovery_topic_spaces', 'Topic spaces registered with the discovery service.', () => discovery()!.topicSpaces, 'gauge');
    }
  }

  /** The metrics in the Prometheus text format. */
  async text(): Promise<string> {
    this.kinds = collectKinds(this.ctx);
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
