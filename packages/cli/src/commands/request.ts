import { ExitCode, secondsArg, UsageError, type Command } from '../command.js';
import { toJson } from '../json.js';
import { openClient, resolveUrl } from '../remote-client.js';
import { URL_HELP, failure, jsonArg, urlOption } from './common.js';

export const requestCommand: Command = {
  name: 'request',
  summary: 'fetch: send a request and print the answer',
  usage: [
    'usage: streamtasks request [--url URL] TARGET DESCRIPTOR [JSON] [--timeout S]',
    '',
    'Sends a fetch request to TARGET (an address, a name, or NAME:PORT) and prints',
    'the answer body as JSON. On an error answer it prints "error: CODE: MESSAGE" and',
    'exits with 2; on a timeout with 3.',
    URL_HELP,
    '  --timeout S         seconds to wait for the answer (default 10)',
  ].join('\n'),
  options: { ...urlOption, timeout: { type: 'string', short: 't' } },
  async run(values, positionals, io) {
    const [target, descriptor, json] = positionals;
    if (target === undefined || descriptor === undefined) throw new UsageError('missing TARGET or DESCRIPTOR');
    const body = jsonArg(json, null);
    const timeout = secondsArg(values.timeout as string | undefined, '--timeout') ?? 10_000;
    let client;
    try {
      client = await openClient(resolveUrl(values.url as string | undefined, io.env), { address: true, signal: io.signal, timeout });
      const answer = await client.fetch(/^[0-9]+$/.test(target) ? BigInt(target) : target, descriptor, body, { signal: io.signal, timeout });
      io.out(toJson(answer));
      return ExitCode.OK;
    } catch (err) {
      return failure(io, err);
    } finally {
      client?.close();
    }
  },
};
