/**
 * Topics as objects on top of `@streamtasks/client`: {@link OutTopic} to
 * publish, {@link InTopic} to subscribe (an async iterable), and
 * {@link SynchronizedInTopic} with the sequential synchronizers to merge
 * several topics in timestamp order.
 *
 * The short forms `outTopic(client, id)` and `inTopic(client, id)` mirror
 * the Python client's `client.out_topic(id)` / `client.in_topic(id)`.
 *
 * @example
 * ```ts
 * import { inTopic, outTopic } from '@streamtasks/topic';
 *
 * await using out = outTopic(publisher, 100_000);
 * await using sub = inTopic(subscriber, 100_000);
 * await out.waitRequested();
 * await out.send({ timestamp: Date.now(), value: 42 });
 * console.log(await sub.recvData({ timeout: 1000 }));
 * ```
 *
 * @packageDocumentation
 */
export { TopicControlData } from './control.js';
export { TopicClosedError } from './errors.js';
export { TopicSubscription } from './subscription.js';
export { InTopic, type InTopicEvents, type InTopicItem, type InTopicOptions } from './in-topic.js';
export { OutTopic, type OutTopicEvents, type OutTopicOptions } from './out-topic.js';
export { SynchronizedInTopic } from './synchronized-in-topic.js';
export {
  PrioritizedSequentialInTopicSynchronizer,
  SequentialInTopicSynchronizer,
  type InTopicSynchronizer,
  type Waiter,
} from './synchronizer.js';
export { getTimestamp } from './timestamp.js';
export { inTopic, outTopic, synchronizedInTopic } from './factories.js';
export {
  TopicsReceiver,
  receiveTopics,
  type TopicsReceiverEvents,
  type TopicsReceiverOptions,
} from './topics-receiver.js';
export { registerScoped, type Registrable } from './scoped.js';
