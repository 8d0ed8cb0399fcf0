import { StreamtasksError, type Id } from '@streamtasks/link';

/** The error kinds a fetch server answers with (`[code, message]` bodies). */
export type FetchErrorCode = 'bad_request' | 'not_found' | 'general';

const FETCH_CODES: ReadonlySet<string> = new Set(['bad_request', 'not_found', 'general']);

/**
 * A fetch answered with an error. `code` is `ERR_FETCH`; the server's error
 * kind is in `fetchCode`: `bad_request`, `not_found` or `general` for the
 * built-in errors, and `custom` when the server sent an error body of its own
 * shape (kept in `body`).
 */
export class FetchError extends StreamtasksError {
  override readonly name = 'FetchError';
  declare readonly code: 'ERR_FETCH';
  /** The error kind the server answered with (the first element of a built-in `[code, message]` body). */
  readonly fetchCode: FetchErrorCode | 'custom';
  /** The error body exactly as the server sent it. */
  readonly body: unknown;

  constructor(body: unknown, options?: ErrorOptions) {
    const builtin = Array.isArray(body) && body.length === 2 && typeof body[0] === 'string' && FETCH_CODES.has(body[0]);
    const message = builtin ? String(body[1]) : `fetch failed with error body ${safeJson(body)}`;
    super(message, 'ERR_FETCH', options);
    this.fetchCode = builtin ? (body[0] as FetchErrorCode) : 'custom';
    this.body = body;
  }

  /** The `[code, message]` body of a built-in error. */
  static body(code: FetchErrorCode, message: string): [FetchErrorCode, string] {
    return [code, message];
  }
}

/** An operation needs the client to have an address and it has none. */
export class NoAddressError extends StreamtasksError {
  override readonly name = 'NoAddressError';
  constructor(message = 'the client has no address: set one or request one from discovery', options?: ErrorOptions) {
    super(message, 'ERR_NO_ADDRESS', options);
  }
}

/** The client is not started (or was stopped), so no answer could ever arrive. */
export class ClientStoppedError extends StreamtasksError {
  override readonly name = 'ClientStoppedError';
  constructor(message = 'the client is not running: call start() first', options?: ErrorOptions) {
    super(message, 'ERR_CLIENT_STOPPED', options);
  }
}

/** A configured limit was reached (e.g. too many pending fetches). */
export class LimitExceededError extends StreamtasksError {
  override readonly name = 'LimitExceededError';
  constructor(message: string, options?: ErrorOptions) {
    super(message, 'ERR_LIMIT', options);
  }
}

/** An endpoint or address name that does not follow the network's rules. */
export class InvalidEndpointError extends StreamtasksError {
  override readonly name = 'InvalidEndpointError';
  constructor(message: string, options?: ErrorOptions) {
    super(message, 'ERR_INVALID_ENDPOINT', options);
  }
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)) ?? String(value);
  } catch {
    return String(value);
  }
}

/**
 * An address name that no one has registered: resolving it found no
 * address. (Not a server's `not_found` answer: no fetch was refused.)
 */
export class AddressNameNotFoundError extends StreamtasksError {
  override readonly name = 'AddressNameNotFoundError';
  /** The name that was looked up. */
  readonly addressName: string;
  constructor(addressName: string, options?: ErrorOptions) {
    super(`address name ${JSON.stringify(addressName)} is not registered`, 'ERR_ADDRESS_NAME_NOT_FOUND', options);
    this.addressName = addressName;
  }
}

/** A server answered a fetch with a body that does not have the expected shape (the fetch's `validate` threw). */
export class InvalidResponseError extends StreamtasksError {
  override readonly name = 'InvalidResponseError';
  constructor(message: string, options?: ErrorOptions) {
    super(message, 'ERR_INVALID_RESPONSE', options);
  }
}

/** A port already has a handler on this client. */
export class PortInUseError extends StreamtasksError {
  override readonly name = 'PortInUseError';
  readonly port: number;
  constructor(port: number, options?: ErrorOptions) {
    super(`port ${port} already has a handler`, 'ERR_PORT_IN_USE', options);
    this.port = port;
  }
}

/**
 * A name had to be resolved, it is not in the client's cache, and the client
 * has no name resolver. Install one: `new Client(link, { nameResolver:
 * discoveryNames })` (from `@streamtasks/discovery`), or cache the name with
 * `client.cacheAddressName(name, address)`.
 */
export class NoNameResolverError extends StreamtasksError {
  override readonly name = 'NoNameResolverError';
  /** The name that could not be resolved. */
  readonly addressName: string;
  constructor(addressName: string, options?: ErrorOptions) {
    super(
      `cannot resolve address name ${JSON.stringify(addressName)}: the client has no name resolver `
        + '(install discoveryNames from @streamtasks/discovery, or cache the name)',
      'ERR_NO_NAME_RESOLVER',
      options,
    );
    this.addressName = addressName;
  }
}

/**
 * A fetch or signal went to an address that the client's link does not
 * reach, and no route to it was announced within the client's grace period
 * (`ClientOptions.routeGrace`, default 500 ms). Nothing was sent.
 */
export class NoRouteError extends StreamtasksError {
  override readonly name = 'NoRouteError';
  declare readonly code: 'ERR_NO_ROUTE';
  /** The address that no link reaches. */
  readonly address: Id;
  constructor(address: Id, options?: ErrorOptions) {
    super(`no route to address ${String(address)}: nothing on the network announces it`, 'ERR_NO_ROUTE', options);
    this.address = address;
  }
}

/**
 * A discovery call (name resolution, an address or topic-id request, a name
 * registration, a topic space, a broadcast subscription — anything sent to
 * address 0) found no discovery service: within the client's route grace
 * period (`ClientOptions.routeGrace`, default 500 ms) nothing on the network
 * announced discovery's address 0 or its lighthouse topic 0. A node runs
 * discovery when started with `--core` (or a `DiscoveryService` on the
 * network). Nothing was sent.
 */
export class NoDiscoveryError extends StreamtasksError {
  override readonly name = 'NoDiscoveryError';
  declare readonly code: 'ERR_NO_DISCOVERY';
  /** Milliseconds the client waited for discovery to be announced. */
  readonly waited: number;
  constructor(waited: number, options?: ErrorOptions) {
    super(
      `no discovery service on the network: nothing announced address 0 or the lighthouse topic 0 within ${waited} ms `
        + '(run a node with --core, or a DiscoveryService)',
      'ERR_NO_DISCOVERY',
      options,
    );
    this.waited = waited;
  }
}
