import { listAddressNames } from '@streamtasks/discovery';
import { ExitCode, defineCommand, secondsArg } from '../command.js';
import { toJson } from '../json.js';
import { resolveUrl } from '../remote-client.js';
import { CommandDeadline, DEFAULT_CONNECT_TIMEOUT, openSession } from '../session.js';
import { formatTable } from '../table.js';
import { TIMEOUT_HELP, URL_HELP, timeoutOption, urlOption } from './common.js';

export const namesCommand = defineCommand({
  name: 'names',
  summary: 'list the address names registered with discovery',
  usage: [
    'usage: streamtasks names [--url URL] [--json] [--timeout S]',
    '',
    'Asks the discovery service (fetch list_address_names) for every registered name.',
    'A Python discovery has no such route: the command says so (exit 2) instead of waiting.',
    URL_HELP,
    '  --json              print a JSON array of {"name": NAME, "address": ID}',
    `${TIMEOUT_HELP} (default 10)`,
  ].join('\n'),
  options: { ...urlOption, json: { type: 'boolean' }, ...timeoutOption },
  async run(values, _positionals, io) {
    const deadline = new CommandDeadline(secondsArg(values.timeout, '--timeout') ?? DEFAULT_CONNECT_TIMEOUT);
    await using session = await openSession(resolveUrl(values.url, io.env), { address: true, signal: io.signal, deadline });
    const names = await session.guard(listAddressNames(session.client, { signal: io.signal, timeout: deadline.remaining() }));
    const sorted = [...names].sort(([a], [b]) => (a < b ? -1 : 1));
    if (values.json) io.out(toJson(sorted.map(([name, address]) => ({ name, address }))));
    else for (const line of formatTable(['NAME', 'ADDRESS'], sorted)) io.out(line);
    return ExitCode.OK;
  },
});
