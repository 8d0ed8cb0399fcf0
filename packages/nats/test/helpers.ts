// Shared by the NATS tests: unique network names, and waits on what a link
// or switch learns (event-driven: every check runs when a message arrives).
import { Switch, createQueueLinkPair, type Link, type Message } from '@streamtasks/link';
import { connectNats, type ConnectNatsOptions, type NatsLink } from '@streamtasks/nats';

let networks = 0;

/** A network name no other test uses, so that tests sharing a server never see each other. */
export function freshNetwork(): string {
  return `t${process.pid}x${++networks}`;
}

/** Connects `count` nodes to one network. */
export async function connectNodes(count: number, options: ConnectNatsOptions): Promise<NatsLink[]> {
  return Promise.all(Array.from({ length: count }, () => connectNats(options)));
}

/**
 * Pulls messages from a link in pull mode (which applies them to its
 * bookkeeping) until `check` holds; returns what was pulled.
 */
export async function pullUntil(link: Link, check: () => boolean, timeout = 5000, pulled: Message[] = []): Promise<Message[]> {
  const deadline = Date.now() + timeout;
  while (!check()) {
    const left = deadline - Date.now();
    if (left <= 0) throw new Error('condition not reached in time');
    try {
      pulled.push(await link.recv({ timeout: left }));
    } catch (err) {
      if ((err as { code?: string }).code === 'ERR_TIMEOUT') throw new Error('condition not reached in time', { cause: err });
      throw err;
    }
  }
  return pulled;
}

/** Resolves once `check` holds, re-checked whenever the link applies a change of the network's state. */
export function untilNetwork(link: NatsLink, check: () => boolean, timeout = 5000): Promise<void> {
  if (check()) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error('condition not reached in time'));
    }, timeout);
    const off = link.network.on('change', () => {
      if (!check()) return;
      clearTimeout(timer);
      off();
      resolve();
    });
  });
}

/** A local participant of a node: the far end of an in-process link to its switch, recording what it pulls. */
export class Participant {
  readonly log: Message[] = [];
  constructor(readonly end: Link) {}

  send(message: Message): void {
    this.end.send(message);
  }

  /** Pulls (and records) messages until `check` holds. */
  async until(check: () => boolean, timeout = 5000): Promise<void> {
    await pullUntil(this.end, check, timeout, this.log);
  }

  /** Pulls until `n` data messages arrived; returns their values. */
  async data(n: number, timeout = 10_000): Promise<unknown[]> {
    await this.until(() => this.values().length >= n, timeout);
    return this.values();
  }

  values(): unknown[] {
    return ofType(this.log, 0).map((m) => m.data.value);
  }

  controls(): boolean[] {
    return ofType(this.log, 1).map((m) => m.paused);
  }

  addressed(): unknown[] {
    return ofType(this.log, 2).map((m) => m.data.value);
  }
}

/** A node: a switch attached to NATS. */
export interface TestNode {
  readonly sw: Switch;
  readonly link: NatsLink;
  /** Attaches a local participant to the switch. */
  participant(): Participant;
  close(): Promise<void>;
}

/** Starts a node on `url` (a `nats://…?network=…` URL). */
export async function startNode(url: string, options: Omit<ConnectNatsOptions, 'url'> = {}): Promise<TestNode> {
  const sw = new Switch();
  const link = await connectNats({ url, ...options });
  sw.addLink(link);
  const ends: Link[] = [];
  return {
    sw,
    link,
    participant() {
      const [inside, outside] = createQueueLinkPair({ serialize: true });
      sw.addLink(inside);
      ends.push(outside);
      return new Participant(outside);
    },
    async close() {
      for (const end of ends) end.close();
      sw.close();
      await link.released;
    },
  };
}

/** Resolves once the node knows `others` other nodes. */
export function untilKnown(link: NatsLink, others: number, timeout = 5000): Promise<void> {
  return untilNetwork(link, () => link.stats.nodes >= others, timeout);
}

/** Messages of one type among those pulled. */
export function ofType<T extends Message['type']>(messages: readonly Message[], type: T): Array<Extract<Message, { type: T }>> {
  return messages.filter((m): m is Extract<Message, { type: T }> => m.type === type);
}
