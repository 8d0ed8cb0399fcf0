import { Emitter, type AddressedMessage } from '@streamtasks/link';
import { Ports, type Client, type RouteServer, type RouteStats } from '@streamtasks/client';
import { DescriptorRoutes, trackRouteServer } from '@streamtasks/client/internal';
import { MalformedSignalError } from './errors.js';
import { parseSignal } from './protocol.js';

/** Handles the signals of one descriptor. Its result is ignored; a rejection is reported. */
export type SignalHandler<B = unknown> = (body: B, descriptor: string) => void | Promise<void>;

/** Options of {@link SignalServer.route} (given before the handler, so the body type flows into it). */
export interface SignalRouteOptions<B> {
  /** Checks the body before the handler runs; a failure is reported as `handler-error`. */
  validate?: (value: unknown, path?: string) => B;
}

export interface SignalServerOptions {
  /** Port to serve on. Default 103 (`Ports.SIGNAL`). */
  port?: number;
  /** A name for monitoring (e.g. `discovery`). */
  name?: string;
}

/** Events of a {@link SignalServer}. */
export interface SignalServerEvents {
  /** A payload that is not a signal was skipped. */
  error: [error: Error];
  /** A handler (or its `validate`) threw or rejected. */
  'handler-error': [error: unknown, descriptor: string];
  /** A signal for a descriptor without a route was ignored. */
  'unknown-descriptor': [descriptor: string, body: unknown];
}


/**
 * Receives signals (fire-and-forget messages `{descriptor, body}`) on a
 * client port (default 103) and calls the route of each descriptor. Nothing
 * is answered. A throwing route, a malformed payload or an unknown
 * descriptor is reported as an event; the server keeps serving.
 *
 * @example
 * ```ts
 * const signals = new SignalServer(client)
 *   .route('shutdown', (body) => console.log('shutting down', body))
 *   .start();
 * ```
 */
export class SignalServer implements RouteServer {
  readonly kind = 'signal';
  readonly client: Client;
  readonly port: number;
  readonly name: string | undefined;
  /** Signals for descriptors without a route (ignored). */
  unknownDescriptors = 0;
  readonly events = new Emitter<SignalServerEvents>();
  private readonly routes = new DescriptorRoutes<SignalHandler<unknown>>();
  private stopListening: (() => void) | undefined;

  constructor(client: Client, options: SignalServerOptions = {}) {
    this.client = client;
    this.port = options.port ?? Ports.SIGNAL;
    this.name = options.name;
  }

  /** Signals handled, errors and processing time per route. */
  routeStats(): ReadonlyMap<string, RouteStats> {
    return this.routes.stats();
  }

  get isRunning(): boolean {
    return this.stopListening !== undefined;
  }

  /** Adds (or replaces) the route of a descriptor. Returns the server, for chaining. */
  route(descriptor: string, handler: SignalHandler<unknown>): this;
  route<B>(descriptor: string, options: SignalRouteOptions<B>, handler: SignalHandler<B>): this;
  route(
    descriptor: string,
    handlerOrOptions: SignalHandler<unknown> | SignalRouteOptions<unknown>,
    maybeHandler?: SignalHandler<unknown>,
  ): this {
    this.routes.set(descriptor, handlerOrOptions as SignalHandler<unknown> | SignalRouteOptions<unknown>, maybeHandler);
    return this;
  }

  removeRoute(descriptor: string): boolean {
    return this.routes.delete(descriptor);
  }

  /** Starts receiving on the port. Throws if the port already has a handler on this client. */
  start(): this {
    if (this.stopListening) return this;
    this.stopListening = this.client.listenPort(this.port, (message) => this.onMessage(message));
    trackRouteServer(this, true);
    return this;
  }

  /** Stops receiving and releases the port. Safe to call twice. */
  stop(): void {
    if (!this.stopListening) return;
    this.stopListening();
    this.stopListening = undefined;
    trackRouteServer(this, false);
  }

  [Symbol.dispose](): void {
    this.stop();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    this.stop();
  }

  private onMessage(message: AddressedMessage): void {
    let value: unknown;
    try {
      value = message.data.value;
    } catch (cause) {
      this.events.emit('error', new MalformedSignalError(`skipped an undecodable payload on signal port ${this.port}: ${errorMessage(cause)}`, { cause }));
      return;
    }
    const signal = parseSignal(value);
    if (!signal) {
      this.events.emit('error', new MalformedSignalError(`skipped a payload on signal port ${this.port} that is not a signal`));
      return;
    }
    const route = this.routes.get(signal.descriptor);
    if (!route) {
      this.unknownDescriptors++;
      this.events.emit('unknown-descriptor', signal.descriptor, signal.body);
      return;
    }
    const startedAt = performance.now();
    try {
      const body = route.validate ? route.validate(signal.body, 'body') : signal.body;
      const result = route.handler(body, signal.descriptor);
      if (isPromiseLike(result)) {
        result.then(
          () => route.stats.record(startedAt),
          (err: unknown) => {
            route.stats.record(startedAt, err);
            this.events.emit('handler-error', err, signal.descriptor);
          },
        );
      } else {
        route.stats.record(startedAt);
      }
    } catch (err) {
      route.stats.record(startedAt, err);
      this.events.emit('handler-error', err, signal.descriptor);
    }
  }
}

function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function';
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
