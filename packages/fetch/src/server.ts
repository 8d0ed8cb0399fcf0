import { Emitter, type Id } from '@streamtasks/link';
import { Ports, type Client, type RouteServer, type RouteStats } from '@streamtasks/client';
import {
  DescriptorRoutes,
  fetchErrorPayload,
  fetchResponsePayload,
  listenFetchRequests,
  routeClock,
  sendFetchAnswer,
  trackRouteServer,
  type FetchResponsePayload,
} from '@streamtasks/client/internal';
import type { Check } from './check.js';
import { CustomFetchError, FetchRequestError, MalformedRequestError, ValidationError } from './errors.js';
import { ServedRequest, type SendAnswer } from './served-request.js';

/** What a route handler receives. */
export interface FetchServerRequest<B = unknown> {
  /** The request body (checked by the route's `validate`, if any). */
  readonly body: B;
  readonly descriptor: string;
  /** Where the answer goes. */
  readonly returnAddress: Id;
  readonly returnPort: number;
  /** Aborted when the server stops: the answer would be dropped anyway. */
  readonly signal: AbortSignal;
  /**
   * Answers now with `body`, before the handler returns (Python:
   * `FetchRequest.respond`): the handler may go on working, and what it
   * returns or throws afterwards is not sent (a throw is reported as
   * `handler-error`). Throws if the request was answered already.
   */
  respond(body: unknown): void;
  /**
   * Answers now with an error body (Python: `respond_error`): `[code,
   * message]` for a built-in error, anything else for a custom one.
   */
  respondError(body: unknown): void;
  /** Whether the request has been answered (by `respond` / `respondError`). */
  readonly responded: boolean;
}

/**
 * Handles one descriptor. The returned value is the answer body; returning
 * nothing answers nil (unless the handler answered early with
 * `request.respond`). Throw {@link FetchRequestError} for a
 * `[code, message]` error, {@link CustomFetchError} for an error body of
 * your own; a {@link ValidationError} (from `check`) answers
 * `["bad_request", message]`, anything else thrown `["general", message]`.
 */
export type FetchHandler<B = unknown, R = unknown> = (request: FetchServerRequest<B>) => R | void | Promise<R | void>;

/** Options of {@link FetchServer.route} (given before the handler, so the body type flows into it). */
export interface RouteOptions<B> {
  /**
   * Checks the body before the handler runs and returns it typed (see
   * `check`). Whatever it throws is answered as `["bad_request", message]`.
   */
  validate?: Check<B>;
}

export interface FetchServerOptions {
  /** Port to serve on. Default 100 (`Ports.FETCH`). */
  port?: number;
  /** A name for monitoring (e.g. `discovery`). */
  name?: string;
}

/** Events of a {@link FetchServer}. */
export interface FetchServerEvents {
  /** A problem the server survived: a malformed request (not answerable), an answer that could not be sent. */
  error: [error: Error];
  /** A handler threw something other than a fetch error; it was answered as `general`. */
  'handler-error': [error: unknown, descriptor: string];
}


/**
 * Serves fetch requests on a client's port (default 100) with routes by
 * descriptor. Handlers run concurrently; each answer is sent when its
 * handler settles. Unknown descriptors are answered `["not_found",
 * descriptor]`. Payloads that are not requests are reported as `error`
 * events and skipped — the server keeps serving.
 *
 * @example
 * ```ts
 * const server = new FetchServer(client)
 *   .route('echo', ({ body }) => body)
 *   .start();
 * // ...
 * server.stop();
 * ```
 */
export class FetchServer implements RouteServer {
  readonly kind = 'fetch';
  readonly client: Client;
  readonly port: number;
  readonly name: string | undefined;
  /** Requests for descriptors without a route (answered `not_found`). */
  unknownDescriptors = 0;
  readonly events = new Emitter<FetchServerEvents>();
  private readonly routes = new DescriptorRoutes<FetchHandler<unknown, unknown>>();
  private stopListening: (() => void) | undefined;
  private controller: AbortController | undefined;
  private inFlight = 0;
  private readonly sendBound: SendAnswer = (request, answer) => this.send(request, answer);

  constructor(client: Client, options: FetchServerOptions = {}) {
    this.client = client;
    this.port = options.port ?? Ports.FETCH;
    this.name = options.name;
  }

  /** Requests, errors and processing time per route (like `$SRV.STATS` of NATS services). */
  routeStats(): ReadonlyMap<string, RouteStats> {
    return this.routes.stats();
  }

  /** Whether the server is serving. */
  get isRunning(): boolean {
    return this.stopListening !== undefined;
  }

  /** Handlers that have not settled yet. */
  get pendingCount(): number {
    return this.inFlight;
  }

  /**
   * Adds (or replaces) the route of a descriptor. With `options.validate`
   * the body is checked first and reaches the handler typed. Returns the
   * server, for chaining.
   */
  route<R = unknown>(descriptor: string, handler: FetchHandler<unknown, R>): this;
  route<B, R = unknown>(descriptor: string, options: RouteOptions<B>, handler: FetchHandler<B, R>): this;
  route(
    descriptor: string,
    handlerOrOptions: FetchHandler<unknown, unknown> | RouteOptions<unknown>,
    maybeHandler?: FetchHandler<unknown, unknown>,
  ): this {
    this.routes.set(descriptor, handlerOrOptions as FetchHandler<unknown, unknown> | RouteOptions<unknown>, maybeHandler);
    return this;
  }

  /** Removes a route; later requests for it are answered `not_found`. */
  removeRoute(descriptor: string): boolean {
    return this.routes.delete(descriptor);
  }

  /** Starts serving on the port. Throws if the port already has a handler on this client. */
  start(): this {
    if (this.stopListening) return this;
    const controller = new AbortController();
    const { signal } = controller;
    const send = this.sendBound;
    this.stopListening = listenFetchRequests(
      this.client,
      this.port,
      // The request is read straight into the object its handler gets.
      (returnAddress, returnPort, descriptor, body) => new ServedRequest(returnAddress, returnPort, descriptor, body, signal, send),
      (request) => this.onRequest(request),
      ({ reason, cause }) => this.report(new MalformedRequestError(reason, cause === undefined ? undefined : { cause })),
    );
    this.controller = controller;
    trackRouteServer(this, true);
    return this;
  }

  /**
   * Stops serving: the port is released and handlers still running see their
   * `signal` aborted; their answers are dropped. Safe to call twice.
   */
  stop(): void {
    if (!this.stopListening) return;
    this.stopListening();
    this.stopListening = undefined;
    this.controller!.abort();
    this.controller = undefined;
    trackRouteServer(this, false);
  }

  [Symbol.dispose](): void {
    this.stop();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    this.stop();
  }

  private onRequest(served: ServedRequest): void {
    const route = this.routes.get(served.descriptor);
    if (!route) {
      this.unknownDescriptors++;
      served.finish(fetchErrorPayload('not_found', served.descriptor));
      return;
    }
    this.inFlight++;
    const startedAt = routeClock();
    let result: unknown;
    try {
      const body = route.validate ? validateBody(route.validate, served.body) : served.body;
      result = route.handler(served.withBody(body));
    } catch (err) {
      this.settle(served, route, startedAt, err, true);
      return;
    }
    // A handler that answers at once is answered at once: no promise, no await per request.
    if (isThenable(result)) {
      Promise.resolve(result).then(
        (value) => this.settle(served, route, startedAt, value, false),
        (err: unknown) => this.settle(served, route, startedAt, err, true),
      );
    } else {
      this.settle(served, route, startedAt, result, false);
    }
  }

  /** The handler settled (returned, resolved, threw or rejected): records it and sends the answer unless one went already. */
  private settle(served: ServedRequest, route: { readonly stats: RouteStats }, startedAt: number, outcome: unknown, failed: boolean): void {
    this.inFlight--;
    if (failed) route.stats.record(startedAt, outcome);
    else route.stats.record(startedAt);
    served.finish(failed ? this.errorAnswer(served, outcome) : fetchResponsePayload(outcome === undefined ? null : outcome, false));
  }

  /** The answer to a handler's failure. */
  private errorAnswer(served: ServedRequest, err: unknown): FetchResponsePayload {
    const descriptor = served.descriptor;
    // Answered already: what the handler threw afterwards has nowhere to go but the events.
    if (served.responded) {
      this.events.emit('handler-error', err, descriptor);
      return fetchResponsePayload(null, true);
    }
    if (err instanceof FetchRequestError) return fetchErrorPayload(err.fetchCode, err.message);
    if (err instanceof CustomFetchError) return fetchResponsePayload(err.body, true);
    // A validation error inside the handler is the caller's bad input, as pydantic's is in Python.
    if (err instanceof ValidationError) return fetchErrorPayload('bad_request', err.message);
    this.events.emit('handler-error', err, descriptor);
    return fetchErrorPayload('general', errorMessage(err));
  }

  private send(request: ServedRequest, answer: FetchResponsePayload): void {
    try {
      const { encodeError } = sendFetchAnswer(this.client, request, answer);
      if (encodeError !== undefined) this.events.emit('handler-error', encodeError, request.descriptor);
    } catch (cause) {
      this.report(new Error(`could not send the answer to ${String(request.returnAddress)}:${request.returnPort}: ${errorMessage(cause)}`, { cause }));
    }
  }

  private report(error: Error): void {
    this.events.emit('error', error);
  }
}

function validateBody(validate: Check<unknown>, body: unknown): unknown {
  try {
    return validate(body, 'body');
  } catch (err) {
    if (err instanceof FetchRequestError || err instanceof CustomFetchError) throw err;
    throw FetchRequestError.badRequest(errorMessage(err), { cause: err });
  }
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function';
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
