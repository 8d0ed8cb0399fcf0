// The one place that turns a failure into a line on stderr and an exit code,
// so every command reports the same failure the same way.
import { FetchError } from '@streamtasks/client';
import { UsageError } from './usage-error.js';

/** Exit codes of every command (documented in the package README). */
export const ExitCode = {
  OK: 0,
  /** Bad usage, or a failure without a more specific code. */
  ERROR: 1,
  /** The remote side answered with an error (fetch error, a name that is not registered or is taken). */
  REMOTE_ERROR: 2,
  /** Nothing arrived in time (`--timeout`, or a command's own bound). */
  TIMEOUT: 3,
  /** The connection could not be made (refused, wrong auth, not a streamtasks server) or was lost. */
  CONNECTION: 4,
  /** Nothing on the network can answer: no discovery service (a node without `--core`), or no route to the address. */
  UNREACHABLE: 5,
} as const;

export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** The prefix of every error line a command writes. */
export const ERROR_PREFIX = 'error: ';

/** Error codes that mean the connection failed or went away. */
const CONNECTION_CODES = new Set(['ERR_CONNECTION_CLOSED', 'ERR_HANDSHAKE', 'ERR_HANDSHAKE_REJECTED', 'ERR_CLIENT_STOPPED', 'ERR_SLOW_CONSUMER']);

function codeOf(error: unknown): unknown {
  return typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
}

/** The exit code for a failure. An abort (SIGINT/SIGTERM) is a clean stop. */
export function exitCodeFor(error: unknown): ExitCode {
  if (error instanceof UsageError) return ExitCode.ERROR;
  if (error instanceof FetchError) return ExitCode.REMOTE_ERROR;
  const code = codeOf(error);
  if (code === 'ERR_ADDRESS_NAME_NOT_FOUND') return ExitCode.REMOTE_ERROR;
  // The remote side lacks what was asked for (e.g. a Python discovery and `names`).
  if (code === 'ERR_NOT_SUPPORTED') return ExitCode.REMOTE_ERROR;
  if (code === 'ERR_ABORTED') return ExitCode.OK;
  if (code === 'ERR_TIMEOUT') return ExitCode.TIMEOUT;
  if (code === 'ERR_NO_DISCOVERY' || code === 'ERR_NO_ROUTE') return ExitCode.UNREACHABLE;
  if (typeof code === 'string' && CONNECTION_CODES.has(code)) return ExitCode.CONNECTION;
  return ExitCode.ERROR;
}

/** The one line that reports a failure (without the prefix); undefined for a clean stop. */
export function describeFailure(error: unknown): string | undefined {
  if (exitCodeFor(error) === ExitCode.OK) return undefined;
  if (error instanceof FetchError) return `${error.fetchCode}: ${error.message}`;
  return error instanceof Error ? error.message : String(error);
}
