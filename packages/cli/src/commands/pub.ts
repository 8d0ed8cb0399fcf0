import { OutTopic } from '@streamtasks/topic';
import { ExitCode, defineCommand, numberArg, secondsArg } from '../command.js';
import { resolveUrl } from '../remote-client.js';
import { CommandDeadline, DEFAULT_CONNECT_TIMEOUT, openSession } from '../session.js';
import { URL_HELP, jsonArg, timeoutOption, topicArg, urlOption } from './common.js';

export const pubCommand = defineCommand({
  name: 'pub',
  summary: 'publish JSON payloads on a topic',
  usage: [
    'usage: streamtasks pub [--url URL] [--count N] [--interval MS] [--now] [--timeout S] TOPIC [JSON]',
    '',
    'Publishes JSON on TOPIC (default payload {"timestamp": now, "value": i}).',
    'Waits until someone subscribes before the first payload, unless --now.',
    'Exits with 4 when the connection is lost.',
    URL_HELP,
    '  -n, --count N       payloads to publish (default: until stopped)',
    '  -i, --interval MS   pause between payloads (default 1000)',
    '      --now           do not wait for a subscriber',
    '  -t, --timeout S     fail (exit 3) when connecting and waiting for a subscriber take',
    '                      more than S seconds',
  ].join('\n'),
  options: {
    ...urlOption,
    count: { type: 'string', short: 'n' },
    interval: { type: 'string', short: 'i' },
    now: { type: 'boolean' },
    ...timeoutOption,
  },
  async run(values, positionals, io) {
    const topic = topicArg(positionals[0]);
    const fixed = positionals[1] === undefined ? undefined : jsonArg(positionals[1], null);
    const count = values.count === undefined ? Infinity : numberArg(values.count, '--count');
    const interval = numberArg(values.interval, '--interval', 1000);
    const deadline = new CommandDeadline(secondsArg(values.timeout, '--timeout'));
    await using session = await openSession(resolveUrl(values.url, io.env), { signal: io.signal, deadline });
    const { client } = session;
    using out = new OutTopic(client, topic);
    if (!values.now) await session.guard(out.waitRequested(true, { signal: io.signal, timeout: deadline.remaining() }));
    for (let i = 0; i < count && !io.signal.aborted; i++) {
      if (i > 0 && interval > 0) await session.guard(sleep(interval, io.signal));
      if (io.signal.aborted) break;
      await session.guard(out.send(fixed === undefined ? { timestamp: Date.now(), value: i } : fixed));
    }
    // Let the last payloads leave before the connection closes.
    await session.guard(client.link.drained({ timeout: DEFAULT_CONNECT_TIMEOUT }));
    return ExitCode.OK;
  },
});

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
