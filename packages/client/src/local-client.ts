import { addLocalLink, type QueueLinkOptions, type Switch } from '@streamtasks/link';
import { Client, type ClientOptions } from './client.js';

export interface LocalClientOptions extends ClientOptions {
  /** Options of the in-process link (e.g. `serialize: true` to run every message through the codec). */
  link?: QueueLinkOptions;
}

/**
 * A started client on a fresh in-process link to `target` (Python:
 * `Client(await switch.add_local_connection())`). Closing the client removes
 * its link from the switch.
 *
 * @example
 * ```ts
 * const hub = new Switch();
 * await using client = createLocalClient(hub);
 * client.registerOutTopics([100_000]);
 * ```
 */
export function createLocalClient(target: Switch, options: LocalClientOptions = {}): Client {
  const { link, ...clientOptions } = options;
  return new Client(addLocalLink(target, link), clientOptions).start();
}
