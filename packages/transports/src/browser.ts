/**
 * The part of `@streamtasks/transports` that runs in browsers: WebSocket
 * connections through the platform's `WebSocket`, plus URL parsing,
 * framing and the handshake. No Node modules are imported from here.
 *
 * @example
 * ```ts
 * import { connectWebSocket } from '@streamtasks/transports/browser';
 *
 * const link = await connectWebSocket('wss://hub.example/streamtasks?auth=secret');
 * ```
 *
 * @packageDocumentation
 */
export * from './common.js';
