/**
 * Shared test helpers: golden-vector loading, hex conversion, a seeded PRNG,
 * and a `Participant` that records what a link receives and waits for it.
 *
 * Queue links deliver on ticks and microtasks, so "the network is quiet" is reached
 * deterministically by waiting for the next macrotask ({@link settle}); no
 * test depends on wall-clock sleeps.
 */
import fs from 'node:fs';
import path from 'node:path';
import {
  DecodeError,
  AddressedMessage,
  AddressesChangedMessage,
  InTopicsChangedMessage,
  Link,
  MessageType,
  OutTopicsChangedMessage,
  RawData,
  TopicControlMessage,
  TopicDataMessage,
  createQueueLinkPair,
  type Id,
  type Message,
  type PricedId,
  type QueueLinkOptions,
  type Switch,
} from '@streamtasks/link';

// ---- vectors and bytes ----------------------------------------------------

const VECTORS_DIR = path.resolve(__dirname, '../../../../shared/vectors');

/** Parses one of the golden vector files of the shared directory. */
export function readVectors<T>(file: string): T {
  return JSON.parse(fs.readFileSync(path.join(VECTORS_DIR, file), 'utf8')) as T;
}

export function fromHex(hex: string): Uint8Array {
  if (hex.length % 2 !== 0) throw new Error(`odd hex length ${hex.length}`);
  return Uint8Array.from(Buffer.from(hex, 'hex'));
}

export function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

/**
 * Turns a value written with the vectors' JSON tags (`$bin`, `$bigint`,
 * `$float`, `$map`) into the value our decoder produces for it.
 */
export function untag(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(untag);
  if (value === null || typeof value !== 'object') return value;
  const obj = value as Record<string, unknown>;
  if (typeof obj.$bin === 'string') return fromHex(obj.$bin);
  if (typeof obj.$bigint === 'string') return BigInt(obj.$bigint);
  if (typeof obj.$float === 'number') return obj.$float;
  if (Array.isArray(obj.$map)) return new Map((obj.$map as [unknown, unknown][]).map(([k, v]) => [untag(k), untag(v)]));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj)) out[k] = untag(v);
  return out;
}

/** A small deterministic PRNG (mulberry32): the same seed gives the same run. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** An integer in [0, n) from a PRNG. */
export function below(rand: () => number, n: number): number {
  return Math.floor(rand() * n);
}

// ---- waiting --------------------------------------------------------------

/**
 * Resolves once every queued tick and microtask has run. Queue links deliver
 * on them (chains of them included), so after this the in-process network
 * is quiet and "nothing more arrives" can be asserted.
 */
export function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Rejects after `ms` with a message naming what was waited for. */
export function within<T>(promise: Promise<T>, what: string, ms = 1000): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

// ---- messages in a comparable form ----------------------------------------

const byId = (a: PricedId, b: PricedId) => compareIds(a.id, b.id);
export const compareIds = (a: Id, b: Id) => (a < b ? -1 : a > b ? 1 : 0);
const sortIds = (ids: readonly Id[]) => [...ids].sort(compareIds);
const sortPriced = (ids: readonly PricedId[]) => ids.map((p) => ({ id: p.id, cost: p.cost })).sort(byId);

/**
 * A message as a plain array that `toEqual` can compare, with sets sorted:
 * `['data', topic, value]`, `['control', topic, paused]`,
 * `['addressed', address, port, value]`, `['in', add, remove]`,
 * `['out', add, remove]` / `['addresses', add, remove]` (the Recv forms).
 */
export function brief(m: Message): unknown[] {
  switch (m.type) {
    case MessageType.TopicData: return ['data', m.topic, m.data.value];
    case MessageType.TopicControl: return ['control', m.topic, m.paused];
    case MessageType.Addressed: return ['addressed', m.address, m.port, m.data.value];
    case MessageType.InTopicsChanged: return ['in', sortIds(m.add), sortIds(m.remove)];
    case MessageType.OutTopicsChanged: return ['out-sent', sortPriced(m.add), sortIds(m.remove)];
    case MessageType.AddressesChanged: return ['addresses-sent', sortPriced(m.add), sortIds(m.remove)];
    case MessageType.OutTopicsChangedRecv: return ['out', sortPriced(m.add), sortPriced(m.remove)];
    case MessageType.AddressesChangedRecv: return ['addresses', sortPriced(m.add), sortPriced(m.remove)];
  }
}

// ---- predicates -----------------------------------------------------------

export type Predicate<M extends Message = Message> = (m: Message) => m is M;

export const isData = (topic?: Id): Predicate<TopicDataMessage> => (m): m is TopicDataMessage =>
  m.type === MessageType.TopicData && (topic === undefined || m.topic === topic);

export const isControl = (topic?: Id): Predicate<TopicControlMessage> => (m): m is TopicControlMessage =>
  m.type === MessageType.TopicControl && (topic === undefined || m.topic === topic);

export const isAddressed = (address?: Id): Predicate<AddressedMessage> => (m): m is AddressedMessage =>
  m.type === MessageType.Addressed && (address === undefined || m.address === address);

/** An InTopicsChanged that adds `topic` (or, with `removed`, removes it). */
export const isRequest = (topic: Id, removed = false): Predicate<InTopicsChangedMessage> =>
  (m): m is InTopicsChangedMessage =>
    m.type === MessageType.InTopicsChanged && (removed ? m.remove : m.add).includes(topic);

// ---- participants -----------------------------------------------------------

/**
 * One side of a link used as a network participant in tests: it records every
 * message the link delivers and can wait for a message or a condition.
 */
export class Participant {
  readonly received: Message[] = [];
  private cursor = 0;
  private readonly wakers = new Set<() => void>();

  /**
   * `link` is the participant's own end; `switchEnd`, when given, is the other
   * end of the connection (the one attached to a switch).
   */
  constructor(
    readonly link: Link,
    readonly switchEnd?: Link,
  ) {
    link.setReceiver((m) => {
      this.received.push(m);
      for (const wake of [...this.wakers]) wake();
    });
    link.events.on('close', () => {
      for (const wake of [...this.wakers]) wake();
    });
  }

  /** Sends and expects the link to accept it. */
  send(message: Message): void {
    this.link.send(message);
  }

  provide(topics: Id[], cost = 0): void {
    this.send(new OutTopicsChangedMessage(topics.map((id) => ({ id, cost })), []));
  }

  unprovide(topics: Id[]): void {
    this.send(new OutTopicsChangedMessage([], topics));
  }

  subscribe(topics: Id[]): void {
    this.send(new InTopicsChangedMessage(topics, []));
  }

  unsubscribe(topics: Id[]): void {
    this.send(new InTopicsChangedMessage([], topics));
  }

  announce(addresses: Id[], cost = 0): void {
    this.send(new AddressesChangedMessage(addresses.map((id) => ({ id, cost })), []));
  }

  withdraw(addresses: Id[]): void {
    this.send(new AddressesChangedMessage([], addresses));
  }

  publish(topic: Id, value: unknown): void {
    this.send(new TopicDataMessage(topic, RawData.from(value)));
  }

  control(topic: Id, paused: boolean): void {
    this.send(new TopicControlMessage(topic, paused));
  }

  sendTo(address: Id, port: number, value: unknown): void {
    this.send(new AddressedMessage(address, port, RawData.from(value)));
  }

  /** Received messages in {@link brief} form. */
  briefs(): unknown[][] {
    return this.received.map(brief);
  }

  /** Values of the data received on `topic`, in order. */
  values(topic: Id): unknown[] {
    return this.received.filter(isData(topic)).map((m) => m.data.value);
  }

  /** Forgets what was received so far. */
  clear(): void {
    this.received.length = 0;
    this.cursor = 0;
  }

  /**
   * Waits for the next message (after the last one matched by a previous
   * call) that satisfies `predicate`, and returns it.
   */
  async next<M extends Message>(predicate: Predicate<M>, what: string, timeout = 1000): Promise<M> {
    let found: M | undefined;
    await this.until(() => {
      for (let i = this.cursor; i < this.received.length; i++) {
        const m = this.received[i]!;
        if (predicate(m)) {
          this.cursor = i + 1;
          found = m;
          return true;
        }
      }
      return false;
    }, what, timeout);
    return found!;
  }

  /** Waits until `condition` holds; it is checked now and after every received message. */
  until(condition: () => boolean, what: string, timeout = 1000): Promise<void> {
    if (condition()) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const done = () => {
        clearTimeout(timer);
        this.wakers.delete(check);
      };
      const check = () => {
        if (condition()) {
          done();
          resolve();
        }
      };
      const timer = setTimeout(() => {
        done();
        const seen = JSON.stringify(this.briefs(), (_, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v));
        reject(new Error(`timed out after ${timeout} ms waiting for ${what}; received ${seen}`));
      }, timeout);
      this.wakers.add(check);
    });
  }
}

// ---- building networks ------------------------------------------------------

/** The two ways a queue link carries messages; switch and link specs run over both. */
export const MODES = [
  { mode: 'objects', serialize: false },
  { mode: 'serialized', serialize: true },
] as const;

/** A participant attached to `sw` over a fresh queue link pair. */
export function attach(sw: Switch, options: QueueLinkOptions = {}): Participant {
  const [inner, outer] = createQueueLinkPair(options);
  sw.addLink(inner);
  return new Participant(outer, inner);
}

/** Connects two switches with a queue link pair; returns [link on a, link on b]. */
export function connect(a: Switch, b: Switch, options: QueueLinkOptions = {}): [Link, Link] {
  const [la, lb] = createQueueLinkPair(options);
  a.addLink(la);
  b.addLink(lb);
  return [la, lb];
}

/**
 * A link driven by hand: `inject` makes it receive a message as if the other
 * end had sent it; everything sent through it is kept in `sent`; `failWith`
 * makes every later send throw (a dead socket, a broken peer).
 */
export class ManualLink extends Link {
  readonly sent: Message[] = [];
  failWith: Error | undefined;

  inject(message: Message): void {
    this.receive(message);
  }

  protected transmit(message: Message): boolean {
    if (this.failWith) throw this.failWith;
    this.sent.push(message);
    return true;
  }

  protected onClose(): void {}
}

/** What `fn` threw, checked to be a DecodeError (the test fails if it threw nothing or something else). */
export function decodeErrorOf(fn: () => unknown): DecodeError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(DecodeError);
    return err as DecodeError;
  }
  throw new Error('expected a DecodeError');
}
