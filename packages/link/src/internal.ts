/**
 * What the other `@streamtasks/*` packages need from link beyond its public
 * API: the MessagePack reader and writer, byte helpers, message validation,
 * the bounded wait, the shared deadlines and the queued async iterator. Imported as `@streamtasks/link/internal` by sibling
 * packages only; it carries no semver promise and may change in any release.
 *
 * @packageDocumentation
 */
export { addCost, isCost, isId } from './ids.js';
export { MAX_POOLED, allocBytes, copyBytes, joinBytes, totalLength } from './bytes.js';
export { validateMessage } from './codec/validate.js';
export { decodeOwnedMessage } from './codec/decode.js';
export { decodeOwnedParts, largeFrameParts } from './codec/decode-parts.js';
export { decodeValue, MsgpackReader } from './msgpack/decoder.js';
export { encodeValue, MsgpackWriter } from './msgpack/encoder.js';
export { boundedWait, Wait } from './wait.js';
export { addDeadline, cancelDeadline, type Deadline, type DeadlineTarget } from './deadlines.js';
export { QueuedIterator, SKIP, type QueuedIteratorOptions } from './queued-iterator.js';
export { wireType } from './stats.js';
