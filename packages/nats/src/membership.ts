import { NO_CHANGES, type RouteChanges, type StateMessage } from './state-codec.js';

/** What {@link Membership} asks of the link. */
export interface MembershipHooks {
  /** Apply a node's changes; `full` replaces what it announced before. */
  apply(node: string, changes: RouteChanges, full: boolean): void;
  /** A node left (goodbye) or was declared dead: withdraw what it announced. */
  gone(node: string, why: 'left' | 'dead'): void;
  /** We missed some of a node's changes: ask it for its full state. */
  ask(node: string): void;
  /**
   * Resolves after a round trip to the server: everything the server sent
   * before it has been read by then (a connection delivers in order).
   */
  roundTrip(): Promise<void>;
}

interface Peer {
  /** Last change applied; undefined until the node's state is known. */
  seq: number | undefined;
  timer: ReturnType<typeof setTimeout> | undefined;
  /** When the timer is due. */
  dueAt: number;
  /** Last time data from the node arrived (see {@link Membership.heard}). */
  heardAt: number;
  askedAt: number;
}

/** A timer that fires this much later than due ran on a busy event loop: messages may still wait unread. */
const LATE = 100;

/**
 * Who else is on the network, and whether what we know of each is complete.
 * Each node numbers its changes; a change that does not follow the last one
 * applied, or a heartbeat ahead of it, means something was lost (core NATS
 * delivers at most once) and the full state is asked for. A node silent for
 * `deadAfter` milliseconds is declared dead; while this node is itself
 * disconnected from NATS nobody is, except after a long outage.
 */
export class Membership {
  private readonly peers = new Map<string, Peer>();
  private suspended = false;
  private outageTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly hooks: MembershipHooks,
    private readonly deadAfter: number,
  ) {}

  /** Nodes whose state is known. */
  get size(): number {
    let n = 0;
    for (const peer of this.peers.values()) if (peer.seq !== undefined) n++;
    return n;
  }

  receive(message: StateMessage): void {
    const { node } = message;
    if (message.kind === 'bye') {
      const peer = this.peers.get(node);
      if (!peer) return;
      this.forget(node, peer);
      if (peer.seq !== undefined) this.hooks.gone(node, 'left');
      return;
    }
    let peer = this.peers.get(node);
    if (!peer) this.peers.set(node, (peer = { seq: undefined, timer: undefined, dueAt: 0, heardAt: 0, askedAt: -Infinity }));
    this.keepAlive(node, peer);
    switch (message.kind) {
      case 'full':
        if (peer.seq !== undefined && message.seq < peer.seq) return; // older than what we applied
        peer.seq = message.seq;
        this.hooks.apply(node, message.changes, true);
        return;
      case 'change':
        if (peer.seq === undefined && message.seq === 1) peer.seq = 0; // its first change: nothing came before
        if (peer.seq !== undefined && message.seq <= peer.seq) return;
        if (peer.seq === undefined || message.seq !== peer.seq + 1) return this.askFor(node, peer);
        peer.seq = message.seq;
        this.hooks.apply(node, message.changes, false);
        return;
      case 'beat':
        if (peer.seq === undefined && message.seq === 0) {
          peer.seq = 0; // a node that never changed anything has nothing to tell
          this.hooks.apply(node, NO_CHANGES, true);
        } else if (peer.seq === undefined || message.seq > peer.seq) {
          this.askFor(node, peer);
        }
        return;
    }
  }

  /**
   * Data from a node arrived: it is alive, even if its heartbeats wait
   * behind that data. Cheap enough for every message.
   */
  heard(node: string, now: number): void {
    const peer = this.peers.get(node);
    if (peer) peer.heardAt = now;
  }

  /** This node lost its NATS connection: nobody is declared dead meanwhile, unless the outage outlasts twice `deadAfter`. */
  suspend(): void {
    if (this.suspended) return;
    this.suspended = true;
    for (const peer of this.peers.values()) {
      clearTimeout(peer.timer);
      peer.timer = undefined;
    }
    this.outageTimer = setTimeout(() => {
      this.outageTimer = undefined;
      for (const [node, peer] of [...this.peers]) this.expire(node, peer);
    }, 2 * this.deadAfter);
  }

  /** Connected again: every node gets a fresh `deadAfter` to be heard from. */
  resume(): void {
    if (!this.suspended) return;
    this.suspended = false;
    clearTimeout(this.outageTimer);
    this.outageTimer = undefined;
    for (const [node, peer] of this.peers) this.keepAlive(node, peer);
  }

  /** Stops every timer and forgets everyone (without calling `gone`). */
  close(): void {
    clearTimeout(this.outageTimer);
    for (const peer of this.peers.values()) clearTimeout(peer.timer);
    this.peers.clear();
  }

  private keepAlive(node: string, peer: Peer): void {
    if (this.suspended) return;
    peer.dueAt = Date.now() + this.deadAfter;
    if (peer.timer) {
      peer.timer.refresh();
      return;
    }
    peer.timer = setTimeout(() => this.check(node, peer), this.deadAfter);
  }

  private check(node: string, peer: Peer): void {
    peer.timer = undefined;
    const now = Date.now();
    const heardFor = now - peer.heardAt;
    if (now < peer.dueAt) {
      // Early: a refreshed timer counts from the event loop's cached time, which lags on a busy loop.
      this.schedule(node, peer, peer.dueAt - now);
    } else if (heardFor < this.deadAfter) {
      this.schedule(node, peer, this.deadAfter - heardFor);
    } else if (now - peer.dueAt > LATE) {
      // The event loop was busy: its heartbeats may be among the bytes not read yet.
      this.schedule(node, peer, this.deadAfter / 4);
    } else {
      this.verify(node, peer);
    }
  }

  /**
   * Silent for `deadAfter`, but a busy process may not have read its
   * heartbeat yet (a publisher that never yields keeps the sockets unread):
   * the verdict waits for a round trip to the server, after which every
   * beat it had sent us is read. A beat or data meanwhile acquits it.
   */
  private verify(node: string, peer: Peer): void {
    const due = peer.dueAt;
    this.hooks.roundTrip().then(
      () => {
        if (this.peers.get(node) !== peer || this.suspended || peer.timer !== undefined) return;
        const heardFor = Date.now() - peer.heardAt;
        if (peer.dueAt !== due) return;
        if (heardFor < this.deadAfter) this.schedule(node, peer, this.deadAfter - heardFor);
        else this.expire(node, peer);
      },
      () => undefined, // closed or cut off: no verdict (suspend and close take over)
    );
  }

  private schedule(node: string, peer: Peer, ms: number): void {
    peer.dueAt = Date.now() + ms;
    peer.timer = setTimeout(() => this.check(node, peer), ms);
  }

  private expire(node: string, peer: Peer): void {
    this.forget(node, peer);
    if (peer.seq !== undefined) this.hooks.gone(node, 'dead');
  }

  private forget(node: string, peer: Peer): void {
    clearTimeout(peer.timer);
    this.peers.delete(node);
  }

  private askFor(node: string, peer: Peer): void {
    const now = Date.now();
    // One question at a time: the answer takes a round trip.
    if (now - peer.askedAt < 500) return;
    peer.askedAt = now;
    this.hooks.ask(node);
  }
}
