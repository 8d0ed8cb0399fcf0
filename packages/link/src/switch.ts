import { Announcements, type RouteChanges } from './announcements.js';
import { totalLength } from './bytes.js';
import { Emitter } from './emitter.js';
import { EncodeError, InvalidMessageError } from './errors.js';
import type { Id, PricedId } from './ids.js';
import type { Link } from './link.js';
import {
  AddressesChangedMessage,
  InTopicsChangedMessage,
  MessageType,
  OutTopicsChangedMessage,
  TopicControlMessage,
  type AddressedMessage,
  type Message,
  type TopicDataMessage,
} from './messages.js';
import { RouteTable, type BestRoutes } from './route-table.js';
import { SwitchStats, TopicTally } from './stats.js';

export interface SwitchOptions {
  /** Count forwarded messages per topic and in total ({@link Switch.stats}, {@link Switch.topicInfo}). Default true. */
  stats?: boolean;
}

/** What a switch knows about one topic (see {@link Switch.topicInfo}). */
export interface SwitchTopicInfo {
  readonly topic: Id;
  /** Cost of the cheapest provider (Infinity when nobody provides it). */
  readonly cost: number;
  /** The link of the cheapest provider. */
  readonly provider: Link | undefined;
  /** Every link providing the topic, with its cost. */
  readonly providers: ReadonlyArray<readonly [Link, number]>;
  /** Links that requested the topic. */
  readonly subscribers: readonly Link[];
  /** The link the switch requested the topic from. */
  readonly subscribedVia: Link | undefined;
  /** The last TopicControl seen (paused or not), if any. */
  readonly paused: boolean | undefined;
  /** Messages and bytes forwarded on the topic (0 when counting is off). */
  readonly messages: number;
  readonly bytes: number;
}

/** One reachable address (see {@link Switch.addressInfo}). */
export interface SwitchAddressInfo {
  readonly address: Id;
  readonly cost: number;
  /** The link of the cheapest route. */
  readonly link: Link | undefined;
}

/** Events of a {@link Switch}. */
export interface SwitchEvents {
  'link-added': [link: Link];
  /** A link left the switch; `reason` is the failure that removed it, if any. */
  'link-removed': [link: Link, reason: Error | undefined];
  /** A problem on one link that the switch survived. */
  error: [error: Error, link: Link];
}

/** What the switch keeps for each attached link. */
/** The links that requested a topic (replaced, never mutated, so forwarding can iterate safely) and its counters. */
interface Subscribers {
  readonly links: readonly Link[];
  readonly counters: TopicTally;
}

/** What a switch keeps per attached link. */
class LinkState {
  /**
   * Last control state sent to this link per topic, so a subscriber gets
   * each state once; created with the first one (topics are rarely paused,
   * and a node keeps one state per connection).
   */
  private sentControl: Map<Id, boolean> | undefined;

  constructor(
    readonly offClose: () => void,
    readonly offError: () => void,
  ) {}

  /** Records `paused` as the state sent to the link for `topic`; false when it was sent that state already. */
  markControl(topic: Id, paused: boolean): boolean {
    const sent = (this.sentControl ??= new Map());
    if (sent.get(topic) === paused) return false;
    sent.set(topic, paused);
    return true;
  }

  /** The link no longer subscribes to `topic`. */
  forgetControl(topic: Id): void {
    this.sentControl?.delete(topic);
  }
}

/**
 * Routes messages between the links attached to it.
 *
 * - Topic data and control go to every other link that requested the topic.
 * - A requested topic is subscribed through the cheapest link providing it,
 *   and moved when a cheaper provider appears or the current one goes away.
 *   When the last requester leaves, the subscription is withdrawn upstream.
 * - Addressed messages go to the cheapest link reaching the address, and are
 *   dropped (datagram semantics) when the address is unknown.
 * - Provided topics and reachable addresses are announced with split horizon:
 *   each link hears the cheapest route that does not go through itself.
 * - The last control state per topic is replayed to new subscribers; each
 *   subscriber link receives a given state once, however many switches
 *   replay it.
 * - A link whose send fails is removed and closed; others are untouched. A
 *   message that cannot be encoded for a link is dropped for that link only.
 * - When the best route to an id gets worse and the next best could lead
 *   back through this switch (its neighbour's own cost is not below ours),
 *   the id is withdrawn from every link until the next macrotask, so that
 *   routes through a cycle are withdrawn everywhere instead of counting to
 *   infinity; then the remaining routes are announced again. Routing keeps
 *   using the table meanwhile.
 */
export class Switch {
  readonly events = new Emitter<SwitchEvents>();
  /** Forwarding counters per topic; an entry lives while the topic is provided or requested. */
  private readonly topicCounters = new Map<Id, TopicTally>();
  /** Totals of what the switch forwarded and dropped. */
  readonly stats = new SwitchStats(this.topicCounters);
  /** Whether the switch counts (option `stats`). */
  readonly counting: boolean;
  private readonly states = new Map<Link, LinkState>();
  private readonly topics = new RouteTable();
  private readonly addressRoutes = new RouteTable();
  /**
   * Links that requested each topic, with the topic's counters beside them
   * so that forwarding a message looks up one map entry, not two.
   */
  private readonly subscribers = new Map<Id, Subscribers>();
  /** The link each requested topic is currently subscribed through. */
  private readonly subscribedVia = new Map<Id, Link>();
  private readonly controls = new Map<Id, boolean>();
  /*
   * What to tell the links, collected while handling one event and sent at
   * its end, one message of each kind per link. Later decisions about an id
   * replace earlier ones: a receiving link applies additions before removals
   * (requests) or removals before additions (routes), so sending both for one
   * id could leave it in the wrong state.
   */
  /** Topic routes to announce (see {@link Announcements}). */
  private topicNews = new Announcements();
  /** Address routes to announce. */
  private addressNews = new Announcements();
  /** link → topic → request it (true) or withdraw the request (false). */
  private requestBoxes = new Map<Link, Map<Id, boolean>>();
  private depth = 0;
  private releaseTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(options: SwitchOptions = {}) {
    this.counting = options.stats ?? true;
  }

  /** The attached links. */
  get links(): ReadonlySet<Link> {
    return new Set(this.states.keys());
  }

  get linkCount(): number {
    return this.states.size;
  }

  /** Ids of the topics currently provided through this switch. */
  providedTopics(): Id[] {
    return [...this.topics.ids()];
  }

  /** Ids of the addresses currently reachable through this switch. */
  reachableAddresses(): Id[] {
    return [...this.addressRoutes.ids()];
  }

  /** Cost of the cheapest route to a topic through this switch; `undefined` when there is none (as on `Client`). */
  topicCost(topic: Id): number | undefined {
    return finite(this.topics.cost(topic));
  }

  /** Cost of the cheapest route to an address through this switch; `undefined` when there is none. */
  addressCost(address: Id): number | undefined {
    return finite(this.addressRoutes.cost(address));
  }

  /** Number of links that requested a topic. */
  subscriberCount(topic: Id): number {
    return this.subscribers.get(topic)?.links.length ?? 0;
  }

  /**
   * A snapshot of every topic the switch knows (provided, requested or
   * both): providers with costs, subscribers, the last control state and
   * the forwarding counters. Built on each call; meant for monitoring.
   */
  topicInfo(): SwitchTopicInfo[] {
    const ids = new Set<Id>(this.topics.ids());
    for (const id of this.subscribers.keys()) ids.add(id);
    const result: SwitchTopicInfo[] = [];
    for (const topic of ids) {
      const counters = this.topicCounters.get(topic);
      result.push({
        topic,
        cost: this.topics.cost(topic),
        provider: this.topics.best(topic),
        providers: this.topics.routesOf(topic),
        subscribers: this.subscribers.get(topic)?.links ?? [],
        subscribedVia: this.subscribedVia.get(topic),
        paused: this.controls.get(topic),
        messages: counters?.messages ?? 0,
        bytes: counters?.bytes ?? 0,
      });
    }
    return result;
  }

  /** A snapshot of every reachable address with its cheapest cost and link. */
  addressInfo(): SwitchAddressInfo[] {
    const result: SwitchAddressInfo[] = [];
    for (const address of this.addressRoutes.ids()) {
      result.push({ address, cost: this.addressRoutes.cost(address), link: this.addressRoutes.best(address) });
    }
    return result;
  }

  /**
   * Attaches a link: tells it what the switch provides and reaches, takes in
   * what the link already provides, reaches and requests, then starts
   * receiving from it. Adding a closed link does nothing.
   */
  addLink(link: Link): void {
    if (this.states.has(link) || link.isClosed) return;
    this.batch(() => {
      // 1. Everything we know, before the link counts as a route itself.
      for (const [table, isTopic] of [[this.topics, true], [this.addressRoutes, false]] as const) {
        for (const id of table.ids()) {
          if (!table.held.has(id)) this.announce(link, isTopic, id, table.cost(id));
        }
      }

      const offClose = link.events.on('close', (reason) => {
        // Deferred: a link may close in the middle of another handler.
        queueMicrotask(() => this.detach(link, reason));
      });
      const offError = link.events.on('error', (err) => this.events.emit('error', err, link));
      this.states.set(link, new LinkState(offClose, offError));

      // 2. What the link already provides, reaches and requests.
      for (const [id, cost] of link.outTopics) this.setRoute(this.topics, id, link, cost, true);
      for (const [id, cost] of link.addresses) this.setRoute(this.addressRoutes, id, link, cost, false);
      if (link.inTopics.size > 0) this.onInTopicsChanged([...link.inTopics], [], link);
    });
    // 3. Start receiving.
    link.setReceiver((message) => this.handle(message, link));
    this.events.emit('link-added', link);
  }

  /**
   * Detaches a link and closes it: what it provided or reached is withdrawn
   * and announced to every other link, its requests are withdrawn (upstream
   * too when nobody else wants the topic), and topics it served are
   * re-requested from the next cheapest provider.
   */
  removeLink(link: Link, reason?: Error): void {
    this.detach(link, reason);
  }

  /** Removes and closes every link. */
  close(): void {
    for (const link of [...this.states.keys()]) this.detach(link, undefined);
    if (this.releaseTimer !== undefined) clearTimeout(this.releaseTimer);
    this.releaseTimer = undefined;
    this.topics.held.clear();
    this.addressRoutes.held.clear();
    for (const counters of this.topicCounters.values()) this.stats.retire(counters);
    this.topicCounters.clear();
  }

  [Symbol.dispose](): void {
    this.close();
  }

  private detach(link: Link, reason: Error | undefined): void {
    const state = this.states.get(link);
    if (!state) return;
    state.offClose();
    state.offError();
    this.states.delete(link);
    this.topicNews.detached(link);
    this.addressNews.detached(link);
    this.requestBoxes.delete(link);
    this.batch(() => {
      if (link.inTopics.size > 0) this.onInTopicsChanged([], [...link.inTopics], link);
      for (const id of link.outTopics.keys()) this.setRoute(this.topics, id, link, undefined, true);
      for (const id of link.addresses.keys()) this.setRoute(this.addressRoutes, id, link, undefined, false);
      for (const [topic, via] of this.subscribedVia) {
        if (via === link) {
          this.subscribedVia.delete(topic);
          this.resubscribe(topic);
        }
      }
    });
    if (!link.isClosed) {
      link.setReceiver(undefined);
      link.close(reason);
    }
    this.events.emit('link-removed', link, reason ?? link.closeReason);
  }

  private handle(message: Message, origin: Link): void {
    switch (message.type) {
      case MessageType.TopicData:
        return this.forwardData(message, origin);
      case MessageType.TopicControl:
        return this.forwardControl(message.topic, message.paused, origin);
      case MessageType.Addressed:
        return this.forwardAddressed(message);
      case MessageType.InTopicsChanged:
        return this.batch(() => this.onInTopicsChanged(message.add, message.remove, origin));
      case MessageType.OutTopicsChangedRecv:
        return this.batch(() => {
          for (const p of message.remove) this.setRoute(this.topics, p.id, origin, undefined, true);
          for (const p of message.add) this.setRoute(this.topics, p.id, origin, p.cost, true);
        });
      case MessageType.AddressesChangedRecv:
        return this.batch(() => {
          for (const p of message.remove) this.setRoute(this.addressRoutes, p.id, origin, undefined, false);
          for (const p of message.add) this.setRoute(this.addressRoutes, p.id, origin, p.cost, false);
        });
    }
  }

  // ---- per-message path -------------------------------------------------

  private forwardData(message: TopicDataMessage, origin: Link): void {
    const subscribers = this.subscribers.get(message.topic);
    if (subscribers === undefined) return;
    const links = subscribers.links;
    if (this.counting) {
      // One increment per message: the totals and the copies handed out are
      // derived from it when read (SwitchStats, TopicTally).
      const counters = subscribers.counters;
      counters.messages++;
      const wire = message.wire;
      if (wire !== undefined) counters.bytes += wire.length;
      else if (message.wireParts !== undefined) counters.bytes += totalLength(message.wireParts);
    }
    for (let i = 0; i < links.length; i++) {
      const link = links[i]!;
      if (link !== origin) this.deliver(link, message);
    }
  }

  private forwardAddressed(message: AddressedMessage): void {
    const link = this.addressRoutes.best(message.address);
    if (link !== undefined) {
      if (this.counting) this.stats.addressed++;
      this.deliver(link, message);
    } else if (this.counting) {
      this.stats.unroutable++;
    }
  }

  private forwardControl(topic: Id, paused: boolean, origin: Link): void {
    if (this.counting) this.stats.controls++;
    this.controls.set(topic, paused);
    const subs = this.subscribers.get(topic);
    if (subs === undefined) return;
    let message: TopicControlMessage | undefined;
    for (const link of subs.links) {
      if (link === origin) continue;
      if (!this.states.get(link)?.markControl(topic, paused)) continue;
      this.deliver(link, (message ??= new TopicControlMessage(topic, paused)));
    }
  }

  private deliver(link: Link, message: Message): void {
    try {
      link.send(message);
    } catch (err) {
      if (err instanceof EncodeError || err instanceof InvalidMessageError) {
        // The message has no wire form (a payload from an in-process link):
        // only this copy is lost, the link is fine.
        this.stats.dropped++;
        link.counters.dropped++;
        this.events.emit('error', err, link);
        return;
      }
      // The destination failed: it goes, the sender stays (Known fault 1).
      this.fail(link, err);
    }
  }

  private fail(link: Link, err: unknown): void {
    const error = err instanceof Error ? err : new Error(String(err));
    if (this.states.has(link)) this.events.emit('error', error, link);
    if (!link.isClosed) link.close(error);
  }

  // ---- subscriptions ----------------------------------------------------

  private onInTopicsChanged(add: readonly Id[], remove: readonly Id[], origin: Link): void {
    const state = this.states.get(origin);
    for (const topic of add) {
      const subs = this.subscribers.get(topic);
      if (subs?.links.includes(origin)) continue;
      const links = subs ? [...subs.links, origin] : [origin];
      const counters = subs?.counters ?? this.countersOf(topic);
      counters.setFanout(links.length);
      this.subscribers.set(topic, { links, counters });
      if (!subs) this.resubscribe(topic);
      // Late joiners learn the topic's state right away (once).
      const paused = this.controls.get(topic);
      if (paused !== undefined && state?.markControl(topic, paused)) {
        this.deliver(origin, new TopicControlMessage(topic, paused));
      }
    }
    for (const topic of remove) {
      const subs = this.subscribers.get(topic);
      if (!subs || !subs.links.includes(origin)) continue;
      state?.forgetControl(topic);
      const rest = subs.links.filter((l) => l !== origin);
      subs.counters.setFanout(rest.length);
      if (rest.length > 0) {
        this.subscribers.set(topic, { links: rest, counters: subs.counters });
      } else {
        this.subscribers.delete(topic);
        if (!this.topics.has(topic)) this.dropCounters(topic);
        this.resubscribe(topic);
      }
    }
  }

  /** The counters of `topic`, made on first use. */
  private countersOf(topic: Id): TopicTally {
    let counters = this.topicCounters.get(topic);
    if (counters === undefined) {
      counters = new TopicTally();
      this.topicCounters.set(topic, counters);
    }
    return counters;
  }

  /** Forgets the counters of a topic nobody provides or requests; the totals keep what it counted. */
  private dropCounters(topic: Id): void {
    const counters = this.topicCounters.get(topic);
    if (counters === undefined) return;
    this.stats.retire(counters);
    this.topicCounters.delete(topic);
  }

  /** Makes the upstream subscription of `topic` match who wants it and who provides it cheapest. */
  private resubscribe(topic: Id): void {
    const wanted = this.subscribers.has(topic);
    const best = wanted ? this.topics.best(topic) : undefined;
    const current = this.subscribedVia.get(topic);
    if (best === current) return;
    if (current !== undefined) {
      this.subscribedVia.delete(topic);
      if (this.states.has(current)) this.requestBox(current).set(topic, false);
    }
    if (best !== undefined) {
      this.subscribedVia.set(topic, best);
      this.requestBox(best).set(topic, true);
    }
  }

  // ---- routes -----------------------------------------------------------

  /**
   * Changes one route and announces what each link should now believe.
   * A link X is told the cheapest route not through X (split horizon), so it
   * is told again only when that changes: when the overall cheapest cost
   * changes (every link), or for the links that were or became cheapest.
   */
  private setRoute(table: RouteTable, id: Id, link: Link, cost: number | undefined, isTopic: boolean): void {
    const before = table.top2(id);
    table.set(id, link, cost);
    const after = table.top2(id);
    if (
      before.first === after.first && before.firstCost === after.firstCost &&
      before.second === after.second && before.secondCost === after.secondCost
    ) {
      return;
    }
    if (isTopic) {
      if (after.first === undefined) {
        this.controls.delete(id);
        if (!this.subscribers.has(id)) this.dropCounters(id);
      }
      if (this.subscribers.has(id) || this.subscribedVia.has(id)) this.resubscribe(id);
    }
    const news = isTopic ? this.topicNews : this.addressNews;
    const heldCost = table.held.get(id);
    if (heldCost !== undefined) {
      // Held down: stay silent, unless a route appears that cannot lead back here.
      if (after.first !== undefined && reportedCost(after) < heldCost) this.release(table, id, isTopic);
      return;
    }
    if (after.first !== undefined && after.firstCost > before.firstCost && reportedCost(after) >= before.firstCost) {
      // The best route got worse and the next one may run through a cycle
      // back to us: withdraw the id everywhere and decide again later.
      table.held.set(id, before.firstCost);
      // Every link heard the cheapest cost but the cheapest link, which heard the second cheapest.
      const first = this.attached(before.first);
      news.setAll(id, undefined, first);
      if (first !== undefined && before.secondCost !== Infinity) news.set(first, id, undefined);
      this.releaseTimer ??= setTimeout(() => this.releaseAll(), 0);
      return;
    }
    const update = (x: Link) => {
      const was = advertised(before, x);
      const now = advertised(after, x);
      if (was !== now) news.set(x, id, finite(now));
    };
    if (before.firstCost !== after.firstCost) {
      // Every link but the cheapest ones (before and after) heard and now hears the cheapest cost.
      const a = this.attached(before.first);
      const b = this.attached(after.first);
      news.setAll(id, finite(after.firstCost), a, b);
      if (a !== undefined) update(a);
      if (b !== undefined && b !== a) update(b);
    } else {
      for (const x of new Set([before.first, after.first, before.second, after.second])) {
        if (x !== undefined && this.states.has(x)) update(x);
      }
    }
  }

  /** Ends the hold-down of one id: every link hears the routes that are left. */
  private release(table: RouteTable, id: Id, isTopic: boolean): void {
    table.held.delete(id);
    const routes = table.top2(id);
    if (routes.first === undefined) return;
    // Every link hears the cheapest cost but the cheapest link, which hears the second cheapest (if any).
    const news = isTopic ? this.topicNews : this.addressNews;
    const first = this.attached(routes.first);
    news.setAll(id, routes.firstCost, first);
    if (first !== undefined && routes.secondCost !== Infinity) news.set(first, id, routes.secondCost);
  }

  private releaseAll(): void {
    this.releaseTimer = undefined;
    this.batch(() => {
      for (const [table, isTopic] of [[this.topics, true], [this.addressRoutes, false]] as const) {
        for (const id of [...table.held.keys()]) this.release(table, id, isTopic);
      }
    });
  }

  /** Queues telling `link` the cost of a topic or address, or (undefined) its withdrawal. */
  private announce(link: Link, isTopic: boolean, id: Id, cost: number | undefined): void {
    (isTopic ? this.topicNews : this.addressNews).set(link, id, cost);
  }

  /** `link` if it is attached (a route's link may be leaving). */
  private attached(link: Link | undefined): Link | undefined {
    return link !== undefined && this.states.has(link) ? link : undefined;
  }

  // ---- batching ---------------------------------------------------------

  private requestBox(link: Link): Map<Id, boolean> {
    let box = this.requestBoxes.get(link);
    if (!box) {
      box = new Map();
      this.requestBoxes.set(link, box);
    }
    return box;
  }

  /** Runs `fn` and then sends, per link, one message of each kind it produced. */
  private batch(fn: () => void): void {
    this.depth++;
    try {
      fn();
    } finally {
      this.depth--;
    }
    if (this.depth > 0) return;
    const topics = this.topicNews;
    const addresses = this.addressNews;
    const requests = this.requestBoxes;
    if (topics.isEmpty && addresses.isEmpty && requests.size === 0) return;
    this.topicNews = new Announcements();
    this.addressNews = new Announcements();
    this.requestBoxes = new Map();
    // Each link gets its topics before its addresses before its requests, as if sent link by link.
    if (!topics.isEmpty) this.sendRoutes(topics, (add, remove) => new OutTopicsChangedMessage(add, remove));
    if (!addresses.isEmpty) this.sendRoutes(addresses, (add, remove) => new AddressesChangedMessage(add, remove));
    for (const [link, box] of requests) {
      if (!this.states.has(link)) continue;
      const add: Id[] = [];
      const remove: Id[] = [];
      for (const [topic, wanted] of box) (wanted ? add : remove).push(topic);
      this.deliver(link, new InTopicsChangedMessage(add, remove));
    }
  }

  /**
   * Sends collected route changes: one message, made once, to every link
   * that hears just the shared changes, and a message of its own to each
   * other link with something to hear.
   */
  private sendRoutes(news: Announcements, make: (add: PricedId[], remove: Id[]) => Message): void {
    let shared: Message | undefined;
    // A copy: a link attached while these are sent must not hear them.
    const links = news.hasShared ? [...this.states.keys()] : [...news.linksWithOwn()];
    for (const link of links) {
      if (!this.states.has(link)) continue;
      if (news.hearsShared(link)) {
        shared ??= messageOf(news.sharedChanges(), make);
        if (shared !== undefined) this.deliver(link, shared);
      } else {
        const message = messageOf(news.changesFor(link), make);
        if (message !== undefined) this.deliver(link, message);
      }
    }
  }
}

/** A message for some changes; undefined when there are none. */
function messageOf(changes: RouteChanges, make: (add: PricedId[], remove: Id[]) => Message): Message | undefined {
  return changes.add.length > 0 || changes.remove.length > 0 ? make(changes.add, changes.remove) : undefined;
}

/** The cost a link should believe for an id: the cheapest route not through itself. */
function advertised(routes: BestRoutes, link: Link): number {
  return routes.first === link ? routes.secondCost : routes.firstCost;
}

/** What the neighbour behind the best route announced: its own cost, before our link's. */
function reportedCost(routes: BestRoutes): number {
  return routes.firstCost - routes.first!.cost;
}

/** A route table's cost, with "no route" (Infinity there) as `undefined`. */
function finite(cost: number): number | undefined {
  return Number.isFinite(cost) ? cost : undefined;
}
