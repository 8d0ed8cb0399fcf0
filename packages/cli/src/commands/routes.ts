import { connect } from '@streamtasks/transports';
import { ExitCode, type Command } from '../command.js';
import { toJson } from '../json.js';
import { resolveUrl } from '../remote-client.js';
import { readRoutesSnapshot } from '../routes-snapshot.js';
import { formatTable } from '../table.js';
import { URL_HELP, failure, urlOption } from './common.js';

function routesCommand(kind: 'topics' | 'addresses'): Command {
  const column = kind === 'topics' ? 'TOPIC' : 'ADDRESS';
  const key = kind === 'topics' ? 'topic' : 'address';
  return {
    name: kind,
    summary: kind === 'topics'
      ? 'list the topics a node provides, with their cost'
      : 'list the addresses a node reaches, with their cost',
    usage: [
      `usage: streamtasks ${kind} [--url URL] [--json]`,
      '',
      `Connects to a node (TypeScript or Python) and prints the ${kind} it announces to a new`,
      'connection, with the cost from the node (the connection\'s own cost included).',
      URL_HELP,
      `  --json              print a JSON array of {"${key}": ID, "cost": N}`,
    ].join('\n'),
    options: { ...urlOption, json: { type: 'boolean' } },
    async run(values, _positionals, io) {
      try {
        const link = await connect(resolveUrl(values.url as string | undefined, io.env), { signal: io.signal, timeout: 10_000 });
        let snapshot;
        try {
          snapshot = await readRoutesSnapshot(link, { signal: io.signal, timeout: 10_000 });
        } finally {
          link.close();
        }
        const routes = snapshot[kind];
        if (values.json) {
          io.out(toJson(routes.map((r) => ({ [key]: r.id, cost: r.cost }))));
        } else {
          for (const line of formatTable([column, 'COST'], routes.map((r) => [r.id, r.cost]))) io.out(line);
        }
        return ExitCode.OK;
      } catch (err) {
        return failure(io, err);
      }
    },
  };
}

export const topicsCommand = routesCommand('topics');
export const addressesCommand = routesCommand('addresses');
