/**
 * One streamtasks network over a NATS cluster: {@link connectNats} returns a
 * `Link` that joins this node to every other node of the same network on
 * the cluster. NATS carries the traffic and does the fan-out; the switch
 * keeps its semantics.
 *
 * @example
 * ```ts
 * import { Switch } from '@streamtasks/link';
 * import { connectNats } from '@streamtasks/nats';
 *
 * const node = new Switch();
 * const link = await connectNats('nats://127.0.0.1:4222?network=factory');
 * node.addLink(link);
 * ```
 *
 * @packageDocumentation
 */
export { connectNats, DEFAULT_CONNECT_TIMEOUT, type ConnectNatsOptions, type NatsTlsOptions } from './connect.js';
export { NatsLink, type NatsLinkOptions, type NatsLinkStats, type NetworkEvents } from './nats-link.js';
export { isNatsUrl, parseNatsUrl, DEFAULT_NATS_PORT, type NatsUrl } from './url.js';
export { Subjects } from './subjects.js';
export {
  DEFAULT_DEAD_AFTER,
  DEFAULT_HEARTBEAT_INTERVAL,
  DEFAULT_MAX_MESSAGE_SIZE,
  DEFAULT_NATS_COST,
  DEFAULT_NETWORK,
} from './constants.js';
export { InvalidNatsUrlError, NatsConnectError, PieceLostError, RoguePublishError } from './errors.js';
