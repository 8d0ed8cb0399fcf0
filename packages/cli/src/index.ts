/**
 * The `streamtasks` command line and the composed node it runs: a switch,
 * the discovery service, servers and auto-reconnecting connectors.
 *
 * @example
 * ```ts
 * import { startNode } from '@streamtasks/cli';
 *
 * const node = await startNode({ core: true, serve: ['tcp://127.0.0.1:9002'] });
 * // ... clients connect with `connect('tcp://127.0.0.1:9002')`
 * await node.close();
 * ```
 *
 * @packageDocumentation
 */
export { StreamtasksNode, startNode, type NodeEvents, type NodeOptions } from './node.js';
export { DEFAULT_URL, URL_ENV, openClient, resolveUrl, type OpenClientOptions } from './remote-client.js';
export { main } from './main.js';
export { ExitCode, type CommandIO, type Terminal } from './command.js';
export { ERROR_PREFIX, describeFailure, exitCodeFor } from './exit-codes.js';
