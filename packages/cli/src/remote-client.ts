import { type WaitOptions } from '@streamtasks/link';
import { Client } from '@streamtasks/client';
import { discoveryNames, requestAddress } from '@streamtasks/discovery';
import { openClient as openNodeClient } from '@streamtasks/connect';
import { connectNats, isNatsUrl } from '@streamtasks/nats';
import { DEFAULT_NODE_URL } from '@streamtasks/transports';

/** The URL commands connect to when none is given: this machine's node, on its local unix socket. */
export const DEFAULT_URL = DEFAULT_NODE_URL;

/** The environment variable that overrides {@link DEFAULT_URL}. */
export const URL_ENV = 'STREAMTASKS_URL';

export interface OpenClientOptions extends WaitOptions {
  /** Ask discovery for an address (needed for fetch, names and signals by name). */
  address?: boolean;
}

/**
 * Connects to a node (TypeScript or Python), or joins a network over NATS
 * (`nats://`, `tls://`), and starts a client on the connection, which resolves names through discovery. With `address`, a fresh address is requested from discovery.
 * `timeout` bounds all of it together. Without a URL it connects to this
 * machine's node (`node://`). Programs that only talk to nodes (not NATS)
 * use `openClient` of `@streamtasks/connect`, which this calls for them and
 * which can also reconnect.
 */
export async function openClient(url: string = DEFAULT_URL, options: OpenClientOptions = {}): Promise<Client> {
  if (!isNatsUrl(url)) return openNodeClient(url, { address: options.address, timeout: options.timeout, signal: options.signal });
  // One bound for the connection, the handshake and the address request together.
  const end = options.timeout === undefined ? undefined : Date.now() + options.timeout;
  const remaining = () => (end === undefined ? undefined : Math.max(0, end - Date.now()));
  const link = await connectNats({ url, timeout: remaining(), signal: options.signal });
  const client = new Client(link, { nameResolver: discoveryNames }).start();
  try {
    // The link is ready: the network answered, so its routes are known. The request waits for
    // discovery's routes during the route grace only, and fails with NoDiscoveryError without them.
    if (options.address) await requestAddress(client, { timeout: remaining(), signal: options.signal });
  } catch (err) {
    client.close();
    throw err;
  }
  return client;
}

/** The URL from `--url`, the environment, or the default. */
export function resolveUrl(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  return flag ?? env[URL_ENV] ?? DEFAULT_URL;
}
