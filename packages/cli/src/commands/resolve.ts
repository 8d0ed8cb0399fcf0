import { AddressNameNotFoundError } from '@streamtasks/client';
import { ExitCode, UsageError, defineCommand, secondsArg } from '../command.js';
import { resolveUrl } from '../remote-client.js';
import { CommandDeadline, openSession } from '../session.js';
import { TIMEOUT_HELP, URL_HELP, timeoutOption, urlOption } from './common.js';

export const resolveCommand = defineCommand({
  name: 'resolve',
  summary: 'print the address of a name',
  usage: [
    'usage: streamtasks resolve [--url URL] [--timeout S] NAME',
    '',
    'Prints the address registered for NAME; exits with 2 when there is none, and',
    'with 5 when the network has no discovery service (a node without --core).',
    URL_HELP,
    `${TIMEOUT_HELP} (default 10)`,
  ].join('\n'),
  options: { ...urlOption, ...timeoutOption },
  async run(values, positionals, io) {
    const [name] = positionals;
    if (name === undefined) throw new UsageError('missing NAME');
    const deadline = new CommandDeadline(secondsArg(values.timeout, '--timeout') ?? 10_000);
    await using session = await openSession(resolveUrl(values.url, io.env), { address: true, signal: io.signal, deadline });
    const address = await session.guard(session.client.resolveAddressName(name, { signal: io.signal, timeout: deadline.remaining() }));
    // No fetch was refused: the name is simply not registered (exit code 2, like a remote error).
    if (address === undefined) throw new AddressNameNotFoundError(name);
    io.out(String(address));
    return ExitCode.OK;
  },
});
