import { WIRE_TYPE_COUNT, type Link, type Switch } from '@streamtasks/link';

/** Counters summed over the links of one kind that are gone, so totals never go down. */
export interface RetiredTotals {
  links: number;
  readonly messagesIn: Float64Array;
  readonly messagesOut: Float64Array;
  readonly bytesIn: Float64Array;
  readonly bytesOut: Float64Array;
  dropped: number;
  decodeErrors: number;
  backpressure: number;
  slowConsumer: number;
}

function emptyTotals(): RetiredTotals {
  return {
    links: 0,
    messagesIn: new Float64Array(WIRE_TYPE_COUNT),
    messagesOut: new Float64Array(WIRE_TYPE_COUNT),
    bytesIn: new Float64Array(WIRE_TYPE_COUNT),
    bytesOut: new Float64Array(WIRE_TYPE_COUNT),
    dropped: 0,
    decodeErrors: 0,
    backpressure: 0,
    slowConsumer: 0,
  };
}

/**
 * Gives every link of a switch a small stable id (1, 2, …; what `/links`
 * and the dashboard show) and keeps the counters of removed links per kind,
 * so that the totals exported to Prometheus only grow.
 */
export class LinkRegistry {
  readonly retired = new Map<string, RetiredTotals>();
  private readonly ids = new WeakMap<Link, number>();
  private next = 1;
  private readonly off: Array<() => void>;

  constructor(readonly sw: Switch) {
    for (const link of sw.links) this.id(link);
    this.off = [
      sw.events.on('link-added', (link) => this.id(link)),
      sw.events.on('link-removed', (link) => this.retire(link)),
    ];
  }

  /** The id of a link (assigned on first sight). */
  id(link: Link): number {
    let id = this.ids.get(link);
    if (id === undefined) {
      id = this.next++;
      this.ids.set(link, id);
    }
    return id;
  }

  close(): void {
    for (const off of this.off) off();
  }

  private retire(link: Link): void {
    let totals = this.retired.get(link.kind);
    if (!totals) {
      totals = emptyTotals();
      this.retired.set(link.kind, totals);
    }
    const s = link.counters;
    totals.links++;
    for (let t = 0; t < WIRE_TYPE_COUNT; t++) {
      totals.messagesIn[t]! += s.messagesIn[t]!;
      totals.messagesOut[t]! += s.messagesOut[t]!;
      totals.bytesIn[t]! += s.bytesIn[t]!;
      totals.bytesOut[t]! += s.bytesOut[t]!;
    }
    totals.dropped += s.dropped;
    totals.decodeErrors += s.decodeErrors;
    totals.backpressure += s.backpressure;
    totals.slowConsumer += s.slowConsumer;
  }
}

/** Sums a counter array. */
export function sum(counters: ArrayLike<number>): number {
  let total = 0;
  for (let i = 0; i < counters.length; i++) total += counters[i]!;
  return total;
}
