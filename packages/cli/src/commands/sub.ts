import { InTopic } from '@streamtasks/topic';
import { ExitCode, numberArg, secondsArg, type Command } from '../command.js';
import { toJson } from '../json.js';
import { openClient, resolveUrl } from '../remote-client.js';
import { URL_HELP, failure, topicArg, urlOption } from './common.js';

export const subCommand: Command = {
  name: 'sub',
  summary: 'print the payloads published on a topic, one JSON per line',
  usage: [
    'usage: streamtasks sub [--url URL] TOPIC [--count N] [--timeout S]',
    '',
    'Subscribes to TOPIC and prints each payload as one line of JSON.',
    URL_HELP,
    '  --count N           exit after N payloads',
    '  --timeout S         fail (exit 3) when no payload arrives for S seconds',
  ].join('\n'),
  options: {
    ...urlOption,
    count: { type: 'string', short: 'n' },
    timeout: { type: 'string', short: 't' },
  },
  async run(values, positionals, io) {
    const topic = topicArg(positionals[0]);
    const count = values.count === undefined ? Infinity : numberArg(values.count as string, '--count');
    const timeout = secondsArg(values.timeout as string | undefined, '--timeout');
    const client = await openClient(resolveUrl(values.url as string | undefined, io.env), { signal: io.signal, timeout: 10_000 });
    const sub = new InTopic(client, topic);
    sub.events.on('error', (err) => io.err(`skipped a payload: ${err.message}`));
    try {
      for (let n = 0; n < count; n++) {
        io.out(toJson(await sub.recvData({ signal: io.signal, timeout })));
      }
      return ExitCode.OK;
    } catch (err) {
      return failure(io, err);
    } finally {
      sub.close();
      client.close();
    }
  },
};
