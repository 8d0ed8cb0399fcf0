import { parseArgs, type ParseArgsConfig } from 'node:util';

/** Where a command writes and what stops it. */
export interface CommandIO {
  /** Writes one line of output (data: JSON payloads, addresses). */
  out(line: string): void;
  /** Writes one line of diagnostics (logs, errors). */
  err(line: string): void;
  /** Aborted on SIGINT/SIGTERM: long-running commands stop cleanly. */
  signal: AbortSignal;
  env: NodeJS.ProcessEnv;
}

type Options = NonNullable<ParseArgsConfig['options']>;

/** One sub-command of `streamtasks`. */
export interface Command {
  name: string;
  summary: string;
  usage: string;
  options: Options;
  run(values: Record<string, string | boolean | string[] | undefined>, positionals: string[], io: CommandIO): Promise<number>;
}

/** Exit codes shared by all commands. */
export const ExitCode = {
  OK: 0,
  /** Bad usage or a failure without a more specific code. */
  ERROR: 1,
  /** The remote side answered with an error (fetch error, unknown name). */
  REMOTE_ERROR: 2,
  /** Nothing arrived in time. */
  TIMEOUT: 3,
} as const;

/** Thrown for a usage mistake; reported with the command's usage. */
export class UsageError extends Error {
  override name = 'UsageError';
}

export function parseCommandArgs(command: Command, argv: string[]) {
  try {
    return parseArgs({ args: argv, options: { ...command.options, help: { type: 'boolean', short: 'h' } }, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

/** A number option/argument, checked. */
export function numberArg(value: string | undefined, what: string, fallback?: number): number {
  if (value === undefined) {
    if (fallback === undefined) throw new UsageError(`missing ${what}`);
    return fallback;
  }
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) throw new UsageError(`${what} must be a non-negative number, got ${JSON.stringify(value)}`);
  return n;
}

/** Milliseconds from a `--timeout S` option given in seconds. */
export function secondsArg(value: string | undefined, what: string): number | undefined {
  return value === undefined ? undefined : numberArg(value, what) * 1000;
}
