/**
 * The command line's JSON conversion (streamtasks values to and from JSON
 * text), for the other `@streamtasks/*` packages. Imported as
 * `@streamtasks/cli/internal` by sibling packages only; it carries no semver
 * promise and may change in any release.
 *
 * @packageDocumentation
 */
export { parseJson, toJson } from './json.js';
