/**
 * Discovery: the service at address 0 that hands out addresses and topic
 * ids, keeps address names and topic spaces and lights the lighthouse — and
 * the client functions that use it. Wire compatible with the Python
 * `DiscoveryWorker` and `streamtasks.client.discovery`.
 *
 * Every wait takes `{ timeout, signal }` (default 10 s) and fails with a
 * `TimeoutError` / `AbortError` that names what it waited for.
 *
 * @example
 * ```ts
 * import { Switch, createQueueLinkPair } from '@streamtasks/link';
 * import { Client } from '@streamtasks/client';
 * import { DiscoveryService, discoveryNames, requestAddress, registerAddressName, waitForAddressName } from '@streamtasks/discovery';
 *
 * const hub = new Switch();
 * const [d1, d2] = createQueueLinkPair();
 * hub.addLink(d1);
 * const discovery = new DiscoveryService(d2).start();
 *
 * const [a1, a2] = createQueueLinkPair();
 * hub.addLink(a1);
 * const client = new Client(a2, { nameResolver: discoveryNames }).start();
 * await requestAddress(client, { timeout: 2000 }); // 10000, now the client's address
 * await registerAddressName(client, 'echo');
 * await waitForAddressName(client, 'echo'); // 10000
 * discovery.close();
 * ```
 *
 * @packageDocumentation
 */
export { MAX_IDS_PER_REQUEST } from './protocol.js';
export {
  requestAddress,
  requestAddresses,
  requestTopicIds,
  type RequestAddressOptions,
  type RequestTopicIdsOptions,
} from './addresses.js';
export {
  AddressNameTracker,
  registerAddressName,
  registerAddressNameScoped,
  trackAddressNames,
  unregisterAddressName,
  waitForAddressName,
  type AddressNameRegistration,
  type AddressNameTrackerEvents,
  type RegisterAddressNameOptions,
} from './names.js';
export {
  deleteTopicSpace,
  getTopicSpace,
  getTopicSpaceTranslation,
  registerTopicSpace,
  type TopicSpaceRegistration,
} from './topic-spaces.js';
export { discoveryNames, resolveAddressName } from './resolver.js';
export { waitForDiscovery } from './lighthouse.js';
export { waitForTopicSignal } from './topic-signal.js';
export { DEFAULT_WAIT_TIMEOUT } from './wait.js';
export { NotSupportedError, listAddressNames } from './list-names.js';
export { DiscoveryService, type DiscoveryServiceEvents, type DiscoveryServiceOptions, type DiscoveryStats } from './service.js';
