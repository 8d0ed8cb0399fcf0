import { FetchServer } from '@streamtasks/fetch';
import { registerAddressName, unregisterAddressName } from '@streamtasks/discovery';
import { ExitCode, UsageError, type Command } from '../command.js';
import { toJson } from '../json.js';
import { openClient, resolveUrl } from '../remote-client.js';
import { URL_HELP, failure, jsonArg, untilAborted, urlOption } from './common.js';

export const replyCommand: Command = {
  name: 'reply',
  summary: 'serve a fetch route under an address name',
  usage: [
    'usage: streamtasks reply [--url URL] --name NAME DESCRIPTOR [JSON]',
    '',
    'Registers NAME and answers DESCRIPTOR with JSON (or echoes the request body',
    'when no JSON is given) until SIGINT/SIGTERM. Each request is printed as JSON.',
    URL_HELP,
    '  --name NAME         the address name to serve under',
  ].join('\n'),
  options: { ...urlOption, name: { type: 'string', short: 'n' } },
  async run(values, positionals, io) {
    const name = values.name as string | undefined;
    const [descriptor, json] = positionals;
    if (name === undefined) throw new UsageError('missing --name NAME');
    if (descriptor === undefined) throw new UsageError('missing DESCRIPTOR');
    const fixed = json === undefined ? undefined : jsonArg(json, null);
    let client;
    try {
      client = await openClient(resolveUrl(values.url as string | undefined, io.env), { address: true, signal: io.signal, timeout: 10_000 });
      const server = new FetchServer(client).route(descriptor, (request) => {
        io.out(toJson(request.body));
        return fixed === undefined ? request.body : fixed;
      }).start();
      server.events.on('error', (err) => io.err(`error: ${err.message}`));
      const address = await registerAddressName(client, name, undefined, { timeout: 10_000 });
      io.err(`serving ${JSON.stringify(descriptor)} as ${name} (address ${String(address)})`);
      await untilAborted(io.signal);
      server.stop();
      await unregisterAddressName(client, name, { timeout: 2000 }).catch(() => undefined);
      return ExitCode.OK;
    } catch (err) {
      return failure(io, err);
    } finally {
      client?.close();
    }
  },
};
