/**
 * The fetch server of the streamtasks network's request/response protocol:
 * routes by descriptor, body checks and typed handler errors, built on the
 * serving half of the wire protocol that `@streamtasks/client` keeps beside
 * its requester (`Client.fetch`), so both halves share one set of payloads
 * and parsers. A {@link FetchServer} listens on a client port
 * (default 100) and answers requests by descriptor; handlers return the
 * answer body or throw a {@link FetchRequestError} (`bad_request`,
 * `not_found`, `general`) or a {@link CustomFetchError}. Bodies can be
 * checked with the small {@link check} helpers.
 *
 * @example
 * ```ts
 * import { Switch, createQueueLinkPair } from '@streamtasks/link';
 * import { Client } from '@streamtasks/client';
 * import { FetchServer, FetchRequestError, check } from '@streamtasks/fetch';
 *
 * const hub = new Switch();
 * const [s1, l1] = createQueueLinkPair();
 * const [s2, l2] = createQueueLinkPair();
 * hub.addLink(s1);
 * hub.addLink(s2);
 * const server = new Client(l1).start();
 * server.setAddress(10_000);
 * const requester = new Client(l2).start();
 * requester.setAddress(10_001);
 *
 * const fetchServer = new FetchServer(server)
 *   .route('add', { validate: check.object({ a: check.integer(), b: check.integer() }) }, ({ body }) => ({
 *     sum: body.a + body.b,
 *   }))
 *   .route('fail', () => {
 *     throw FetchRequestError.notFound('nothing here');
 *   })
 *   .start();
 *
 * const answer = await requester.fetch(10_000, 'add', { a: 1, b: 2 }, { timeout: 1000 }); // { sum: 3 }
 * fetchServer.stop();
 * ```
 *
 * @packageDocumentation
 */
export { check, type Check, type Infer, type ObjectOf, type Shape } from './check.js';
export { CustomFetchError, FetchRequestError, InvalidResponseError, MalformedRequestError, ValidationError } from './errors.js';
export { fetchAs } from './fetch-as.js';
export {
  FetchServer,
  type FetchHandler,
  type FetchServerEvents,
  type FetchServerOptions,
  type FetchServerRequest,
  type RouteOptions,
} from './server.js';
