import type { Id, PricedId } from './ids.js';
import type { Link } from './link.js';

/** A cost to announce, `undefined` to withdraw the id, `null` for "nothing to say" (an exception to a shared entry). */
type Value = number | undefined | null;

interface Entry {
  readonly value: Value;
  /** Order of the decision within the batch: the later of a shared and an own entry wins. */
  readonly seq: number;
}

/** What one link is to be told: the costs to announce and the ids to withdraw. */
export interface RouteChanges {
  readonly add: PricedId[];
  readonly remove: Id[];
}

/**
 * The route announcements (of topics, or of addresses) a switch collects
 * while handling one event, to send one message per link at the end.
 *
 * Most changes reach every link alike: with split horizon, a link hears the
 * cheapest route not through itself, and that is the same cost for all but
 * the link (or two) the cheapest routes run through. Such a change is kept
 * once, as a shared entry, with those links as exceptions; only exceptions
 * and changes for single links are kept per link. So a provider announcing
 * n topics to a switch of m links costs n entries, not n × m, and the m - 1
 * links without exceptions are sent one and the same message (which a
 * serialized link then encodes once).
 *
 * Later decisions about an id replace earlier ones for the links they
 * concern: a receiving link applies an announcement's removals before its
 * additions, so sending both for one id could leave it in the wrong state.
 *
 * A link attached while changes are pending (a switch re-entered from a
 * send) also hears the shared ones made before it joined. That is harmless:
 * what it was told on joining is later and wins for every id the switch
 * routes, and the withdrawal of an id it never heard of changes nothing.
 */
export class Announcements {
  private seq = 0;
  /** id → what every link hears, unless an entry of its own is later. */
  private readonly shared = new Map<Id, Entry>();
  /** link → its own entries. */
  private readonly own = new Map<Link, Map<Id, Entry>>();

  get isEmpty(): boolean {
    return this.shared.size === 0 && this.own.size === 0;
  }

  /** Whether some entry concerns every link. */
  get hasShared(): boolean {
    return this.shared.size > 0;
  }

  /** The links with entries of their own (the only ones to visit when nothing is shared). */
  linksWithOwn(): IterableIterator<Link> {
    return this.own.keys();
  }

  /** `link` left: forget what it was to be told. */
  detached(link: Link): void {
    this.own.delete(link);
  }

  /** Tells `link` the cost of `id`, or (undefined) that it is withdrawn. */
  set(link: Link, id: Id, cost: number | undefined): void {
    this.setOwn(link, id, cost);
  }

  /**
   * Tells every attached link the cost of `id`, or (undefined) its
   * withdrawal, except `a` and `b`: they keep what they were to be told
   * about it (their own decisions follow with {@link Announcements.set}).
   */
  setAll(id: Id, cost: number | undefined, a?: Link, b?: Link): void {
    const before = this.shared.get(id);
    const keptA = a === undefined ? null : this.pending(a, id, before);
    const keptB = b === undefined || b === a ? null : this.pending(b, id, before);
    this.shared.set(id, { value: cost, seq: ++this.seq });
    // After the shared entry, so that they are the later ones for these links.
    if (a !== undefined) this.setOwn(a, id, keptA);
    if (b !== undefined && b !== a) this.setOwn(b, id, keptB);
  }

  /** The changes every link without entries of its own hears. */
  sharedChanges(): RouteChanges {
    const add: PricedId[] = [];
    const remove: Id[] = [];
    for (const [id, e] of this.shared) push(add, remove, id, e.value);
    return { add, remove };
  }

  /** Whether `link` hears exactly {@link Announcements.sharedChanges}. */
  hearsShared(link: Link): boolean {
    return !this.own.has(link);
  }

  /** The changes for one link (built for it: call {@link Announcements.hearsShared} first to share). */
  changesFor(link: Link): RouteChanges {
    const own = this.own.get(link);
    const add: PricedId[] = [];
    const remove: Id[] = [];
    for (const [id, e] of this.shared) push(add, remove, id, this.pending(link, id, e));
    if (own !== undefined) {
      for (const [id, e] of own) if (!this.shared.has(id)) push(add, remove, id, e.value);
    }
    return { add, remove };
  }

  /** What `link` is to hear about `id` so far, given the shared entry `shared` of it. */
  private pending(link: Link, id: Id, shared: Entry | undefined): Value {
    const mine = this.own.get(link)?.get(id);
    if (mine !== undefined && (shared === undefined || mine.seq > shared.seq)) return mine.value;
    return shared !== undefined ? shared.value : null;
  }

  private setOwn(link: Link, id: Id, value: Value): void {
    let own = this.own.get(link);
    if (own === undefined) {
      own = new Map();
      this.own.set(link, own);
    }
    own.set(id, { value, seq: ++this.seq });
  }
}

function push(add: PricedId[], remove: Id[], id: Id, value: Value): void {
  if (value === null) return;
  if (value === undefined) remove.push(id);
  else add.push({ id, cost: value });
}
