import { Switch, createQueueLinkPair, type Id } from '@streamtasks/link';
import { Client, type ClientOptions } from '@streamtasks/client';

/** A switch with clients attached through links that serialize every message. */
export interface TestNetwork {
  readonly hub: Switch;
  /** A started client on a new link (with `address` set, if given). */
  connect(address?: Id, options?: ClientOptions): Client;
  /** Closes every client and the switch. */
  close(): void;
}

export function createNetwork(options: { serialize?: boolean } = {}): TestNetwork {
  const hub = new Switch();
  const clients: Client[] = [];
  return {
    hub,
    connect(address, clientOptions) {
      const [switchSide, clientSide] = createQueueLinkPair({ serialize: options.serialize ?? true });
      hub.addLink(switchSide);
      const client = new Client(clientSide, clientOptions).start();
      if (address !== undefined) client.setAddress(address);
      clients.push(client);
      return client;
    },
    close() {
      for (const c of clients) c.close();
      hub.close();
    },
  };
}
