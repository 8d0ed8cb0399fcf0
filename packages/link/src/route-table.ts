import type { Id } from './ids.js';
import type { Link } from './link.js';

/** The cheapest and second cheapest link to one id (distinct links). */
export interface BestRoutes {
  first: Link | undefined;
  firstCost: number;
  second: Link | undefined;
  secondCost: number;
}

const NONE: BestRoutes = Object.freeze({ first: undefined, firstCost: Infinity, second: undefined, secondCost: Infinity });

/**
 * For every id (topic or address), the links it can be reached through and
 * their costs, with the cheapest link cached for the per-message path.
 */
export class RouteTable {
  private readonly routes = new Map<Id, Map<Link, number>>();
  private readonly cheapest = new Map<Id, Link>();
  /**
   * Ids held down by the switch: withdrawn from its announcements for a
   * moment, with the cost they had before (see `Switch`). Routing itself
   * keeps using the table.
   */
  readonly held = new Map<Id, number>();

  get size(): number {
    return this.routes.size;
  }

  has(id: Id): boolean {
    return this.routes.has(id);
  }

  /** The cheapest link to `id`, if any. */
  best(id: Id): Link | undefined {
    return this.cheapest.get(id);
  }

  /** Cost of the cheapest route to `id` (Infinity when unknown). */
  cost(id: Id): number {
    const link = this.cheapest.get(id);
    return link === undefined ? Infinity : this.routes.get(id)!.get(link)!;
  }

  ids(): IterableIterator<Id> {
    return this.routes.keys();
  }

  /** The two cheapest distinct links to `id`; ties keep the older route first. */
  top2(id: Id): BestRoutes {
    const links = this.routes.get(id);
    if (!links) return NONE;
    let first: Link | undefined;
    let firstCost = Infinity;
    let second: Link | undefined;
    let secondCost = Infinity;
    for (const [link, cost] of links) {
      if (cost < firstCost) {
        second = first;
        secondCost = firstCost;
        first = link;
        firstCost = cost;
      } else if (cost < secondCost) {
        second = link;
        secondCost = cost;
      }
    }
    return { first, firstCost, second, secondCost };
  }

  /** Sets (or with `cost` undefined, removes) the route to `id` through `link`. */
  set(id: Id, link: Link, cost: number | undefined): void {
    let links = this.routes.get(id);
    if (cost === undefined) {
      if (!links || !links.delete(link)) return;
      if (links.size === 0) {
        this.routes.delete(id);
        this.cheapest.delete(id);
        return;
      }
    } else {
      if (!links) this.routes.set(id, (links = new Map()));
      links.set(link, cost);
    }
    const best = this.top2(id).first;
    if (best) this.cheapest.set(id, best);
  }
}
