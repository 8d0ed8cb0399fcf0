import { Switch, createQueueLinkPair } from '@streamtasks/link';
import { Client } from '@streamtasks/client';

/** A switch and clients on links that serialize every message. */
export function network() {
  const hub = new Switch();
  const clients: Client[] = [];
  return {
    hub,
    client(): Client {
      const [switchSide, clientSide] = createQueueLinkPair({ serialize: true });
      hub.addLink(switchSide);
      const client = new Client(clientSide).start();
      clients.push(client);
      return client;
    },
    close(): void {
      for (const c of clients) c.close();
      hub.close();
    },
  };
}

/** A deterministic PRNG (mulberry32), so "random" tests replay exactly. */
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
