import { NotSupportedError, listAddressNames } from '@streamtasks/discovery';
import { ExitCode, type Command } from '../command.js';
import { toJson } from '../json.js';
import { openClient, resolveUrl } from '../remote-client.js';
import { formatTable } from '../table.js';
import { URL_HELP, failure, urlOption } from './common.js';

export const namesCommand: Command = {
  name: 'names',
  summary: 'list the address names registered with discovery',
  usage: [
    'usage: streamtasks names [--url URL] [--json]',
    '',
    'Asks the discovery service (fetch list_address_names) for every registered name.',
    'A Python discovery has no such route: the command says so (exit 2) instead of waiting.',
    URL_HELP,
    '  --json              print a JSON array of {"name": NAME, "address": ID}',
  ].join('\n'),
  options: { ...urlOption, json: { type: 'boolean' } },
  async run(values, _positionals, io) {
    let client;
    try {
      client = await openClient(resolveUrl(values.url as string | undefined, io.env), { address: true, signal: io.signal, timeout: 10_000 });
      const names = [...(await listAddressNames(client, { signal: io.signal, timeout: 10_000 }))].sort(([a], [b]) => (a < b ? -1 : 1));
      if (values.json) io.out(toJson(names.map(([name, address]) => ({ name, address }))));
      else for (const line of formatTable(['NAME', 'ADDRESS'], names)) io.out(line);
      return ExitCode.OK;
    } catch (err) {
      if (err instanceof NotSupportedError) {
        io.err(`error: not supported: ${err.message}`);
        return ExitCode.REMOTE_ERROR;
      }
      return failure(io, err);
    } finally {
      client?.close();
    }
  },
};
