import { toId, type Id } from '@streamtasks/link';
import { UsageError } from '../command.js';
import { parseJson } from '../json.js';

export const urlOption = { url: { type: 'string', short: 'u' } } as const;
export const URL_HELP = '  -u, --url URL       node to connect to, or nats://… (a network over NATS) (default: $STREAMTASKS_URL, else this machine\'s node: node://)';

export const timeoutOption = { timeout: { type: 'string', short: 't' } } as const;
/** Help of a `--timeout` that bounds the whole command. */
export const TIMEOUT_HELP = '  -t, --timeout S     bound the whole command, connect included, to S seconds (exit 3)';

/** A topic id argument. */
export function topicArg(value: string | undefined): Id {
  if (value === undefined) throw new UsageError('missing TOPIC');
  if (!/^[0-9]+$/.test(value)) throw new UsageError(`TOPIC must be a non-negative integer, got ${JSON.stringify(value)}`);
  return toId(BigInt(value));
}

/** A fetch or signal target: a number is an address, anything else a name (or `NAME:PORT`). */
export function targetArg(value: string): string | bigint {
  return /^[0-9]+$/.test(value) ? BigInt(value) : value;
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

/** Resolves when `signal` aborts. */
export function untilAborted(signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
}
