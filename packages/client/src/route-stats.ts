import type { Client } from './client.js';

// Read once: in Node `globalThis.performance` is a lazy getter, which every
// bare `performance.now()` calls again (two clock reads per request).
const clock: { now(): number } = globalThis.performance;

/** The clock of processing times: `performance.now()`, without looking the global up again. */
export function routeClock(): number {
  return clock.now();
}

/**
 * The counters of one route of a fetch or signal server, in the spirit of
 * the NATS services API's `$SRV.STATS`: how often it ran, how often it
 * failed and with what, and how long it took.
 */
export class RouteStats {
  /** Requests (or signals) handled by the route. */
  requests = 0;
  /** Of those, the ones that ended in an error (a throwing handler, a rejected body). */
  errors = 0;
  /** The message of the last error. */
  lastError: string | undefined = undefined;
  /** `Date.now()` of the last error. */
  lastErrorAt: number | undefined = undefined;
  /** Total processing time in milliseconds. */
  processingTime = 0;

  /** Average processing time in milliseconds (0 before the first request). */
  get averageProcessingTime(): number {
    return this.requests === 0 ? 0 : this.processingTime / this.requests;
  }

  /** Counts one handled request that started at `startedAt` (`performance.now()`), failed with `error` if given. */
  record(startedAt: number, error?: unknown): void {
    this.requests++;
    this.processingTime += clock.now() - startedAt;
    if (error !== undefined) {
      this.errors++;
      this.lastError = error instanceof Error ? error.message : String(error);
      this.lastErrorAt = Date.now();
    }
  }
}

/** What monitoring needs to know of a running fetch or signal server. */
export interface RouteServer {
  readonly kind: 'fetch' | 'signal';
  /** A name for the service (e.g. `discovery`), if it was given one. */
  readonly name: string | undefined;
  readonly client: Client;
  readonly port: number;
  /** Stats per descriptor. */
  routeStats(): ReadonlyMap<string, RouteStats>;
  /** Requests (or signals) for descriptors without a route. */
  readonly unknownDescriptors: number;
}

const running = new Set<RouteServer>();

/**
 * The fetch and signal servers running in this process, for monitoring
 * (`@streamtasks/monitoring` lists them under `/services`). Servers add
 * themselves on `start()` and leave on `stop()`.
 */
export function runningRouteServers(): ReadonlySet<RouteServer> {
  return running;
}

/** Called by the fetch and signal servers on start and stop (for siblings: exported from ./internal). */
export function trackRouteServer(server: RouteServer, isRunning: boolean): void {
  if (isRunning) running.add(server);
  else running.delete(server);
}
