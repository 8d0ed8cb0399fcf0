/**
 * The broadcast protocol's descriptor, for the other `@streamtasks/*`
 * packages. Imported as `@streamtasks/broadcast/internal` by sibling
 * packages only; it carries no semver promise and may change in any release.
 *
 * @packageDocumentation
 */
export { GET_TOPICS } from './protocol.js';
