import { OutTopic } from '@streamtasks/topic';
import { ExitCode, numberArg, secondsArg, type Command } from '../command.js';
import { openClient, resolveUrl } from '../remote-client.js';
import { URL_HELP, failure, jsonArg, topicArg, urlOption } from './common.js';

export const pubCommand: Command = {
  name: 'pub',
  summary: 'publish JSON payloads on a topic',
  usage: [
    'usage: streamtasks pub [--url URL] TOPIC [JSON] [--count N] [--interval MS]',
    '',
    'Publishes JSON on TOPIC (default payload {"timestamp": now, "value": i}).',
    'Waits until someone subscribes before the first payload, unless --now.',
    URL_HELP,
    '  --count N           payloads to publish (default: until stopped)',
    '  --interval MS       pause between payloads (default 1000)',
    '  --now               do not wait for a subscriber',
    '  --timeout S         give up waiting for a subscriber after S seconds',
  ].join('\n'),
  options: {
    ...urlOption,
    count: { type: 'string', short: 'n' },
    interval: { type: 'string', short: 'i' },
    now: { type: 'boolean' },
    timeout: { type: 'string', short: 't' },
  },
  async run(values, positionals, io) {
    const topic = topicArg(positionals[0]);
    const fixed = positionals[1] === undefined ? undefined : jsonArg(positionals[1], null);
    const count = values.count === undefined ? Infinity : numberArg(values.count as string, '--count');
    const interval = numberArg(values.interval as string | undefined, '--interval', 1000);
    const timeout = secondsArg(values.timeout as string | undefined, '--timeout');
    const client = await openClient(resolveUrl(values.url as string | undefined, io.env), { signal: io.signal, timeout: 10_000 });
    const out = new OutTopic(client, topic);
    try {
      if (!values.now) await out.waitRequested(true, { signal: io.signal, timeout });
      for (let i = 0; i < count && !io.signal.aborted; i++) {
        if (i > 0 && interval > 0) await sleep(interval, io.signal);
        if (io.signal.aborted) break;
        await out.send(fixed === undefined ? { timestamp: Date.now(), value: i } : fixed);
      }
      // Let the last payloads leave before the connection closes.
      await client.link.drained({ timeout: 10_000 });
      return ExitCode.OK;
    } catch (err) {
      return failure(io, err);
    } finally {
      out.close();
      client.close();
    }
  },
};

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
