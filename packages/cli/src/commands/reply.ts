import { FetchServer } from '@streamtasks/fetch';
import { registerAddressName, unregisterAddressName } from '@streamtasks/discovery';
import { ERROR_PREFIX } from '../exit-codes.js';
import { ExitCode, UsageError, defineCommand, secondsArg } from '../command.js';
import { toJson } from '../json.js';
import { resolveUrl } from '../remote-client.js';
import { CommandDeadline, openSession } from '../session.js';
import { URL_HELP, jsonArg, timeoutOption, untilAborted, urlOption } from './common.js';

export const replyCommand = defineCommand({
  name: 'reply',
  summary: 'serve a fetch route under an address name',
  usage: [
    'usage: streamtasks reply [--url URL] [--timeout S] [--replace] --name NAME DESCRIPTOR [JSON]',
    '',
    'Registers NAME and answers DESCRIPTOR with JSON (or echoes the request body',
    'when no JSON is given) until SIGINT/SIGTERM. Each request is printed as JSON.',
    'A NAME another running service holds is refused (exit 2) unless --replace.',
    'Exits with 4 when the connection is lost.',
    URL_HELP,
    '  -n, --name NAME     the address name to serve under',
    '      --replace       take NAME even when another running service holds it',
    '  -t, --timeout S     bound connecting and registering NAME to S seconds (default 10)',
  ].join('\n'),
  options: { ...urlOption, name: { type: 'string', short: 'n' }, replace: { type: 'boolean' }, ...timeoutOption },
  async run(values, positionals, io) {
    const { name } = values;
    const [descriptor, json] = positionals;
    if (name === undefined) throw new UsageError('missing --name NAME');
    if (descriptor === undefined) throw new UsageError('missing DESCRIPTOR');
    const fixed = json === undefined ? undefined : jsonArg(json, null);
    const deadline = new CommandDeadline(secondsArg(values.timeout, '--timeout') ?? 10_000);
    await using session = await openSession(resolveUrl(values.url, io.env), { address: true, signal: io.signal, deadline });
    const { client } = session;
    using server = new FetchServer(client).route(descriptor, (request) => {
      io.out(toJson(request.body));
      return fixed === undefined ? request.body : fixed;
    });
    server.events.on('error', (err) => io.err(`${ERROR_PREFIX}${err.message}`));
    server.start();
    const registration = { replace: values.replace, signal: io.signal, timeout: deadline.remaining() };
    const address = await session.guard(registerAddressName(client, name, undefined, registration));
    io.err(`serving ${JSON.stringify(descriptor)} as ${name} (address ${String(address)})`);
    await session.guard(untilAborted(io.signal));
    server.stop();
    await unregisterAddressName(client, name, { timeout: 2000 }).catch(() => undefined);
    return ExitCode.OK;
  },
});
