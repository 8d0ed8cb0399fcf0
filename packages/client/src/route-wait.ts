// A fetch or signal to an address the client's link does not reach fails at
// once, as NATS's "no responders" does, instead of waiting out a timeout for
// an answer that cannot come. "At once" allows a short grace period: a route
// announced right now (a service just started, a link just connected) is
// awaited on the link's address announcements, never by sleeping.
import { MessageType, TimeoutError, type Id, type WaitOptions } from '@streamtasks/link';
import { boundedWait } from '@streamtasks/link/internal';
import { DISCOVERY_ADDRESS } from './constants.js';
import type { ClientCore } from './core.js';
import { discoveryAnnounced } from './discovery-presence.js';
import { NoDiscoveryError, NoRouteError } from './errors.js';

/** Whether a message to `address` has somewhere to go: the link reaches it, or it is the client's own. */
export function reaches(client: ClientCore, address: Id): boolean {
  return client.link.addresses.has(address) || client.address === address;
}

/**
 * Resolves once `client`'s link reaches `address` — at once when it does
 * already. Otherwise waits up to `grace` ms for the address to be announced
 * and then rejects with {@link NoRouteError} — with {@link NoDiscoveryError}
 * when the address is discovery's (0) and the link has not heard of
 * discovery's lighthouse either. `options` bound the wait as
 * well (their timeout and abort win when they come first; `what` names the
 * wait in their errors); a stopped client or closed link ends it with its
 * error.
 */
export async function waitForRoute(
  client: ClientCore,
  address: Id,
  grace: number,
  options: WaitOptions,
  what: () => string,
): Promise<void> {
  if (reaches(client, address)) return;
  // A stopped client consumes no announcements: nothing can change.
  if (!client.isRunning) throw new NoRouteError(address);
  const timeout = options.timeout ?? Infinity;
  const graceFirst = grace < timeout;
  try {
    await boundedWait<void>(what, { timeout: graceFirst ? grace : timeout, signal: options.signal }, (resolve, reject) => {
      const offRoutes = client.addReceiver((message) => {
        if (message.type === MessageType.AddressesChangedRecv && reaches(client, address)) resolve();
      });
      const offStop = client.onStop(reject);
      return () => {
        offRoutes();
        offStop();
      };
    });
  } catch (err) {
    if (graceFirst && err instanceof TimeoutError) throw noRouteError(client, address, grace, err);
    throw err;
  }
}

/** What a route wait that ran out of grace fails with: a missing discovery is said as such. */
function noRouteError(client: ClientCore, address: Id, grace: number, cause: Error): NoRouteError | NoDiscoveryError {
  const error = new NoRouteError(address, { cause });
  return address === DISCOVERY_ADDRESS && !discoveryAnnounced(client) ? new NoDiscoveryError(grace, { cause: error }) : error;
}
