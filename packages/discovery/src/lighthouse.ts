import { type WaitOptions } from '@streamtasks/link';
import { boundedWait } from '@streamtasks/link/internal';
import { ClientStoppedError, Topics, type Client } from '@streamtasks/client';
import { DEFAULT_WAIT_TIMEOUT, failWithoutDiscovery } from './wait.js';

/**
 * Waits until discovery is up: until data arrives on topic 0, where the
 * discovery service publishes its lighthouse every second. Bounded by
 * `options` (default 10 s); fails with `TimeoutError` / `AbortError`, and
 * with `NoDiscoveryError` when, after the client's route grace period
 * (`client.routeGrace`, 500 ms by default), nothing provides topic 0 and
 * nothing announces address 0: the lighthouse is dark, no discovery runs.
 */
export function waitForDiscovery(client: Client, options?: WaitOptions): Promise<void> {
  if (!client.isRunning) return Promise.reject(new ClientStoppedError());
  return boundedWait<void>(`the discovery lighthouse (data on topic ${Topics.DISCOVERY_SIGNAL})`, options, (resolve, reject) => {
    const offListen = client.listenTopic(Topics.DISCOVERY_SIGNAL, { data: () => resolve() });
    const offStop = client.onStop(reject);
    client.registerInTopics([Topics.DISCOVERY_SIGNAL]);
    const offGrace = failWithoutDiscovery(client, reject);
    return () => {
      offGrace();
      offListen();
      offStop();
      if (!client.link.isClosed) client.unregisterInTopics([Topics.DISCOVERY_SIGNAL]);
    };
  }, DEFAULT_WAIT_TIMEOUT);
}
