// Registration is reference counted: only the first register and the last
// unregister of a topic reach the network; requested state and provider cost
// propagate through a switch; data for unrequested topics is dropped.
import { MessageType, type Message } from '@streamtasks/link';
import { PortInUseError } from '@streamtasks/client';
import { network, until } from './helpers.js';

describe.each([false, true])('registration (serialized=%s)', (serialize) => {
  let net: ReturnType<typeof network>;
  beforeEach(() => (net = network(serialize)));
  afterEach(() => net.close());

  test('in-topics are reference counted; force drops at once', async () => {
    const provider = net.client();
    const subscriber = net.client();
    provider.registerOutTopics([500]);
    await until(subscriber, () => subscriber.topicCost(500) !== undefined);
    const requests: Message[] = [];
    provider.addReceiver((m) => m.type === MessageType.InTopicsChanged && requests.push(m));

    subscriber.registerInTopics([500]);
    subscriber.registerInTopics([500]);
    await until(provider, () => provider.isRequested(500));
    subscriber.unregisterInTopics([500]);
    expect(subscriber.isInTopicRegistered(500)).toBe(true);
    subscriber.unregisterInTopics([500]);
    subscriber.unregisterInTopics([500]); // one too many: harmless
    await until(provider, () => !provider.isRequested(500));
    expect(requests).toEqual([
      expect.objectContaining({ add: [500], remove: [] }),
      expect.objectContaining({ add: [], remove: [500] }),
    ]);

    subscriber.registerInTopics([500]);
    subscriber.registerInTopics([500]);
    await until(provider, () => provider.isRequested(500));
    subscriber.unregisterInTopics([500], { force: true });
    expect(subscriber.isInTopicRegistered(500)).toBe(false);
    await until(provider, () => !provider.isRequested(500));
  });

  test('out-topics are reference counted and cost reaches subscribers', async () => {
    const provider = net.client();
    const subscriber = net.client();
    provider.registerOutTopics([600]);
    provider.registerOutTopics([600]);
    await until(subscriber, () => subscriber.topicCost(600) !== undefined);
    expect(subscriber.topicCost(600)).toBe(2); // one hop into the switch, one out
    provider.unregisterOutTopics([600]);
    expect(provider.isOutTopicRegistered(600)).toBe(true);
    provider.unregisterOutTopics([600]);
    await until(subscriber, () => subscriber.topicCost(600) === undefined);
  });

  test('data for topics the client did not request is dropped', async () => {
    const provider = net.client();
    const subscriber = net.client();
    const seen: unknown[] = [];
    subscriber.listenTopic(700, { data: (d) => seen.push(d.value) });
    subscriber.listenTopic(701, { data: (d) => seen.push(d.value) });
    provider.registerOutTopics([700, 701]);
    subscriber.registerInTopics([701]);
    await until(provider, () => provider.isRequested(701));
    // Even if the topic reaches the client's link, the client drops it.
    provider.sendStreamData(700, 'not requested');
    provider.sendStreamData(701, 'requested');
    await until(subscriber, () => seen.length > 0);
    expect(seen).toEqual(['requested']);
  });

  test('data follows the request, not the listeners: unrequested again it is dropped, listeners or not', async () => {
    const provider = net.client();
    const subscriber = net.client();
    const seen: string[] = [];
    const received: unknown[] = [];
    subscriber.addReceiver((m) => m.type === MessageType.TopicData && received.push(m.data.value));
    provider.registerOutTopics([710, 711]);
    subscriber.registerInTopics([710, 711]);
    const offA = subscriber.listenTopic(710, { data: (d) => seen.push(`a:${d.value}`) });
    subscriber.listenTopic(710, { data: (d) => seen.push(`b:${d.value}`) });
    await until(provider, () => provider.isRequested(710));
    provider.sendStreamData(710, 1);
    await until(subscriber, () => received.length === 1);
    expect(seen).toEqual(['a:1', 'b:1']);

    // Unrequested: dropped before listeners and receivers; 711 (sent after it) marks that it arrived.
    subscriber.unregisterInTopics([710]);
    provider.sendStreamData(710, 2);
    provider.sendStreamData(711, 3);
    await until(subscriber, () => received.length === 2);
    expect(received).toEqual([1, 3]);
    expect(seen).toEqual(['a:1', 'b:1']);
    await until(provider, () => !provider.isRequested(710));

    // Requested again, without one listener: the other still hears it, in order.
    offA();
    subscriber.registerInTopics([710]);
    await until(provider, () => provider.isRequested(710));
    provider.sendStreamData(710, 4);
    provider.sendStreamData(710, 5);
    await until(subscriber, () => received.length === 4);
    expect(seen).toEqual(['a:1', 'b:1', 'b:4', 'b:5']);
  });

  test('addresses are announced and withdrawn', async () => {
    const a = net.client();
    const b = net.client();
    a.setAddress(10_123);
    await until(b, () => b.link.addresses.has(10_123));
    a.setAddress(undefined);
    await until(b, () => !b.link.addresses.has(10_123));
    expect(a.address).toBeUndefined();
  });

  test('dynamic ports start at 10000 and are unique', () => {
    const c = net.client();
    const ports = [c.allocatePort(), c.allocatePort(), c.allocatePort()];
    expect(ports).toEqual([10000, 10001, 10002]);
    c.releasePort(10001);
    expect(c.allocatePort()).toBe(10003); // released ports are not handed out again soon
  });
});

describe('lifecycle', () => {
  test('withdrawals after the link closed only update the bookkeeping', () => {
    const net = network(true);
    const c = net.client();
    c.setAddress(10_500);
    c.registerInTopics([1]);
    c.registerOutTopics([2]);
    c.close();
    expect(() => c.unregisterInTopics([1])).not.toThrow();
    expect(() => c.unregisterOutTopics([2])).not.toThrow();
    expect(() => c.setAddress(undefined)).not.toThrow();
    expect(c.isInTopicRegistered(1)).toBe(false);
    expect(() => c.registerInTopics([3])).toThrow(/closed/);
    net.close();
  });

  test('a port takes one handler; subscribe() registers and listens in one step', async () => {
    const net = network(false);
    const provider = net.client();
    const c = net.client();
    c.listenPort(12_000, () => undefined);
    expect(() => c.listenPort(12_000, () => undefined)).toThrow(PortInUseError);
    provider.registerOutTopics([900]);
    const got: unknown[] = [];
    const off = c.subscribe(900, { data: (d) => got.push(d.value) });
    await until(provider, () => provider.isRequested(900));
    provider.sendStreamData(900, 'x');
    await until(c, () => got.length === 1);
    off();
    off();
    expect(c.isInTopicRegistered(900)).toBe(false);
    net.close();
  });
});
