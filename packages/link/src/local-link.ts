import { createQueueLinkPair, type QueueLink, type QueueLinkOptions } from './queue-link.js';
import type { Switch } from './switch.js';

/**
 * Attaches a fresh in-process connection to `target` and returns its other
 * end, for a client or another switch in the same process (the Python
 * switch's `add_local_connection()`). Closing the returned link removes the
 * connection from the switch.
 *
 * @example
 * ```ts
 * const hub = new Switch();
 * const link = addLocalLink(hub);
 * ```
 */
export function addLocalLink(target: Switch, options?: QueueLinkOptions): QueueLink {
  const [switchSide, local] = createQueueLinkPair(options);
  target.addLink(switchSide);
  return local;
}
