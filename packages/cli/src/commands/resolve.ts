import { ExitCode, UsageError, type Command } from '../command.js';
import { openClient, resolveUrl } from '../remote-client.js';
import { URL_HELP, failure, urlOption } from './common.js';

export const resolveCommand: Command = {
  name: 'resolve',
  summary: 'print the address of a name',
  usage: [
    'usage: streamtasks resolve [--url URL] NAME',
    '',
    'Prints the address registered for NAME; exits with 2 when there is none.',
    URL_HELP,
  ].join('\n'),
  options: { ...urlOption },
  async run(values, positionals, io) {
    const [name] = positionals;
    if (name === undefined) throw new UsageError('missing NAME');
    let client;
    try {
      client = await openClient(resolveUrl(values.url as string | undefined, io.env), { address: true, signal: io.signal, timeout: 10_000 });
      const address = await client.resolveAddressName(name, { signal: io.signal, timeout: 10_000 });
      if (address === undefined) {
        io.err(`error: not_found: no address is registered for ${JSON.stringify(name)}`);
        return ExitCode.REMOTE_ERROR;
      }
      io.out(String(address));
      return ExitCode.OK;
    } catch (err) {
      return failure(io, err);
    } finally {
      client?.close();
    }
  },
};
