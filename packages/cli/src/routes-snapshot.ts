import { MessageType, TimeoutError, type Id, type Link, type PricedId, type WaitOptions } from '@streamtasks/link';

/** What a fresh link is told about a node: the topics it provides and the addresses it reaches, with costs. */
export interface RoutesSnapshot {
  topics: PricedId[];
  addresses: PricedId[];
}

export interface RoutesSnapshotOptions extends WaitOptions {
  /**
   * How long to wait for more announcements once nothing arrives (ms). A
   * node announces everything right after the handshake; the wait only
   * matters for a node that provides no topic or reaches no address, and so
   * announces nothing. Default 300.
   */
  quiet?: number;
}

/**
 * Collects the announcements a node sends a newly attached link: its switch
 * tells the link everything it provides and reaches at once (TypeScript and
 * Python nodes alike). Ends when both kinds arrived, or when `quiet` ms pass
 * without a message.
 */
export async function readRoutesSnapshot(link: Link, options: RoutesSnapshotOptions = {}): Promise<RoutesSnapshot> {
  const topics = new Map<Id, number>();
  const addresses = new Map<Id, number>();
  let sawTopics = false;
  let sawAddresses = false;
  const quiet = options.quiet ?? 300;
  const deadline = options.timeout === undefined ? Infinity : Date.now() + options.timeout;
  while (!(sawTopics && sawAddresses)) {
    const left = deadline - Date.now();
    let message;
    try {
      message = await link.recv({ timeout: Math.max(1, Math.min(quiet, left)), signal: options.signal });
    } catch (err) {
      if (err instanceof TimeoutError) break;
      throw err;
    }
    if (message.type === MessageType.OutTopicsChangedRecv) {
      sawTopics = true;
      for (const r of message.remove) topics.delete(r.id);
      for (const a of message.add) topics.set(a.id, a.cost);
    } else if (message.type === MessageType.AddressesChangedRecv) {
      sawAddresses = true;
      for (const r of message.remove) addresses.delete(r.id);
      for (const a of message.add) addresses.set(a.id, a.cost);
    }
  }
  const sorted = (m: Map<Id, number>) =>
    [...m].map(([id, cost]) => ({ id, cost })).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return { topics: sorted(topics), addresses: sorted(addresses) };
}
