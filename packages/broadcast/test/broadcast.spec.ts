import { AbortError, ConnectionClosedError, MessageType, RawData, TimeoutError, type AddressedMessage, type Id, type Message } from '@streamtasks/link';
import { FetchError, type Client } from '@streamtasks/client';
import { BroadcastReceiver, BroadcastingServer, MAX_NAMESPACES_PER_REQUEST, ReceiverStoppedError } from '@streamtasks/broadcast';
import { GET_TOPICS } from '@streamtasks/broadcast/internal';
import { createNetwork, deferred, hex, loadBodies, nextEvent, vectorOf } from '@streamtasks/testing';

const PUBLISHER = 10_000;

describe('BroadcastingServer and BroadcastReceiver', () => {
  let net: ReturnType<typeof createNetwork>;
  let publisher: Client;
  let listener: Client;
  let server: BroadcastingServer;
  let allocations: number[];
  let next: number;

  beforeEach(() => {
    net = createNetwork();
    publisher = net.connect(PUBLISHER);
    listener = net.connect(10_001);
    allocations = [];
    next = 100_000;
    server = new BroadcastingServer(publisher, {
      allocateTopics: (count) => {
        allocations.push(count);
        return Array.from({ length: count }, () => next++);
      },
    }).start();
  });

  afterEach(() => {
    server.stop();
    net.close();
  });

  const receiverFor = (namespaces: string[], options = {}) =>
    new BroadcastReceiver(listener, namespaces, { endpoint: PUBLISHER, ...options }).start({ timeout: 2000 });

  /** Resolves once everything the listener sent before has reached the publisher. */
  async function flushListener(): Promise<void> {
    const got = deferred<AddressedMessage>();
    const off = publisher.listenPort(4444, (m) => got.resolve(m));
    listener.sendToAddress(PUBLISHER, 4444, 'marker');
    await got.promise;
    off();
  }

  test('a receiver gets what is broadcast on its namespaces', async () => {
    const receiver = await receiverFor(['a', 'b']);
    expect([...receiver.topics]).toEqual([['a', 100_000], ['b', 100_001]]);
    expect(server.broadcast('a', { n: 1 })).toBe(true);
    expect(server.broadcast('b', 'two')).toBe(true);
    await expect(receiver.recv({ timeout: 2000 })).resolves.toEqual(['a', { n: 1 }]);
    await expect(receiver.recv({ timeout: 2000 })).resolves.toEqual(['b', 'two']);
    receiver.stop();
  });

  test('for await yields [namespace, data] until stopped', async () => {
    const receiver = await receiverFor(['news']);
    server.broadcast('news', 1);
    server.broadcast('news', 2);
    server.broadcast('news', 3);
    const seen: unknown[] = [];
    for await (const [namespace, data] of receiver) {
      seen.push([namespace, data]);
      if (seen.length === 2) receiver.stop();
    }
    expect(seen).toEqual([['news', 1], ['news', 2]]);
  });

  test('breaking out of the loop stops the receiver', async () => {
    const receiver = await receiverFor(['news']);
    server.broadcast('news', 1);
    for await (const item of receiver) {
      expect(item).toEqual(['news', 1]);
      break;
    }
    expect(receiver.isRunning).toBe(false);
    expect(listener.isInTopicRegistered(100_000)).toBe(false);
  });

  test('stop unsubscribes, ends pending waits and nothing is received after it', async () => {
    const receiver = await receiverFor(['news']);
    const topic = receiver.topics.get('news')!;
    await flushListener();
    expect(net.hub.subscriberCount(topic)).toBe(1);
    const pending = receiver.recv();
    const iteration = (async () => {
      const items: unknown[] = [];
      for await (const item of receiver) items.push(item);
      return items;
    })();
    receiver.stop();
    receiver.stop();
    await expect(pending).rejects.toBeInstanceOf(ReceiverStoppedError);
    await expect(iteration).resolves.toEqual([]);
    await flushListener();
    expect(listener.isInTopicRegistered(topic)).toBe(false);
    expect(net.hub.subscriberCount(topic)).toBe(0);
    server.broadcast('news', 'after stop');
    await flushListener();
    expect(receiver.bufferedCount).toBe(0);
    await expect(receiver.recv()).rejects.toBeInstanceOf(ReceiverStoppedError);
    await expect(receiver.start()).rejects.toBeInstanceOf(ReceiverStoppedError);
  });

  test('stopping the client stops the receiver', async () => {
    const receiver = await receiverFor(['news']);
    const pending = receiver.recv();
    listener.stop();
    await expect(pending).rejects.toBeInstanceOf(ReceiverStoppedError);
    expect(receiver.isRunning).toBe(false);
  });

  test('closed resolves once stopped: undefined for stop(), the ConnectionClosedError of a lost link, which also ends a loop', async () => {
    const stopped = await receiverFor(['news']);
    const whenStopped = stopped.closed;
    expect(stopped.isClosed).toBe(false);
    stopped.stop();
    expect(stopped.isClosed).toBe(true);
    await expect(whenStopped).resolves.toBeUndefined();

    const lost = await receiverFor(['news']);
    const loop = (async () => {
      for await (const _ of lost) void _;
    })();
    listener.link.close();
    await expect(loop).rejects.toBeInstanceOf(ConnectionClosedError);
    await expect(lost.closed).resolves.toBeInstanceOf(ConnectionClosedError);
    expect(lost.isClosed).toBe(true);
  });

  test('is async disposable', async () => {
    let outside: BroadcastReceiver | undefined;
    {
      await using receiver = await receiverFor(['news']);
      outside = receiver;
      expect(receiver.isRunning).toBe(true);
    }
    expect(outside.isRunning).toBe(false);
  });

  test('recv is bounded by timeout and signal, and loses nothing', async () => {
    const receiver = await receiverFor(['news', 'sport']);
    const timedOut = (await receiver.recv({ timeout: 10 }).catch((e: unknown) => e)) as TimeoutError;
    expect(timedOut).toBeInstanceOf(TimeoutError);
    expect(timedOut.message).toContain('broadcast data on "news", "sport"');
    const controller = new AbortController();
    const aborted = receiver.recv({ signal: controller.signal });
    controller.abort();
    await expect(aborted).rejects.toBeInstanceOf(AbortError);
    server.broadcast('news', 'kept');
    await expect(receiver.recv({ timeout: 2000 })).resolves.toEqual(['news', 'kept']);
    receiver.stop();
  });

  test('a namespace keeps its topic; new namespaces are allocated once, in one call per request', async () => {
    const first = await receiverFor(['a', 'b']);
    const second = await receiverFor(['b', 'c']);
    expect(Object.fromEntries(second.topics)).toEqual({ b: 100_001, c: 100_002 });
    expect(allocations).toEqual([2, 1]);
    expect(server.topicOf('c')).toBe(100_002);
    expect([...server.namespaces.keys()]).toEqual(['a', 'b', 'c']);
    first.stop();
    second.stop();
  });

  test('concurrent requests for a new namespace share one allocation', async () => {
    const gate = deferred<Id[]>();
    let calls = 0;
    const slow = new BroadcastingServer(publisher, {
      port: 2000,
      allocateTopics: () => {
        calls++;
        return gate.promise;
      },
    }).start();
    const options = { endpoint: [PUBLISHER, 2000] as const };
    const one = new BroadcastReceiver(listener, ['x'], options).start({ timeout: 2000 });
    const two = new BroadcastReceiver(listener, ['x'], options).start({ timeout: 2000 });
    await flushListener();
    gate.resolve([555]);
    const [r1, r2] = await Promise.all([one, two]);
    expect(calls).toBe(1);
    expect(r1.topics.get('x')).toBe(555);
    expect(r2.topics.get('x')).toBe(555);
    r1.stop();
    r2.stop();
    slow.stop();
  });

  test('new topics are provided before the answer arrives', async () => {
    const receiver = await receiverFor(['fresh']);
    const topic = receiver.topics.get('fresh')!;
    expect(publisher.isOutTopicRegistered(topic)).toBe(true);
    expect(listener.topicCost(topic)).toBeDefined();
    receiver.stop();
  });

  test('broadcasting on a namespace nobody asked for sends nothing', () => {
    expect(server.broadcast('nobody', 1)).toBe(false);
  });

  test('stop withdraws the topics; a restart provides the same ids again', async () => {
    const receiver = await receiverFor(['news']);
    const topic = receiver.topics.get('news')!;
    server.stop();
    expect(publisher.isOutTopicRegistered(topic)).toBe(false);
    expect(server.broadcast('news', 1)).toBe(false);
    server.start();
    expect(publisher.isOutTopicRegistered(topic)).toBe(true);
    server.broadcast('news', 'back');
    await expect(receiver.recv({ timeout: 2000 })).resolves.toEqual(['news', 'back']);
    receiver.stop();
  });

  test('a body that is not a list of strings answers bad_request', async () => {
    await expect(listener.fetch([PUBLISHER, 102], GET_TOPICS, 'news', { timeout: 2000 })).rejects.toMatchObject({
      fetchCode: 'bad_request',
    });
    await expect(listener.fetch([PUBLISHER, 102], GET_TOPICS, [1], { timeout: 2000 })).rejects.toMatchObject({
      fetchCode: 'bad_request',
      message: 'body[0]: expected a string',
    });
  });

  test('more than MAX_NAMESPACES_PER_REQUEST namespaces at once answer bad_request; the limit itself is fine', async () => {
    const names = (n: number) => Array.from({ length: n }, (_, i) => `ns-${i}`);
    await expect(listener.fetch([PUBLISHER, 102], GET_TOPICS, names(MAX_NAMESPACES_PER_REQUEST + 1), { timeout: 2000 }))
      .rejects.toMatchObject({ fetchCode: 'bad_request' });
    expect(allocations).toEqual([]);
    const answer = await listener.fetch([PUBLISHER, 102], GET_TOPICS, names(MAX_NAMESPACES_PER_REQUEST), { timeout: 2000 }) as Record<string, number>;
    expect(Object.keys(answer)).toHaveLength(MAX_NAMESPACES_PER_REQUEST);
  });

  test.each([
    ['fails', () => Promise.reject(new Error('no ids left')), 'could not allocate topics: no ids left'],
    ['returns too few ids', () => [], 'the allocator returned 0 topic ids for 1 namespaces'],
  ])('an allocator that %s answers general', async (_what, allocateTopics, message) => {
    const failing = new BroadcastingServer(publisher, { port: 3000, allocateTopics }).start();
    const failure = await new BroadcastReceiver(listener, ['x'], { endpoint: [PUBLISHER, 3000] })
      .start({ timeout: 2000 })
      .catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(FetchError);
    expect((failure as FetchError).fetchCode).toBe('general');
    expect((failure as FetchError).message).toBe(message);
    failing.stop();
  });

  test('start is bounded: no server at the endpoint times out', async () => {
    const receiver = new BroadcastReceiver(listener, ['x'], { endpoint: 12_345 });
    await expect(receiver.start({ timeout: 20 })).rejects.toBeInstanceOf(TimeoutError);
    expect(receiver.isRunning).toBe(false);
  });

  test('stop during start rejects the start with ReceiverStoppedError', async () => {
    const receiver = new BroadcastReceiver(listener, ['x'], { endpoint: 12_345 });
    const starting = receiver.start({ timeout: 2000 });
    receiver.stop();
    await expect(starting).rejects.toBeInstanceOf(ReceiverStoppedError);
  });

  test('a slow consumer loses the oldest items beyond maxBuffered, with an overflow event', async () => {
    const receiver = await receiverFor(['n'], { maxBuffered: 2 });
    const overflow = nextEvent<[number]>((l) => receiver.events.on('overflow', l));
    for (let i = 1; i <= 3; i++) server.broadcast('n', i);
    await expect(overflow).resolves.toEqual([1]);
    expect(receiver.bufferedCount).toBe(2);
    await expect(receiver.recv()).resolves.toEqual(['n', 2]);
    await expect(receiver.recv()).resolves.toEqual(['n', 3]);
    receiver.stop();
  });

  test('an undecodable broadcast is reported and skipped', async () => {
    const receiver = await receiverFor(['n']);
    const reported = nextEvent<[Error]>((l) => receiver.events.on('error', l));
    publisher.sendStreamData(receiver.topics.get('n')!, RawData.fromBytes(new Uint8Array([0xc1])));
    server.broadcast('n', 'fine');
    const [error] = await reported;
    expect(error.message).toContain('undecodable broadcast on "n"');
    await expect(receiver.recv({ timeout: 2000 })).resolves.toEqual(['n', 'fine']);
    receiver.stop();
  });

  test('gettopics request and answer bytes match the Python implementation', async () => {
    const bodies = loadBodies();
    const step = "B: wait_for_address_name('pyecho') before it exists (resolve -> null, broadcast gettopics, subscribe)";
    const request = bodies.fetch_requests.find((v) => v.step === step && v.port === 102)!;
    const response = vectorOf(bodies.fetch_responses.filter((v) => v.port === 10_000), step);
    next = 100_002;
    const sent: AddressedMessage[] = [];
    const send = listener.link.send.bind(listener.link);
    listener.link.send = (message: Message) => {
      if (message.type === MessageType.Addressed) sent.push(message);
      return send(message);
    };
    const received: AddressedMessage[] = [];
    listener.addReceiver((m) => {
      if (m.type === MessageType.Addressed) received.push(m);
    });
    const receiver = await new BroadcastReceiver(listener, ['address-name/registered'], { endpoint: PUBLISHER }).start({ timeout: 2000 });
    expect(sent[0]!.port).toBe(102);
    expect(hex(sent[0]!.data.bytes)).toBe(request.payload_hex); // return address 10001, return port 10000, as recorded
    expect(hex(received[0]!.data.bytes)).toBe(response.payload_hex);
    receiver.stop();
  });
});
