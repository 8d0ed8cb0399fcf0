import type { Id, PricedId } from '@streamtasks/link';

/** The node behind the cheapest route to an id, and that route's cost at the node. */
export interface BestRoute {
  readonly node: string;
  readonly cost: number;
}

/**
 * Routes to ids (topics or addresses) through the other nodes of the
 * network, and the cheapest of them per id. Ties go to the lowest node id,
 * so every node picks the same one. Records which ids changed their best
 * cost, for {@link BestRoutes.takeChanges}.
 */
export class BestRoutes {
  private readonly routes = new Map<Id, Map<string, number>>();
  private readonly bestRoutes = new Map<Id, BestRoute>();
  /** Ids whose best route changed since the last takeChanges, with the best cost before. */
  private readonly changed = new Map<Id, number | undefined>();

  best(id: Id): BestRoute | undefined {
    return this.bestRoutes.get(id);
  }

  ids(): IterableIterator<Id> {
    return this.bestRoutes.keys();
  }

  /** Sets (or with `undefined` removes) the route to `id` through `node`. */
  set(id: Id, node: string, cost: number | undefined): void {
    let byNode = this.routes.get(id);
    if (cost === undefined) {
      if (!byNode?.delete(node)) return;
      if (byNode.size === 0) this.routes.delete(id);
    } else {
      if (!byNode) this.routes.set(id, (byNode = new Map()));
      if (byNode.get(node) === cost) return;
      byNode.set(node, cost);
    }
    const before = this.bestRoutes.get(id);
    const after = byNode && byNode.size > 0 ? cheapest(byNode) : undefined;
    if (before?.node === after?.node && before?.cost === after?.cost) return;
    if (after) this.bestRoutes.set(id, after);
    else this.bestRoutes.delete(id);
    if (!this.changed.has(id)) this.changed.set(id, before?.cost);
  }

  /**
   * What changed since the last call: ids whose best cost changed (with the
   * new cost) and ids that became unreachable; plus every id whose best node
   * changed, whatever its cost.
   */
  takeChanges(): { add: PricedId[]; remove: Id[]; moved: Id[] } {
    const add: PricedId[] = [];
    const remove: Id[] = [];
    const moved: Id[] = [];
    for (const [id, costBefore] of this.changed) {
      moved.push(id);
      const now = this.bestRoutes.get(id);
      if (!now) {
        if (costBefore !== undefined) remove.push(id);
      } else if (now.cost !== costBefore) {
        add.push({ id, cost: now.cost });
      }
    }
    this.changed.clear();
    return { add, remove, moved };
  }
}

function cheapest(byNode: Map<string, number>): BestRoute {
  let node = '';
  let cost = Infinity;
  for (const [n, c] of byNode) {
    if (c < cost || (c === cost && n < node)) {
      node = n;
      cost = c;
    }
  }
  return { node, cost };
}
