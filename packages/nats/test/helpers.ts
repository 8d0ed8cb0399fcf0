// Shared by the NATS tests: unique network names, and waits on what a link
// or switch learns (event-driven: every check runs when a message arrives).
import type { Link, Message } from '@streamtasks/link';
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
export async function pullUntil(link: Link, check: () => boolean, timeout = 5000): Promise<Message[]> {
  const pulled: Message[] = [];
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
