import { Switch, createQueueLinkPair, type Link } from '@streamtasks/link';
import { Client, type ClientOptions } from '@streamtasks/client';
import { DiscoveryService, discoveryNames, type DiscoveryServiceOptions } from '@streamtasks/discovery';

/** A switch with the discovery service and clients, every link serializing its messages. */
export function createDiscoveryNetwork(options: DiscoveryServiceOptions = {}) {
  const hub = new Switch();
  const [switchSide, serviceSide] = createQueueLinkPair({ serialize: true });
  hub.addLink(switchSide);
  const discovery = new DiscoveryService(serviceSide, options).start();
  const clients: Client[] = [];
  return {
    hub,
    discovery,
    /** A link attached to the switch (the other end is returned). */
    link(): Link {
      const [a, b] = createQueueLinkPair({ serialize: true });
      hub.addLink(a);
      return b;
    },
    /** A started client without an address, resolving names through discovery. */
    connect(clientOptions?: ClientOptions): Client {
      const client = new Client(this.link(), { nameResolver: discoveryNames, ...clientOptions }).start();
      clients.push(client);
      return client;
    },
    close(): void {
      for (const c of clients) c.close();
      discovery.close();
    },
  };
}

export type DiscoveryNetwork = ReturnType<typeof createDiscoveryNetwork>;
