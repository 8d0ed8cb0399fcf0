// The command line's shared contract: typed options, usage lines that list
// every option, and one error → exit-code mapping for every command.
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { TOPIC_COUNTER_START } from '@streamtasks/discovery/internal';
import { AbortError, ConnectionClosedError, TimeoutError } from '@streamtasks/link';
import { FetchError, NoDiscoveryError, NoRouteError } from '@streamtasks/client';
import { HandshakeError, HandshakeRejectedError, InvalidUrlError } from '@streamtasks/transports';
import { ExitCode, UsageError, defineCommand } from '../src/command.js';
import { describeFailure, exitCodeFor } from '../src/exit-codes.js';
import { commands, main } from '../src/main.js';

test.each(commands.map((c) => [c.name, c] as const))('the usage line of %s names every option, the help explains each', (_name, command) => {
  const [first, ...rest] = command.usage.split('\n');
  for (const [option, config] of Object.entries(command.options)) {
    expect(first).toContain(`--${option}`);
    const help = rest.find((line) => line.trimStart().startsWith(config.short ? `-${config.short}, --${option}` : `--${option}`));
    expect(help).toBeDefined();
  }
  // And the other way round: the usage line names no option that parseArgs does not take.
  const named = [...first!.matchAll(/--([a-z][a-z-]*)/g)].map((m) => m[1]!);
  for (const option of named) expect(Object.keys(command.options)).toContain(option);
});

test.each([
  ['a usage mistake', new UsageError('missing TOPIC'), ExitCode.ERROR],
  ['an unusable URL', new InvalidUrlError('foo://x', 'unknown scheme'), ExitCode.ERROR],
  ['an error answer', new FetchError(FetchError.body('not_found', 'nope')), ExitCode.REMOTE_ERROR],
  ['a timeout', new TimeoutError('an answer', 100), ExitCode.TIMEOUT],
  ['a lost connection', new ConnectionClosedError('the connection closed'), ExitCode.CONNECTION],
  ['no discovery service', new NoDiscoveryError(500), ExitCode.UNREACHABLE],
  ['no route to the address', new NoRouteError(10_999), ExitCode.UNREACHABLE],
  ['a refused handshake', new HandshakeRejectedError('refused', 'no auth'), ExitCode.CONNECTION],
  ['a peer that is not a streamtasks server', new HandshakeError('not a streamtasks peer'), ExitCode.CONNECTION],
  ['SIGINT / SIGTERM', new AbortError('a payload'), ExitCode.OK],
  ['anything else', new Error('boom'), ExitCode.ERROR],
])('%s exits with its documented code', (_what, error, code) => {
  expect(exitCodeFor(error)).toBe(code);
  if (code === ExitCode.OK) expect(describeFailure(error)).toBeUndefined();
  else expect(describeFailure(error)).toContain(error.message);
});

test('every failure is one line with one prefix, whichever command reports it', async () => {
  const lines: string[] = [];
  const io = { out: () => {}, err: (line: string) => lines.push(line), signal: new AbortController().signal, env: {} };
  for (const name of ['pub', 'sub', 'request', 'reply', 'signal', 'resolve']) {
    const args = name === 'pub' || name === 'sub' ? [name, '1'] : name === 'reply' ? [name, '--name', 'x', 'd'] : [name, 'x', 'y'];
    lines.length = 0;
    // Nothing listens on port 1: refused at once.
    const code = await main([...args, '--url', 'tcp://127.0.0.1:1'], io);
    expect({ name, code }).toEqual({ name, code: ExitCode.CONNECTION });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^error: .*127\.0\.0\.1:1/);
  }
  lines.length = 0;
  expect(await main(['sub'], io)).toBe(ExitCode.ERROR);
  expect(lines[0]).toMatch(/^error: missing TOPIC\n\nusage: streamtasks sub/);
});

test('option values are typed from the options, without casts', () => {
  const command = defineCommand({
    name: 'typed',
    summary: '',
    usage: 'usage: typed [--count N] [--flag] [--many X]...',
    options: { count: { type: 'string' }, flag: { type: 'boolean' }, many: { type: 'string', multiple: true } },
    async run(values) {
      const count: string | undefined = values.count;
      const flag: boolean | undefined = values.flag;
      const many: string[] | undefined = values.many;
      // @ts-expect-error a boolean option is no string
      const wrong: string | undefined = values.flag;
      // @ts-expect-error an option that was not declared
      void values.missing;
      return [count, flag, many, wrong].length;
    },
  });
  expect(command.name).toBe('typed');
});

test('the topics of the READMEs\' examples are below the ids discovery hands out', () => {
  for (const file of ['../../../README.md', '../README.md']) {
    const text = readFileSync(path.join(__dirname, file), 'utf8');
    const topics = [...text.matchAll(/cli(?:\.js)? (?:sub|pub) (\d+)|streamtasks (?:sub|pub) (\d+)/g)].map((m) => Number(m[1] ?? m[2]));
    expect(topics.length).toBeGreaterThan(0);
    for (const topic of topics) expect(topic).toBeLessThan(TOPIC_COUNTER_START);
  }
});
