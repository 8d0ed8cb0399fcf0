/**
 * The command line's JSON conversion (streamtasks values to and from JSON
 * text) and its usage error, for the other `@streamtasks/*` packages. Imported as
 * `@streamtasks/cli/internal` by sibling packages only; it carries no semver
 * promise and may change in any release.
 *
 * @packageDocumentation
 */
export { parseJson, toJson } from './json.js';
export { UsageError } from './usage-error.js';
