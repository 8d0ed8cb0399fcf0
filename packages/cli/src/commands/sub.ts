import { InTopic } from '@streamtasks/topic';
import { ExitCode, defineCommand, numberArg, secondsArg } from '../command.js';
import { toJson } from '../json.js';
import { resolveUrl } from '../remote-client.js';
import { CommandDeadline, openSession } from '../session.js';
import { URL_HELP, timeoutOption, topicArg, urlOption } from './common.js';

export const subCommand = defineCommand({
  name: 'sub',
  summary: 'print the payloads published on a topic, one JSON per line',
  usage: [
    'usage: streamtasks sub [--url URL] [--count N] [--timeout S] TOPIC',
    '',
    'Subscribes to TOPIC and prints each payload as one line of JSON.',
    'Exits with 4 when the connection is lost.',
    URL_HELP,
    '  -n, --count N       exit after N payloads',
    '  -t, --timeout S     fail (exit 3) when connecting and the first payload, or any later',
    '                      payload, take more than S seconds',
  ].join('\n'),
  options: {
    ...urlOption,
    count: { type: 'string', short: 'n' },
    ...timeoutOption,
  },
  async run(values, positionals, io) {
    const topic = topicArg(positionals[0]);
    const count = values.count === undefined ? Infinity : numberArg(values.count, '--count');
    const timeout = secondsArg(values.timeout, '--timeout');
    const deadline = new CommandDeadline(timeout);
    await using session = await openSession(resolveUrl(values.url, io.env), { signal: io.signal, deadline });
    using sub = new InTopic(session.client, topic);
    sub.events.on('error', (err) => io.err(`skipped a payload: ${err.message}`));
    for (let n = 0; n < count; n++) {
      const wait = n === 0 ? deadline.remaining() : timeout;
      io.out(toJson(await session.guard(sub.recvData({ signal: io.signal, timeout: wait }))));
    }
    return ExitCode.OK;
  },
});
