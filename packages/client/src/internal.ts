/**
 * What the other `@streamtasks/*` packages need from the client beyond its
 * public API: the fetch wire payloads and their parsers (the serving half of
 * fetch lives in `@streamtasks/fetch`) and the descriptor registry shared by
 * the fetch and signal servers. Imported as `@streamtasks/client/internal` by
 * sibling packages only; it carries no semver promise and may change in any
 * release.
 *
 * @packageDocumentation
 */
export {
  fetchRequestPayload,
  fetchResponsePayload,
  parseFetchRequest,
  parseFetchResponse,
  type FetchRequest,
  type FetchRequestPayload,
  type FetchResponsePayload,
} from './fetch-protocol.js';
export { DescriptorRoutes, type BodyCheck, type DescriptorRoute } from './routes.js';
export { trackRouteServer } from './route-stats.js';
