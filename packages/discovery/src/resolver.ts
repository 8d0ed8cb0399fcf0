import { type Id, type WaitOptions } from '@streamtasks/link';
import { DISCOVERY_ADDRESS, Ports, validateAddressName, type Client, type NameResolver } from '@streamtasks/client';
import { fetchAs } from '@streamtasks/fetch';
import { Bodies, DiscoveryDescriptors } from './protocol.js';

const DISCOVERY_FETCH = [DISCOVERY_ADDRESS, Ports.FETCH] as const;

/**
 * The name resolver that asks the discovery service (fetch
 * `resolve_address_name` at 0:100). Install it on a client so that names
 * work wherever an endpoint is taken (`client.fetch('echo', …)`,
 * `sendSignal(client, 'echo', …)`):
 *
 * @example
 * ```ts
 * const client = new Client(link, { nameResolver: discoveryNames }).start();
 * // or, later: client.nameResolver = discoveryNames;
 * ```
 */
export const discoveryNames: NameResolver = {
  async resolve(client: Client, name: string, options: WaitOptions): Promise<Id | undefined> {
    const answer = await fetchAs(client, DISCOVERY_FETCH, DiscoveryDescriptors.RESOLVE_ADDRESS_NAME, { address_name: name }, Bodies.resolvedAddress, options);
    return answer.address ?? undefined;
  },
};

/**
 * Resolves an address name through discovery, whatever resolver the client
 * has installed; the answer is cached in the client. Resolves to
 * `undefined` when no such name is registered.
 */
export async function resolveAddressName(client: Client, name: string, options: WaitOptions = {}): Promise<Id | undefined> {
  validateAddressName(name);
  const cached = client.cachedAddressName(name);
  if (cached !== undefined) return cached;
  const address = await discoveryNames.resolve(client, name, options);
  if (address !== undefined) client.cacheAddressName(name, address);
  return address;
}
