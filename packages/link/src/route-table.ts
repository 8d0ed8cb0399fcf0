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
 * their costs.
 *
 * The routes of an id are kept as one flat array `[link, cost, link, cost,
 * …]` in the order they were added: most ids have one route or two, and an
 * array of two costs a fraction of a `Map` per id (a switch may hold
 * hundreds of thousands of ids). Lookups scan it; ties keep the older route
 * first.
 */
export class RouteTable {
  private readonly routes = new Map<Id, Array<Link | number>>();
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
    const r = this.routes.get(id);
    if (r === undefined) return undefined;
    let best = r[0] as Link;
    if (r.length === 2) return best;
    let cost = r[1] as number;
    for (let i = 2; i < r.length; i += 2) {
      if ((r[i + 1] as number) < cost) {
        best = r[i] as Link;
        cost = r[i + 1] as number;
      }
    }
    return best;
  }

  /** Cost of the cheapest route to `id` (Infinity when unknown). */
  cost(id: Id): number {
    const r = this.routes.get(id);
    if (r === undefined) return Infinity;
    let cost = r[1] as number;
    for (let i = 3; i < r.length; i += 2) if ((r[i] as number) < cost) cost = r[i] as number;
    return cost;
  }

  /** Every route to `id` as `[link, cost]` pairs (a new array; for inspection). */
  routesOf(id: Id): Array<[Link, number]> {
    const r = this.routes.get(id);
    const result: Array<[Link, number]> = [];
    if (r !== undefined) for (let i = 0; i < r.length; i += 2) result.push([r[i] as Link, r[i + 1] as number]);
    return result;
  }

  ids(): IterableIterator<Id> {
    return this.routes.keys();
  }

  /** The two cheapest distinct links to `id`; ties keep the older route first. */
  top2(id: Id): BestRoutes {
    const r = this.routes.get(id);
    if (r === undefined) return NONE;
    let first: Link | undefined;
    let firstCost = Infinity;
    let second: Link | undefined;
    let secondCost = Infinity;
    for (let i = 0; i < r.length; i += 2) {
      const link = r[i] as Link;
      const cost = r[i + 1] as number;
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
    const r = this.routes.get(id);
    let at = -1;
    if (r !== undefined) {
      for (let i = 0; i < r.length; i += 2) {
        if (r[i] === link) {
          at = i;
          break;
        }
      }
    }
    if (cost === undefined) {
      if (r === undefined || at < 0) return;
      if (r.length === 2) this.routes.delete(id);
      else r.splice(at, 2);
    } else if (r === undefined) {
      this.routes.set(id, [link, cost]);
    } else if (at >= 0) {
      r[at + 1] = cost;
    } else {
      r.push(link, cost);
    }
  }
}
