import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from './usage-error.js';

export { ExitCode } from './exit-codes.js';
export { UsageError } from './usage-error.js';

/** Where a command writes and what stops it. */
export interface CommandIO {
  /** Writes one line of output (data: JSON payloads, addresses). */
  out(line: string): void;
  /** Writes one line of diagnostics (logs, errors). */
  err(line: string): void;
  /** Aborted on SIGINT/SIGTERM: long-running commands stop cleanly. */
  signal: AbortSignal;
  env: NodeJS.ProcessEnv;
  /** The interactive terminal, when stdout is one (full-screen views such as `top` use it). */
  terminal?: Terminal;
}

/** A terminal: keys come from `input` (raw mode), frames go to `output`. */
export interface Terminal {
  readonly input: NodeJS.ReadStream;
  readonly output: NodeJS.WriteStream;
}

/** The options of a command, as `parseArgs` takes them. */
export type Options = NonNullable<ParseArgsConfig['options']>;

const HELP = { help: { type: 'boolean', short: 'h' } } as const;

/** The values `parseArgs` gives for `O` (plus `--help`), typed option by option. */
export type OptionValues<O extends Options> = ReturnType<
  typeof parseArgs<{ args: string[]; options: O & typeof HELP; allowPositionals: true; strict: true }>
>['values'];

/**
 * One sub-command of `streamtasks`. `run` throws on failure; the command
 * line reports the error and picks the exit code in one place
 * (see `exit-codes.ts`). Declared with method syntax so that a command with
 * precisely typed options (see {@link defineCommand}) is a `Command`.
 */
export interface Command<O extends Options = Options> {
  name: string;
  summary: string;
  /** The usage text; its first line names every option. */
  usage: string;
  options: O;
  run(values: OptionValues<O>, positionals: string[], io: CommandIO): Promise<number>;
}

/** Declares a command; `run` receives the option values with the types its `options` give. */
export function defineCommand<const O extends Options>(command: Command<O>): Command<O> {
  return command;
}

/** Parses a command's arguments; a mistake is a {@link UsageError}. */
export function parseCommandArgs<O extends Options>(command: Command<O>, argv: string[]): { values: OptionValues<O>; positionals: string[] } {
  try {
    return parseArgs({ args: argv, options: { ...command.options, ...HELP }, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UsageError((err as Error).message, { cause: err });
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
