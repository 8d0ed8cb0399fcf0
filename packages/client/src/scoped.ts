// Topic registration for the lifetime of a block (`using`), like the Python
// client's `in_topics_context` / `out_topics_context`.
import type { Id } from '@streamtasks/link';
import type { Client } from './client.js';

/**
 * Registers `topics` as in-topics now and unregisters them when the scope
 * ends, however it ends. Registration is reference counted, so a topic
 * registered elsewhere as well stays registered.
 *
 * @example
 * ```ts
 * {
 *   using _topics = registerInTopicsScoped(client, [100_000, 100_001]);
 *   // … receive …
 * } // unregistered here, also after a throw
 * ```
 */
export function registerInTopicsScoped(client: Client, topics: Iterable<Id>): Disposable {
  const ids = [...topics];
  client.registerInTopics(ids);
  return once(() => {
    client.unregisterInTopics(ids);
  });
}

/** Registers `topics` as out-topics for the lifetime of a scope (see {@link registerInTopicsScoped}). */
export function registerOutTopicsScoped(client: Client, topics: Iterable<Id>): Disposable {
  const ids = [...topics];
  client.registerOutTopics(ids);
  return once(() => {
    client.unregisterOutTopics(ids);
  });
}

function once(release: () => void): Disposable {
  let done = false;
  return {
    [Symbol.dispose]() {
      if (done) return;
      done = true;
      release();
    },
  };
}
