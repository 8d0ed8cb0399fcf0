/**
 * Broadcasts: data published by namespace. A {@link BroadcastingServer}
 * maps namespaces to topic ids (handed out by an allocator, e.g. discovery)
 * and answers the fetch `gettopics` on port 102; a
 * {@link BroadcastReceiver} asks it for the topics of its namespaces,
 * subscribes and yields `[namespace, data]`.
 *
 * @example
 * ```ts
 * import { Switch, createQueueLinkPair } from '@streamtasks/link';
 * import { Client } from '@streamtasks/client';
 * import { BroadcastingServer, BroadcastReceiver } from '@streamtasks/broadcast';
 *
 * const hub = new Switch();
 * const [s1, l1] = createQueueLinkPair();
 * const [s2, l2] = createQueueLinkPair();
 * hub.addLink(s1);
 * hub.addLink(s2);
 * const publisher = new Client(l1).start();
 * publisher.setAddress(10_000);
 * const listener = new Client(l2).start();
 * listener.setAddress(10_001);
 *
 * let next = 100_000;
 * const server = new BroadcastingServer(publisher, {
 *   allocateTopics: (count) => Array.from({ length: count }, () => next++),
 * }).start();
 * const receiver = await new BroadcastReceiver(listener, ['news'], { endpoint: 10_000 }).start({ timeout: 2000 });
 * server.broadcast('news', { headline: 'hello' });
 * const [namespace, data] = await receiver.recv({ timeout: 2000 }); // ['news', { headline: 'hello' }]
 * receiver.stop();
 * ```
 *
 * @packageDocumentation
 */
export { ReceiverStoppedError, TopicAllocationError } from './errors.js';
export { MAX_NAMESPACES_PER_REQUEST } from './protocol.js';
export { BroadcastReceiver, type BroadcastReceiverEvents, type BroadcastReceiverOptions } from './receiver.js';
export { BroadcastingServer, type BroadcastingServerOptions, type TopicAllocator } from './server.js';
