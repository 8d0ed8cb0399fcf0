import { Switch, createQueueLinkPair, type Link } from '@streamtasks/link';
import { Client, type ClientOptions } from '@streamtasks/client';

/** A switch and clients attached to it over links that serialize every message. */
export function network(serialize = true) {
  const hub = new Switch();
  const clients: Client[] = [];
  const links: Link[] = [];
  return {
    hub,
    client(options?: ClientOptions): Client {
      const [switchSide, clientSide] = createQueueLinkPair({ serialize });
      hub.addLink(switchSide);
      links.push(switchSide);
      const client = new Client(clientSide, options).start();
      clients.push(client);
      return client;
    },
    close(): void {
      for (const c of clients) c.close();
      hub.close();
    },
  };
}

/** Resolves once `predicate` holds, checking after every message the client consumes. */
export function until(client: Client, predicate: () => boolean, timeout = 2000): Promise<void> {
  if (predicate()) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error('condition not reached'));
    }, timeout);
    const off = client.addReceiver(() => {
      if (predicate()) {
        clearTimeout(timer);
        off();
        resolve();
      }
    });
  });
}
