import { ExitCode, UsageError, parseCommandArgs, type Command, type CommandIO } from './command.js';
import { nodeCommand } from './commands/node.js';
import { pubCommand } from './commands/pub.js';
import { replyCommand } from './commands/reply.js';
import { requestCommand } from './commands/request.js';
import { resolveCommand } from './commands/resolve.js';
import { signalCommand } from './commands/signal.js';
import { subCommand } from './commands/sub.js';

const commands: readonly Command[] = [
  nodeCommand, pubCommand, subCommand, requestCommand, replyCommand, signalCommand, resolveCommand,
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
    'Commands that connect use --url, else $STREAMTASKS_URL, else tcp://127.0.0.1:9002.',
  ].join('\n');
}

/** Runs the command line with `argv` (without `node` and the script); resolves with the exit code. */
export async function main(argv: readonly string[], io: CommandIO): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.out(overview());
    return name === undefined ? ExitCode.ERROR : ExitCode.OK;
  }
  const command = commands.find((c) => c.name === name);
  if (!command) {
    io.err(`streamtasks: unknown command ${JSON.stringify(name)}\n\n${overview()}`);
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
    if (err instanceof UsageError) {
      io.err(`streamtasks ${command.name}: ${err.message}\n\n${command.usage}`);
      return ExitCode.ERROR;
    }
    io.err(`streamtasks ${command.name}: ${(err as Error).message}`);
    return ExitCode.ERROR;
  }
}
