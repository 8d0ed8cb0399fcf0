/**
 * The discovery protocol's constants and helpers that the other
 * `@streamtasks/*` packages (and this package's tests) need beyond the
 * public API. Imported as `@streamtasks/discovery/internal` by sibling
 * packages only; it carries no semver promise and may change in any release.
 *
 * @packageDocumentation
 */
export {
  ADDRESS_COUNTER_START,
  ADDRESS_NAME_REGISTERED,
  DiscoveryDescriptors,
  DiscoverySignals,
  TOPIC_COUNTER_START,
  TOPIC_SPACE_COUNTER_START,
} from './protocol.js';
export { randomRequestId } from './addresses.js';
export { LIGHTHOUSE_PAYLOAD } from './service.js';
