/**
 * The signal wire payload and its parser, for the other `@streamtasks/*`
 * packages. Imported as `@streamtasks/signal/internal` by sibling packages
 * only; it carries no semver promise and may change in any release.
 *
 * @packageDocumentation
 */
export { parseSignal, signalPayload, type SignalPayload } from './protocol.js';
