import { ExitCode, defineCommand, numberArg } from '../command.js';
import { ERROR_PREFIX } from '../exit-codes.js';
import { startNode } from '../node.js';
import { formatReason, timestamped } from '../log.js';
import { untilAborted } from './common.js';
import { monitorOptions } from './monitor-options.js';

export const nodeCommand = defineCommand({
  name: 'node',
  summary: 'run a node: a switch, discovery with --core, servers and connectors',
  usage: [
    'usage: streamtasks node [--core] [--serve URL]... [--connect URL]... [--reconnect-delay MS] [--no-node-socket] [--monitor ADDR [--monitor-token T] [--monitor-basic U:P]]',
    '',
    'Runs a streamtasks node until SIGINT/SIGTERM. It also listens on its local unix socket',
    '(node://, named after $NODE_NAME or the host name), where commands without --url connect.',
    '  --core              run the discovery service (address 0) in this node',
    '  --serve URL         listen on URL (tcp://HOST:PORT, unix:///PATH, ws://HOST:PORT); repeatable',
    '  --connect URL       stay connected to another node (reconnects with backoff); repeatable;',
    '                      nats://host:port[,host:port…][?network=NAME] joins a network over NATS',
    '  --reconnect-delay MS  first delay before reconnecting (default 1000)',
    '  --no-node-socket    do not listen on the local node socket',
    '  --monitor ADDR      serve the HTTP monitor (JSON, /metrics, dashboard) on HOST:PORT, :PORT or PORT',
    '                      (without a host: 127.0.0.1)',
    '  --monitor-token T   require the token T for the monitor (Bearer or ?token=); also $STREAMTASKS_MONITOR_TOKEN',
    '  --monitor-basic U:P require basic auth user U, password P for the monitor',
  ].join('\n'),
  options: {
    core: { type: 'boolean' },
    serve: { type: 'string', multiple: true },
    connect: { type: 'string', multiple: true },
    'reconnect-delay': { type: 'string' },
    'no-node-socket': { type: 'boolean' },
    monitor: { type: 'string' },
    'monitor-token': { type: 'string' },
    'monitor-basic': { type: 'string' },
  },
  async run(values, _positionals, io) {
    const log = (line: string) => io.out(timestamped(line));
    const node = await startNode({
      core: values.core === true,
      serve: values.serve,
      connect: values.connect,
      nodeSocket: values['no-node-socket'] !== true,
      reconnectDelay: values['reconnect-delay'] === undefined ? undefined : numberArg(values['reconnect-delay'], '--reconnect-delay'),
      monitor: monitorOptions(values, io.env),
    });
    node.events.on('connection-accepted', (server, info, link) => log(`connection from ${info.remote} accepted on ${server} (cost ${link.cost})`));
    node.events.on('connection-rejected', (server, err, remote) => log(`connection from ${remote} rejected on ${server}: ${err.message}`));
    node.events.on('connection-closed', (server, remote, reason) => log(`connection from ${remote} on ${server} closed${formatReason(reason)}`));
    node.events.on('connector-status', (url, status) => {
      switch (status.state) {
        case 'connected': return log(`connected to ${url} (cost ${status.link.cost})`);
        case 'disconnected': return log(`disconnected from ${url}${formatReason(status.reason)}`);
        case 'retrying': return log(`retrying ${url} in ${status.delay} ms${formatReason(status.error)}`);
        default: return undefined;
      }
    });
    node.events.on('error', (err) => io.err(timestamped(`${ERROR_PREFIX}${err.message}`)));
    if (node.isCore) log('discovery service running at address 0');
    for (const url of node.urls) log(`listening on ${url}`);
    if (node.monitorUrl) log(`monitor on ${node.monitorUrl}`);
    log('ready');
    await untilAborted(io.signal);
    log('stopping');
    await node.close();
    log('stopped');
    return ExitCode.OK;
  },
});
