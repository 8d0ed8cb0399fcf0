import type { Client, Endpoint, FetchOptions } from '@streamtasks/client';
import type { Check } from './check.js';

/**
 * `client.fetch` whose answer is checked: resolves with the answer typed by
 * `validate`, or rejects with `InvalidResponseError` when the server
 * answered with something else. Fetch failures (`FetchError`, timeouts,
 * aborts) pass through unchanged.
 *
 * @example
 * ```ts
 * const { topics } = await fetchAs(client, 0, 'request_topics', { count: 2 },
 *   check.object({ topics: check.array(check.id()) }), { timeout: 2000 });
 * ```
 */
export async function fetchAs<R>(
  client: Client,
  endpoint: Endpoint,
  descriptor: string,
  body: unknown,
  validate: Check<R>,
  options?: FetchOptions,
): Promise<R> {
  return client.fetch(endpoint, descriptor, body, { ...options, validate });
}
