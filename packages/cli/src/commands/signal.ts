import { sendSignal } from '@streamtasks/signal';
import { ExitCode, UsageError, type Command } from '../command.js';
import { openClient, resolveUrl } from '../remote-client.js';
import { URL_HELP, failure, jsonArg, urlOption } from './common.js';

export const signalCommand: Command = {
  name: 'signal',
  summary: 'send a signal (fire and forget)',
  usage: [
    'usage: streamtasks signal [--url URL] TARGET DESCRIPTOR [JSON]',
    '',
    'Sends the signal DESCRIPTOR with body JSON (default null) to TARGET',
    '(an address, a name, or NAME:PORT; default port 103).',
    URL_HELP,
  ].join('\n'),
  options: { ...urlOption },
  async run(values, positionals, io) {
    const [target, descriptor, json] = positionals;
    if (target === undefined || descriptor === undefined) throw new UsageError('missing TARGET or DESCRIPTOR');
    const body = jsonArg(json, null);
    let client;
    try {
      client = await openClient(resolveUrl(values.url as string | undefined, io.env), { address: true, signal: io.signal, timeout: 10_000 });
      await sendSignal(client, /^[0-9]+$/.test(target) ? BigInt(target) : target, descriptor, body, { signal: io.signal, timeout: 10_000 });
      await client.link.drained({ timeout: 10_000 });
      return ExitCode.OK;
    } catch (err) {
      return failure(io, err);
    } finally {
      client?.close();
    }
  },
};
