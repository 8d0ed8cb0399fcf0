/** Well-known numbers of the streamtasks network (identical in the Python implementation). */

/** Address of the discovery service. */
export const DISCOVERY_ADDRESS = 0;

/** Ports of the services every participant may run (Python: `NetworkPorts`). */
export const Ports = {
  /**
   * Port 0, named for address requests to discovery in the reference
   * package. Its discovery service (and ours) takes address requests as the
   * signal `request_addresses` on {@link Ports.SIGNAL} (or the fetch of that
   * name), so nothing listens here; the name exists for ported code.
   */
  DISCOVERY_REQUEST_ADDRESS: 0,
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

/**
 * Well-known address names (Python: `NetworkAddressNames`): the names under
 * which the reference package's system services register, so that a client
 * can reach them by name. `SECRET_MANAGER` is the same name as
 * `NAMED_TOPIC_MANAGER` in the reference (0.1.x); it is kept so, since the
 * name is what travels.
 */
export const AddressNames = {
  TASK_MANAGER: 'task_manager',
  TASK_MANAGER_WEB: 'task_manager_web',
  NAMED_TOPIC_MANAGER: 'named_topic_manager',
  SECRET_MANAGER: 'named_topic_manager',
} as const;

/** Well-known topics (Python: `NetworkTopics`). */
export const Topics = {
  /** Discovery's lighthouse: data here means discovery is up. */
  DISCOVERY_SIGNAL: 0,
  /** Answers to address requests made by signal. */
  ADDRESSES_CREATED: 1,
} as const;

/** Default time a fetch waits for its answer. */
export const DEFAULT_FETCH_TIMEOUT = 10_000;

/**
 * Default grace period of a fetch or signal to an address the link does not
 * reach: how long the client waits for the address to be announced before it
 * fails with `NoRouteError`. Long enough for an announcement already on its
 * way (a hop over TCP or NATS takes milliseconds), short beside the fetch
 * timeout.
 */
export const DEFAULT_ROUTE_GRACE = 500;

/** Default number of fetches a client may have waiting at once. */
export const DEFAULT_MAX_PENDING_FETCHES = 10_000;
