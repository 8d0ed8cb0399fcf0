import { toId, type Id } from '@streamtasks/link';
import { FetchError } from '@streamtasks/client';
import { ExitCode, UsageError, type CommandIO } from '../command.js';
import { parseJson } from '../json.js';

export const urlOption = { url: { type: 'string', short: 'u' } } as const;
export const URL_HELP = '  -u, --url URL       node to connect to (default: $STREAMTASKS_URL or tcp://127.0.0.1:9002)';

/** A topic id argument. */
export function topicArg(value: string | undefined): Id {
  if (value === undefined) throw new UsageError('missing TOPIC');
  if (!/^[0-9]+$/.test(value)) throw new UsageError(`TOPIC must be a non-negative integer, got ${JSON.stringify(value)}`);
  return toId(BigInt(value));
}

/** A JSON argument, or `fallback` when absent. */
export function jsonArg(value: string | undefined, fallback: unknown): unknown {
  if (value === undefined) return fallback;
  try {
    return parseJson(value);
  } catch (err) {
    throw new UsageError(`invalid JSON ${JSON.stringify(value)}: ${(err as Error).message}`);
  }
}

/** Reports a failure and picks the exit code for it. */
export function failure(io: CommandIO, err: unknown): number {
  const error = err instanceof Error ? err : new Error(String(err));
  if (error instanceof FetchError) {
    io.err(`error: ${error.code}: ${error.message}`);
    return ExitCode.REMOTE_ERROR;
  }
  const code = (error as { code?: unknown }).code;
  if (code === 'ERR_TIMEOUT') {
    io.err(`error: ${error.message}`);
    return ExitCode.TIMEOUT;
  }
  if (code === 'ERR_ABORTED') return ExitCode.OK;
  io.err(`error: ${error.message}`);
  return ExitCode.ERROR;
}

/** Resolves when `signal` aborts. */
export function untilAborted(signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
}
