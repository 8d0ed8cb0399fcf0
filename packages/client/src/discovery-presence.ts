// Whether a discovery service is on the network, as the client's link sees
// it. Discovery takes address 0 and provides its lighthouse topic 0 at once
// (SPEC §8); every switch announces both to every link, so a link that has
// heard of neither after its route grace period is on a network without
// discovery: a discovery call fails with NoDiscoveryError instead of waiting
// out its timeout for an answer no one can give.
import { DISCOVERY_ADDRESS, Topics } from './constants.js';
import type { ClientCore } from './core.js';

/** Whether the client's link has heard of discovery: a route to address 0, or a provider of the lighthouse topic 0. */
export function discoveryAnnounced(client: ClientCore): boolean {
  return client.link.addresses.has(DISCOVERY_ADDRESS) || client.topicCost(Topics.DISCOVERY_SIGNAL) !== undefined;
}
