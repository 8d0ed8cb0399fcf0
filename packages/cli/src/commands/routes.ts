import { connect } from '@streamtasks/transports';
import { ExitCode, defineCommand, secondsArg } from '../command.js';
import { toJson } from '../json.js';
import { resolveUrl } from '../remote-client.js';
import { readRoutesSnapshot } from '../routes-snapshot.js';
import { CommandDeadline, DEFAULT_CONNECT_TIMEOUT } from '../session.js';
import { formatTable } from '../table.js';
import { TIMEOUT_HELP, URL_HELP, timeoutOption, urlOption } from './common.js';

function routesCommand(kind: 'topics' | 'addresses') {
  const column = kind === 'topics' ? 'TOPIC' : 'ADDRESS';
  const key = kind === 'topics' ? 'topic' : 'address';
  return defineCommand({
    name: kind,
    summary: kind === 'topics'
      ? 'list the topics a node provides, with their cost'
      : 'list the addresses a node reaches, with their cost',
    usage: [
      `usage: streamtasks ${kind} [--url URL] [--json] [--timeout S]`,
      '',
      `Connects to a node (TypeScript or Python) and prints the ${kind} it announces to a new`,
      'connection, with the cost from the node (the connection\'s own cost included).',
      URL_HELP,
      `  --json              print a JSON array of {"${key}": ID, "cost": N}`,
      `${TIMEOUT_HELP} (default 10)`,
    ].join('\n'),
    options: { ...urlOption, json: { type: 'boolean' }, ...timeoutOption },
    async run(values, _positionals, io) {
      const deadline = new CommandDeadline(secondsArg(values.timeout, '--timeout') ?? DEFAULT_CONNECT_TIMEOUT);
      const link = await connect(resolveUrl(values.url, io.env), { signal: io.signal, timeout: deadline.remaining() });
      let snapshot;
      try {
        snapshot = await readRoutesSnapshot(link, { signal: io.signal, timeout: deadline.remaining() });
      } finally {
        link.close();
      }
      const routes = snapshot[kind];
      if (values.json) io.out(toJson(routes.map((r) => ({ [key]: r.id, cost: r.cost }))));
      else for (const line of formatTable([column, 'COST'], routes.map((r) => [r.id, r.cost]))) io.out(line);
      return ExitCode.OK;
    },
  });
}

export const topicsCommand = routesCommand('topics');
export const addressesCommand = routesCommand('addresses');
