import { toId, type Id, type WaitOptions } from '@streamtasks/link';
import { boundedWait } from '@streamtasks/link/internal';
import { ClientStoppedError, type Client } from '@streamtasks/client';
import { DEFAULT_WAIT_TIMEOUT } from './wait.js';

/**
 * Waits for any message on `topic` — a payload or a control state (Python:
 * `wait_for_topic_signal(client, topic)`). The topic is requested for the
 * wait and released after it. Bounded by `options` (default 10 s); fails
 * with `TimeoutError`, `AbortError` or, when the client stops,
 * `ClientStoppedError`.
 *
 * @example
 * ```ts
 * await waitForTopicSignal(client, 100_000, { timeout: 5000 }); // a service announced itself there
 * ```
 */
export function waitForTopicSignal(client: Client, topic: Id, options?: WaitOptions): Promise<void> {
  if (!client.isRunning) return Promise.reject(new ClientStoppedError());
  const id = toId(topic);
  return boundedWait<void>(`a message on topic ${String(id)}`, options, (resolve, reject) => {
    const offListen = client.listenTopic(id, { data: () => resolve(), control: () => resolve() });
    const offStop = client.onStop(reject);
    client.registerInTopics([id]);
    return () => {
      offListen();
      offStop();
      client.unregisterInTopics([id]);
    };
  }, DEFAULT_WAIT_TIMEOUT);
}
