import { ExitCode, UsageError, parseCommandArgs, type Command, type CommandIO, type Options } from './command.js';
import { ERROR_PREFIX, describeFailure, exitCodeFor } from './exit-codes.js';
import { nodeCommand } from './commands/node.js';
import { pubCommand } from './commands/pub.js';
import { replyCommand } from './commands/reply.js';
import { requestCommand } from './commands/request.js';
import { resolveCommand } from './commands/resolve.js';
import { signalCommand } from './commands/signal.js';
import { subCommand } from './commands/sub.js';
import { addressesCommand, topicsCommand } from './commands/routes.js';
import { namesCommand } from './commands/names.js';
import { topCommand } from './commands/top.js';

/** Every command; typed options are kept inside each, the list only needs what they share. */
export const commands: ReadonlyArray<Command<Options>> = [
  nodeCommand, pubCommand, subCommand, requestCommand, replyCommand, signalCommand, resolveCommand,
  topicsCommand, addressesCommand, namesCommand, topCommand,
];

function overview(): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return [
    'usage: streamtasks COMMAND [OPTIONS]',
    '',
    'Commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Run "streamtasks COMMAND --help" for the options of a command.',
    'Commands that connect use --url, else $STREAMTASKS_URL, else this machine\'s node (node://).',
    'Exit codes: 0 ok, 1 usage or other failure, 2 error answer, 3 timeout, 4 connection failed or lost.',
  ].join('\n');
}

/**
 * Runs the command line with `argv` (without `node` and the script);
 * resolves with the exit code. Every failure is reported here, as one line
 * starting with `error: `, with the exit code `exitCodeFor` gives.
 */
export async function main(argv: readonly string[], io: CommandIO): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.out(overview());
    return name === undefined ? ExitCode.ERROR : ExitCode.OK;
  }
  const command = commands.find((c) => c.name === name);
  if (!command) {
    io.err(`${ERROR_PREFIX}unknown command ${JSON.stringify(name)}\n\n${overview()}`);
    return ExitCode.ERROR;
  }
  try {
    const { values, positionals } = parseCommandArgs(command, rest);
    if (values.help) {
      io.out(command.usage);
      return ExitCode.OK;
    }
    return await command.run(values, positionals, io);
  } catch (err) {
    const line = describeFailure(err);
    if (line !== undefined) io.err(`${ERROR_PREFIX}${line}${err instanceof UsageError ? `\n\n${command.usage}` : ''}`);
    return exitCodeFor(err);
  }
}
