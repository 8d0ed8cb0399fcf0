import type { Id } from '@streamtasks/link';
import type { Client } from '@streamtasks/client';
import { InTopic, type InTopicOptions } from './in-topic.js';
import { OutTopic, type OutTopicOptions } from './out-topic.js';
import { SynchronizedInTopic } from './synchronized-in-topic.js';
import type { InTopicSynchronizer } from './synchronizer.js';

/** A registered {@link InTopic} (the Python client's `client.in_topic(id)`). */
export function inTopic<T = unknown>(client: Client, topic: Id, options?: InTopicOptions): InTopic<T> {
  return new InTopic<T>(client, topic, options);
}

/** A registered {@link OutTopic} (the Python client's `client.out_topic(id)`). */
export function outTopic(client: Client, topic: Id, options?: OutTopicOptions): OutTopic {
  return new OutTopic(client, topic, options);
}

/** A registered {@link SynchronizedInTopic} (the Python client's `client.sync_in_topic(id, sync)`). */
export function synchronizedInTopic<T = unknown>(
  client: Client,
  topic: Id,
  sync: InTopicSynchronizer,
  options?: InTopicOptions,
): SynchronizedInTopic<T> {
  return new SynchronizedInTopic<T>(client, topic, sync, options);
}
