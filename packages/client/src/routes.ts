import { RouteStats } from './route-stats.js';

/** Checks a request body and returns it typed; throws when it does not fit. */
export type BodyCheck<T> = (value: unknown, path?: string) => T;

/** One route: the handler of a descriptor and the optional check of its body. */
export interface DescriptorRoute<H> {
  readonly handler: H;
  readonly validate: BodyCheck<unknown> | undefined;
  /** The route's counters (they survive replacing the handler). */
  readonly stats: RouteStats;
}

/**
 * The routes of a server that dispatches by descriptor (fetch, signal): one
 * handler per descriptor, with an optional body check. `set` takes the
 * arguments of the servers' `route(descriptor, [options,] handler)`.
 */
export class DescriptorRoutes<H extends (...args: never[]) => unknown> {
  private readonly routes = new Map<string, DescriptorRoute<H>>();

  /** Adds or replaces the route of a descriptor. */
  set(descriptor: string, handlerOrOptions: H | { validate?: BodyCheck<unknown> }, maybeHandler?: H): void {
    const [handler, options] = typeof handlerOrOptions === 'function'
      ? [handlerOrOptions, {}]
      : [maybeHandler, handlerOrOptions];
    if (typeof handler !== 'function') throw new TypeError(`route ${JSON.stringify(descriptor)} needs a handler function`);
    const stats = this.routes.get(descriptor)?.stats ?? new RouteStats();
    this.routes.set(descriptor, { handler, validate: (options as { validate?: BodyCheck<unknown> }).validate, stats });
  }

  /** The counters of every route, by descriptor. */
  stats(): Map<string, RouteStats> {
    const result = new Map<string, RouteStats>();
    for (const [descriptor, route] of this.routes) result.set(descriptor, route.stats);
    return result;
  }

  get(descriptor: string): DescriptorRoute<H> | undefined {
    return this.routes.get(descriptor);
  }

  delete(descriptor: string): boolean {
    return this.routes.delete(descriptor);
  }
}
