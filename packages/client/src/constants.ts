/** Well-known numbers of the streamtasks network (identical in the Python implementation). */

/** Address of the discovery service. */
export const DISCOVERY_ADDRESS = 0;

/** Ports of the services every participant may run. */
export const Ports = {
  /** Fetch (request/response) server. */
  FETCH: 100,
  /** ASGI bridge (HTTP over the network; not part of this library). */
  ASGI: 101,
  /** Broadcasting server: namespaces → topics. */
  BROADCAST: 102,
  /** Signal (fire-and-forget) server. */
  SIGNAL: 103,
  /** First port handed out as a dynamic (return) port. */
  DYNAMIC_START: 10000,
} as const;

/** Well-known topics. */
export const Topics = {
  /** Discovery's lighthouse: data here means discovery is up. */
  DISCOVERY_SIGNAL: 0,
  /** Answers to address requests made by signal. */
  ADDRESSES_CREATED: 1,
} as const;

/** Default time a fetch waits for its answer. */
export const DEFAULT_FETCH_TIMEOUT = 10_000;

/** Default number of fetches a client may have waiting at once. */
export const DEFAULT_MAX_PENDING_FETCHES = 10_000;
