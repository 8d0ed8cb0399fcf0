// One name per thing: sendToTopic / sendTopicControl beside sendToAddress
// (the old names stay as deprecated aliases for one release), the link's
// subscribedTopics beside inTopics, and "no route" is `undefined` on both
// Client.topicCost and Switch.topicCost.
import { network, until } from './helpers.js';

test('sendToTopic and sendTopicControl publish; the deprecated names do the same', async () => {
  const net = network(true);
  try {
    const provider = net.client();
    const subscriber = net.client();
    const seen: Array<[string, unknown]> = [];
    subscriber.subscribe(800, {
      data: (d) => seen.push(['data', d.value]),
      control: (paused) => seen.push(['control', paused]),
    });
    provider.registerOutTopics([800]);
    await until(provider, () => provider.isRequested(800));
    expect(provider.sendToTopic(800, 1)).toBe(true);
    provider.sendTopicControl(800, { paused: true });
    provider.sendStreamData(800, 2);
    provider.sendStreamControl(800, { paused: false });
    await until(subscriber, () => seen.length === 4);
    expect(seen).toEqual([['data', 1], ['control', true], ['data', 2], ['control', false]]);
  } finally {
    net.close();
  }
});

test('subscribedTopics holds what this end asked for (recvTopics is the same set); inTopics what the other end asked for', async () => {
  const net = network(false);
  try {
    const provider = net.client();
    const subscriber = net.client();
    provider.registerOutTopics([801]);
    await until(subscriber, () => subscriber.topicCost(801) !== undefined);
    subscriber.registerInTopics([801]);
    expect([...subscriber.link.subscribedTopics]).toEqual([801]);
    expect(subscriber.link.recvTopics).toBe(subscriber.link.subscribedTopics);
    await until(provider, () => provider.link.inTopics.has(801));
    expect(provider.link.subscribedTopics.size).toBe(0);
  } finally {
    net.close();
  }
});

test('no route is undefined on the client and on the switch', async () => {
  const net = network(false);
  try {
    const provider = net.client();
    const subscriber = net.client();
    expect(subscriber.topicCost(802)).toBeUndefined();
    expect(net.hub.topicCost(802)).toBeUndefined();
    expect(net.hub.addressCost(20_000)).toBeUndefined();
    provider.registerOutTopics([802]);
    provider.setAddress(20_000);
    await until(subscriber, () => subscriber.topicCost(802) !== undefined && subscriber.link.addresses.has(20_000));
    expect(net.hub.topicCost(802)).toBe(1);
    expect(net.hub.addressCost(20_000)).toBe(1);
    expect(subscriber.topicCost(802)).toBe(2);
  } finally {
    net.close();
  }
});

