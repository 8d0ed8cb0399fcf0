/**
 * Helpers shared by the test suites of the streamtasks packages: an
 * in-process network of clients, event-driven waits, a seeded PRNG and the
 * golden vectors. Not published.
 *
 * @packageDocumentation
 */
export { createNetwork, type TestNetwork } from './network.js';
export { deferred, eventually, nextEvent, prng, settle, type Deferred } from './async.js';
export { VECTORS_DIR, hex, loadBodies, vectorOf, type BodiesVectors } from './vectors.js';
export {
  NATS_SERVER_BINARY,
  startNatsCluster,
  startNatsServer,
  waitForRoutes,
  type NatsServer,
  type NatsServerOptions,
} from './nats-server.js';
