import type { Id, WaitOptions } from '@streamtasks/link';
import { DISCOVERY_ADDRESS, Ports, type Client } from '@streamtasks/client';
import { fetchAs } from '@streamtasks/fetch';
import { Bodies, DiscoveryDescriptors } from './protocol.js';

const DISCOVERY_FETCH = [DISCOVERY_ADDRESS, Ports.FETCH] as const;

/** A registered topic space: its id and the map inside topic id → network topic id. */
export interface TopicSpaceRegistration {
  id: Id;
  map: Map<Id, Id>;
}

/**
 * Registers a topic space: discovery gives each of `topicIds` a fresh
 * topic id. Place a participant into the space by wrapping its link in a
 * `TopicRemappingLink` with the returned map.
 *
 * @example
 * ```ts
 * const { id, map } = await registerTopicSpace(client, [1, 2]);
 * const inside = new Client(new TopicRemappingLink(link, map)).start();
 * ```
 */
export async function registerTopicSpace(client: Client, topicIds: Iterable<Id>, options?: WaitOptions): Promise<TopicSpaceRegistration> {
  const answer = await fetchAs(
    client, DISCOVERY_FETCH, DiscoveryDescriptors.REGISTER_TOPIC_SPACE, { topic_ids: [...topicIds] }, Bodies.topicSpace, options,
  );
  return { id: answer.id, map: new Map(answer.topic_id_map) };
}

/** The map of a topic space. Rejects with `FetchError` `not_found` for an unknown id. */
export async function getTopicSpace(client: Client, id: Id, options?: WaitOptions): Promise<Map<Id, Id>> {
  const answer = await fetchAs(client, DISCOVERY_FETCH, DiscoveryDescriptors.GET_TOPIC_SPACE, { id }, Bodies.topicSpace, options);
  return new Map(answer.topic_id_map);
}

/** The network topic id of `topicId` inside a topic space. Rejects with `FetchError` `not_found` for an unknown space or topic. */
export async function getTopicSpaceTranslation(client: Client, topicSpaceId: Id, topicId: Id, options?: WaitOptions): Promise<Id> {
  const answer = await fetchAs(
    client, DISCOVERY_FETCH, DiscoveryDescriptors.GET_TOPIC_SPACE_TRANSLATION,
    { topic_space_id: topicSpaceId, topic_id: topicId }, Bodies.translation, options,
  );
  return answer.topic_id;
}

/** Deletes a topic space. Rejects with `FetchError` `bad_request` for an unknown id. */
export async function deleteTopicSpace(client: Client, id: Id, options?: WaitOptions): Promise<void> {
  await client.fetch(DISCOVERY_FETCH, DiscoveryDescriptors.DELETE_TOPIC_SPACE, { id }, options);
}
