import { ExitCode, UsageError, defineCommand, secondsArg } from '../command.js';
import { toJson } from '../json.js';
import { resolveUrl } from '../remote-client.js';
import { CommandDeadline, openSession } from '../session.js';
import { URL_HELP, jsonArg, targetArg, timeoutOption, urlOption } from './common.js';

export const requestCommand = defineCommand({
  name: 'request',
  summary: 'fetch: send a request and print the answer',
  usage: [
    'usage: streamtasks request [--url URL] [--timeout S] TARGET DESCRIPTOR [JSON]',
    '',
    'Sends a fetch request to TARGET (an address, a name, or NAME:PORT) and prints',
    'the answer body as JSON. On an error answer it prints "error: CODE: MESSAGE" and',
    'exits with 2; on a timeout with 3; with 5 when the network has no discovery',
    'service (a node without --core) or no route to TARGET.',
    URL_HELP,
    '  -t, --timeout S     seconds for the whole request, connect included (default 10)',
  ].join('\n'),
  options: { ...urlOption, ...timeoutOption },
  async run(values, positionals, io) {
    const [target, descriptor, json] = positionals;
    if (target === undefined || descriptor === undefined) throw new UsageError('missing TARGET or DESCRIPTOR');
    const body = jsonArg(json, null);
    const deadline = new CommandDeadline(secondsArg(values.timeout, '--timeout') ?? 10_000);
    await using session = await openSession(resolveUrl(values.url, io.env), { address: true, signal: io.signal, deadline });
    const answer = await session.guard(session.client.fetch(targetArg(target), descriptor, body, { signal: io.signal, timeout: deadline.remaining() }));
    io.out(toJson(answer));
    return ExitCode.OK;
  },
});
