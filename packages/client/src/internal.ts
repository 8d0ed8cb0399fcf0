/**
 * What the other `@streamtasks/*` packages need from the client beyond its
 * public API: the fetch wire protocol — payloads, parsers and the serving
 * half that `@streamtasks/fetch` builds its routes on — and the descriptor
 * registry shared by the fetch and signal servers. Imported as `@streamtasks/client/internal` by
 * sibling packages only; it carries no semver promise and may change in any
 * release.
 *
 * @packageDocumentation
 */
export {
  fetchErrorPayload,
  fetchRequestPayload,
  fetchResponsePayload,
  parseFetchRequest,
  parseFetchResponse,
  readFetchRequest,
  type FetchRequest,
  type FetchRequestFactory,
  type FetchRequestPayload,
  type FetchResponsePayload,
} from './fetch/protocol.js';
export { listenFetchRequests, sendFetchAnswer, type MalformedFetchRequest } from './fetch/responder.js';
export { DescriptorRoutes, type BodyCheck, type DescriptorRoute } from './routes.js';
export { routeClock, trackRouteServer } from './route-stats.js';
export { discoveryAnnounced } from './discovery-presence.js';
