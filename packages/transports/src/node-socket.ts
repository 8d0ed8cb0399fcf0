// Node-only: where the local unix socket of a node lives.
import { hostname, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { ConnectionUrl } from './url.js';

/** The environment variable that names this machine's node (the Python package reads the same one). */
export const NODE_NAME_ENV = 'NODE_NAME';

/**
 * The URL of this machine's default node: its local unix socket. `connect()`
 * without a URL, and the command line without `--url`, use it.
 */
export const DEFAULT_NODE_URL = 'node://';

/** The name of this machine's node: `$NODE_NAME` when it is set (even empty), else the host name. */
export function nodeName(env: NodeJS.ProcessEnv = process.env): string {
  return env[NODE_NAME_ENV] ?? hostname();
}

/**
 * The path of the local unix socket of the node called `name` (default:
 * {@link nodeName}): `streamtasks-NAME.sock` in the temporary directory, the
 * same path a Python node of that name listens on. The temporary directory is
 * the first of `$TMPDIR`, `$TEMP` and `$TMP` that is set, else the system's
 * (`/tmp`), the order Python looks in.
 *
 * @example
 * ```ts
 * nodeSocketPath('edge-1'); // '/tmp/streamtasks-edge-1.sock'
 * ```
 */
export function nodeSocketPath(name?: string, env: NodeJS.ProcessEnv = process.env): string {
  return join(tempDirectory(env), `streamtasks-${name ?? nodeName(env)}.sock`);
}

function tempDirectory(env: NodeJS.ProcessEnv): string {
  for (const key of ['TMPDIR', 'TEMP', 'TMP']) {
    const dir = env[key];
    if (dir) return resolve(dir);
  }
  return process.platform === 'win32' ? tmpdir() : '/tmp';
}

/** The socket path a `unix://` or `node://` URL stands for. */
export function socketPathOf(target: ConnectionUrl): string {
  return target.scheme === 'node' ? nodeSocketPath(target.host === '' ? undefined : target.host) : target.path;
}
