/**
 * The streamtasks client: one participant of the network on one link. It
 * registers in- and out-topics (reference counted), publishes, sends
 * addressed messages, keeps its address and a cache of address names, and
 * makes fetch requests (request/response with timeouts and typed errors).
 *
 * Topics as objects (`InTopic`, `OutTopic`) live in `@streamtasks/topic`;
 * the fetch server in `@streamtasks/fetch`; discovery in `@streamtasks/discovery`.
 *
 * @example
 * ```ts
 * import { Switch, createQueueLinkPair } from '@streamtasks/link';
 * import { Client } from '@streamtasks/client';
 *
 * const hub = new Switch();
 * const [a, b] = createQueueLinkPair();
 * hub.addLink(a);
 * const client = new Client(b).start();
 * client.registerOutTopics([100_000]);
 * client.sendToTopic(100_000, { timestamp: Date.now(), value: 1 });
 * ```
 *
 * @packageDocumentation
 */
export { Client, type AnswerCheck, type CheckedFetchOptions, type ClientOptions, type FetchOptions } from './client.js';
export { ClientCore } from './core.js';
export { type ClientEvents } from './client-events.js';
export { type PortHandler, type TopicListener } from './fan-out.js';
export { type NameResolver } from './names.js';
export { AddressNames, DEFAULT_FETCH_TIMEOUT, DEFAULT_MAX_PENDING_FETCHES, DEFAULT_ROUTE_GRACE, DISCOVERY_ADDRESS, Ports, Topics } from './constants.js';
export {
  formatEndpoint,
  parseEndpoint,
  validateAddressName,
  type AddressOrName,
  type Endpoint,
  type ParsedEndpoint,
} from './endpoint.js';
export {
  AddressNameNotFoundError,
  ClientStoppedError,
  FetchError,
  InvalidEndpointError,
  InvalidResponseError,
  LimitExceededError,
  NoAddressError,
  NoDiscoveryError,
  NoNameResolverError,
  NoRouteError,
  PortInUseError,
  type FetchErrorCode,
} from './errors.js';
export { createLocalClient, type LocalClientOptions } from './local-client.js';
export { Service, type ServiceEvents } from './service.js';
export { registerInTopicsScoped, registerOutTopicsScoped } from './scoped.js';
export { RouteStats, runningRouteServers, type RouteServer } from './route-stats.js';
