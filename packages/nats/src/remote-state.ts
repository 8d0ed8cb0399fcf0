import type { Id } from '@streamtasks/link';
import { BestRoutes } from './best-routes.js';
import type { RouteChanges } from './state-codec.js';

/** What one other node announced. */
interface NodeRoutes {
  readonly provides: Map<Id, number>;
  readonly reaches: Map<Id, number>;
  /** topic → the node it is requested from. */
  readonly requests: Map<Id, string>;
}

/** Requests of other nodes that this node starts or stops serving. */
export interface RequestChanges {
  /** Topics that now have their first requester here. */
  readonly first: Id[];
  /** Topics whose last requester here left. */
  readonly last: Id[];
  /** Requesters that joined a topic that already had one: they need its state. */
  readonly joined: Array<[topic: Id, node: string]>;
}

/**
 * Everything the other nodes of the network announced, and what follows
 * from it for this node (`self`): the cheapest provider of each topic, the
 * cheapest node reaching each address, and which topics others request from
 * this node.
 */
export class RemoteState {
  readonly topics = new BestRoutes();
  readonly addresses = new BestRoutes();
  private readonly nodes = new Map<string, NodeRoutes>();
  /** topic → nodes requesting it from self. */
  private readonly requesters = new Map<Id, Set<string>>();
  private requestChanges: { first: Set<Id>; last: Set<Id>; joined: Array<[Id, string]> } = { first: new Set(), last: new Set(), joined: [] };

  constructor(private readonly self: string) {}

  get nodeCount(): number {
    return this.nodes.size;
  }

  nodeIds(): IterableIterator<string> {
    return this.nodes.keys();
  }

  has(node: string): boolean {
    return this.nodes.has(node);
  }

  /** Nodes requesting `topic` from self. */
  requestersOf(topic: Id): ReadonlySet<string> | undefined {
    return this.requesters.get(topic);
  }

  /** Applies a node's announced changes (a node not seen before starts empty). */
  apply(node: string, changes: RouteChanges): void {
    const routes = this.routesOf(node);
    for (const id of changes.unprovide) this.setProvide(routes, node, id, undefined);
    for (const p of changes.provide) this.setProvide(routes, node, p.id, p.cost);
    for (const id of changes.unreach) this.setReach(routes, node, id, undefined);
    for (const p of changes.reach) this.setReach(routes, node, p.id, p.cost);
    for (const topic of changes.unrequest) this.setRequest(routes, node, topic, undefined);
    for (const [topic, provider] of changes.request) this.setRequest(routes, node, topic, provider);
  }

  /** Replaces everything a node announced with its full state. */
  replace(node: string, full: RouteChanges): void {
    const routes = this.routesOf(node);
    const provided = new Set(full.provide.map((p) => p.id));
    const reached = new Set(full.reach.map((p) => p.id));
    const requested = new Set(full.request.map(([topic]) => topic));
    this.apply(node, {
      ...full,
      unprovide: [...routes.provides.keys()].filter((id) => !provided.has(id)),
      unreach: [...routes.reaches.keys()].filter((id) => !reached.has(id)),
      unrequest: [...routes.requests.keys()].filter((id) => !requested.has(id)),
    });
  }

  /** Withdraws everything a node announced. */
  remove(node: string): void {
    const routes = this.nodes.get(node);
    if (!routes) return;
    for (const id of [...routes.provides.keys()]) this.setProvide(routes, node, id, undefined);
    for (const id of [...routes.reaches.keys()]) this.setReach(routes, node, id, undefined);
    for (const topic of [...routes.requests.keys()]) this.setRequest(routes, node, topic, undefined);
    this.nodes.delete(node);
  }

  /** Removes every node. */
  clear(): void {
    for (const node of [...this.nodes.keys()]) this.remove(node);
  }

  /** The request changes since the last call. */
  takeRequestChanges(): RequestChanges {
    const { first, last, joined } = this.requestChanges;
    this.requestChanges = { first: new Set(), last: new Set(), joined: [] };
    return { first: [...first], last: [...last], joined: joined.filter(([t, n]) => !first.has(t) && this.requesters.get(t)?.has(n)) };
  }

  private routesOf(node: string): NodeRoutes {
    let routes = this.nodes.get(node);
    if (!routes) this.nodes.set(node, (routes = { provides: new Map(), reaches: new Map(), requests: new Map() }));
    return routes;
  }

  private setProvide(routes: NodeRoutes, node: string, id: Id, cost: number | undefined): void {
    if (cost === undefined) routes.provides.delete(id);
    else routes.provides.set(id, cost);
    this.topics.set(id, node, cost);
  }

  private setReach(routes: NodeRoutes, node: string, id: Id, cost: number | undefined): void {
    if (cost === undefined) routes.reaches.delete(id);
    else routes.reaches.set(id, cost);
    this.addresses.set(id, node, cost);
  }

  private setRequest(routes: NodeRoutes, node: string, topic: Id, provider: string | undefined): void {
    const before = routes.requests.get(topic);
    if (before === provider) return;
    if (provider === undefined) routes.requests.delete(topic);
    else routes.requests.set(topic, provider);
    if (before === this.self) {
      const set = this.requesters.get(topic)!;
      set.delete(node);
      if (set.size === 0) {
        this.requesters.delete(topic);
        if (this.requestChanges.first.has(topic)) this.requestChanges.first.delete(topic);
        else this.requestChanges.last.add(topic);
      }
    }
    if (provider === this.self) {
      const set = this.requesters.get(topic);
      if (set) {
        set.add(node);
        this.requestChanges.joined.push([topic, node]);
      } else {
        this.requesters.set(topic, new Set([node]));
        if (this.requestChanges.last.has(topic)) {
          // Lost and regained in one go: still requested, and the new requester needs the state.
          this.requestChanges.last.delete(topic);
          this.requestChanges.joined.push([topic, node]);
        } else {
          this.requestChanges.first.add(topic);
        }
      }
    }
  }
}
