import { TopicRemappingLink, type Id } from '@streamtasks/link';
import { Client, FetchError } from '@streamtasks/client';
import {
  deleteTopicSpace,
  getTopicSpace,
  getTopicSpaceTranslation,
  registerTopicSpace,
  requestAddress,
} from '@streamtasks/discovery';
import { createDiscoveryNetwork, type DiscoveryNetwork } from './network.js';
import { deferred } from '@streamtasks/testing';

async function fetchFailure(promise: Promise<unknown>): Promise<FetchError> {
  const failure = await promise.catch((e: unknown) => e);
  expect(failure).toBeInstanceOf(FetchError);
  return failure as FetchError;
}

describe('topic spaces', () => {
  let net: DiscoveryNetwork;
  let client: Client;

  beforeEach(async () => {
    net = createDiscoveryNetwork();
    client = net.connect();
    await requestAddress(client, { timeout: 2000 });
  });

  afterEach(() => net.close());

  test('register, get, translate, delete — with the errors of the reference', async () => {
    const { id, map } = await registerTopicSpace(client, [1, 2]);
    expect(id).toBe(1);
    expect([...map]).toEqual([[1, 100_000], [2, 100_001]]);
    await expect(getTopicSpace(client, id)).resolves.toEqual(map);
    await expect(getTopicSpaceTranslation(client, id, 1)).resolves.toBe(100_000);
    await expect(getTopicSpaceTranslation(client, id, 2)).resolves.toBe(100_001);

    const unknownTopic = await fetchFailure(getTopicSpaceTranslation(client, id, 99));
    expect(unknownTopic.fetchCode).toBe('not_found');
    expect(unknownTopic.body).toEqual(['not_found', '99']);
    const unknownSpace = await fetchFailure(getTopicSpaceTranslation(client, 42, 1));
    expect(unknownSpace.body).toEqual(['not_found', '42']);

    await expect(deleteTopicSpace(client, id)).resolves.toBeUndefined();
    const deleted = await fetchFailure(getTopicSpace(client, id));
    expect(deleted.body).toEqual(['not_found', '1']);
    const deletedTwice = await fetchFailure(deleteTopicSpace(client, id));
    expect(deletedTwice.fetchCode).toBe('bad_request');
    expect(deletedTwice.body).toEqual(['bad_request', '1']);
  });

  test('topic space ids count up from 1; duplicates in the request map once', async () => {
    await registerTopicSpace(client, [5]);
    const second = await registerTopicSpace(client, [7, 7, 8]);
    expect(second.id).toBe(2);
    expect([...second.map]).toEqual([[7, 100_001], [8, 100_002]]);
  });

  test('malformed bodies answer bad_request', async () => {
    const bad = await fetchFailure(client.fetch(0, 'register_topic_space', { topic_ids: ['x'] }, { timeout: 2000 }));
    expect(bad.fetchCode).toBe('bad_request');
    const missing = await fetchFailure(client.fetch(0, 'get_topic_space', {}, { timeout: 2000 }));
    expect(missing.fetchCode).toBe('bad_request');
  });

  test('a participant placed in a topic space through a TopicRemappingLink talks to the outside', async () => {
    const { map } = await registerTopicSpace(client, [1, 2]);
    const inside = new Client(new TopicRemappingLink(net.link(), map)).start();
    const outside = client;
    try {
      // inside publishes on its topic 1, which is 100000 outside.
      const outsideTopic = await getTopicSpaceTranslation(outside, 1, 1);
      const requested = deferred();
      inside.listenTopic(1, { requested: (yes) => yes && requested.resolve() });
      inside.registerOutTopics([1]);
      const received = deferred<[unknown, Id]>();
      outside.listenTopic(outsideTopic, { data: (d, t) => received.resolve([d.value, t]) });
      outside.registerInTopics([outsideTopic]);
      await requested.promise;
      inside.sendStreamData(1, { value: 'from inside' });
      await expect(received.promise).resolves.toEqual([{ value: 'from inside' }, 100_000]);

      // ...and receives what the outside publishes on 100001 as its topic 2.
      const outsideRequested = deferred();
      outside.listenTopic(100_001, { requested: (yes) => yes && outsideRequested.resolve() });
      outside.registerOutTopics([100_001]);
      const insideReceived = deferred<[unknown, Id]>();
      inside.listenTopic(2, { data: (d, t) => insideReceived.resolve([d.value, t]) });
      inside.registerInTopics([2]);
      await outsideRequested.promise;
      outside.sendStreamData(100_001, 'from outside');
      await expect(insideReceived.promise).resolves.toEqual(['from outside', 2]);
    } finally {
      inside.close();
    }
  });
});
