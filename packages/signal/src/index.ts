/**
 * Signals: fire-and-forget messages `{descriptor, body}` sent to a port
 * (default 103) of an address. A {@link SignalServer} calls the route of
 * each descriptor; {@link sendSignal} sends one. Nothing is ever answered.
 *
 * @example
 * ```ts
 * import { Switch, createQueueLinkPair } from '@streamtasks/link';
 * import { Client } from '@streamtasks/client';
 * import { SignalServer, sendSignal } from '@streamtasks/signal';
 *
 * const hub = new Switch();
 * const [s1, l1] = createQueueLinkPair();
 * const [s2, l2] = createQueueLinkPair();
 * hub.addLink(s1);
 * hub.addLink(s2);
 * const receiver = new Client(l1).start();
 * receiver.setAddress(10_000);
 * const sender = new Client(l2).start();
 *
 * const server = new SignalServer(receiver)
 *   .route('ping', (body) => console.log('ping', body))
 *   .start();
 * await sendSignal(sender, 10_000, 'ping', { x: 1 });
 * ```
 *
 * @packageDocumentation
 */
export { MalformedSignalError } from './errors.js';
export { sendSignal } from './send.js';
export {
  SignalServer,
  type SignalHandler,
  type SignalRouteOptions,
  type SignalServerEvents,
  type SignalServerOptions,
} from './server.js';
