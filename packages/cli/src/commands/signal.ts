import { sendSignal } from '@streamtasks/signal';
import { ExitCode, UsageError, defineCommand, secondsArg } from '../command.js';
import { resolveUrl } from '../remote-client.js';
import { CommandDeadline, openSession } from '../session.js';
import { TIMEOUT_HELP, URL_HELP, jsonArg, targetArg, timeoutOption, urlOption } from './common.js';

export const signalCommand = defineCommand({
  name: 'signal',
  summary: 'send a signal (fire and forget)',
  usage: [
    'usage: streamtasks signal [--url URL] [--timeout S] TARGET DESCRIPTOR [JSON]',
    '',
    'Sends the signal DESCRIPTOR with body JSON (default null) to TARGET',
    '(an address, a name, or NAME:PORT; default port 103).',
    URL_HELP,
    `${TIMEOUT_HELP} (default 10)`,
  ].join('\n'),
  options: { ...urlOption, ...timeoutOption },
  async run(values, positionals, io) {
    const [target, descriptor, json] = positionals;
    if (target === undefined || descriptor === undefined) throw new UsageError('missing TARGET or DESCRIPTOR');
    const body = jsonArg(json, null);
    const deadline = new CommandDeadline(secondsArg(values.timeout, '--timeout') ?? 10_000);
    await using session = await openSession(resolveUrl(values.url, io.env), { address: true, signal: io.signal, deadline });
    const { client } = session;
    await session.guard(sendSignal(client, targetArg(target), descriptor, body, { signal: io.signal, timeout: deadline.remaining() }));
    // Let the signal leave before the connection closes.
    await session.guard(client.link.drained({ signal: io.signal, timeout: deadline.remaining() }));
    return ExitCode.OK;
  },
});
