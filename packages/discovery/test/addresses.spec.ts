import { AbortError, MessageType, Switch, TimeoutError, createQueueLinkPair, type Message } from '@streamtasks/link';
import { Client, ClientStoppedError, FetchError } from '@streamtasks/client';
import { MAX_IDS_PER_REQUEST, requestAddress, requestAddresses, requestTopicIds } from '@streamtasks/discovery';
import { randomRequestId } from '@streamtasks/discovery/internal';
import { createDiscoveryNetwork, type DiscoveryNetwork } from './network.js';
import { loadBodies } from '@streamtasks/testing';

describe('addresses and topic ids from discovery', () => {
  let net: DiscoveryNetwork;

  beforeEach(() => {
    net = createDiscoveryNetwork();
  });

  afterEach(() => {
    net.close();
    jest.restoreAllMocks();
  });

  test('the first address is 10000, the next five 10001–10005', async () => {
    const a = net.connect();
    await expect(requestAddress(a, { timeout: 2000 })).resolves.toBe(10_000);
    expect(a.address).toBe(10_000);
    await expect(requestAddresses(a, 5, { timeout: 2000 })).resolves.toEqual([10_001, 10_002, 10_003, 10_004, 10_005]);
    const b = net.connect();
    await expect(requestAddress(b, { timeout: 2000 })).resolves.toBe(10_006);
  });

  test('without an address: signal to 0:103, answer on topic 1; topic 1 is released afterwards', async () => {
    const client = net.connect();
    const sent: Message[] = [];
    const send = client.link.send.bind(client.link);
    client.link.send = (m: Message) => {
      sent.push(m);
      return send(m);
    };
    await expect(requestAddresses(client, 2, { timeout: 2000 })).resolves.toEqual([10_000, 10_001]);
    const addressed = sent.filter((m) => m.type === MessageType.Addressed);
    expect(addressed.map((m) => [m.address, m.port])).toEqual([[0, 103]]);
    const payload = addressed[0]!.data.value as { descriptor: string; body: { count: number; request_id: unknown } };
    expect(Object.keys(payload)).toEqual(['descriptor', 'body']);
    expect(Object.keys(payload.body)).toEqual(['count', 'request_id']);
    expect(payload.descriptor).toBe('request_addresses');
    expect(client.isInTopicRegistered(1)).toBe(false);
    expect(client.address).toBeUndefined(); // requestAddresses does not set it
  });

  test('a 64-bit request id round-trips exactly', async () => {
    const id = 2n ** 64n - 2n;
    jest.spyOn(globalThis.crypto, 'getRandomValues').mockImplementationOnce(<T extends ArrayBufferView | null>(array: T): T => {
      (array as unknown as BigUint64Array)[0] = id;
      return array;
    });
    const client = net.connect();
    const answers: unknown[] = [];
    client.listenTopic(1, { data: (d) => answers.push(d.value) });
    await expect(requestAddress(client, { timeout: 2000 })).resolves.toBe(10_000);
    expect(answers).toEqual([{ addresses: [10_000], request_id: id }]);
  });

  test('random request ids are unsigned 64-bit bigints', () => {
    const ids = new Set(Array.from({ length: 16 }, () => randomRequestId()));
    expect(ids.size).toBe(16);
    for (const id of ids) {
      expect(typeof id).toBe('bigint');
      expect(id >= 0n && id < 2n ** 64n).toBe(true);
    }
  });

  test('concurrent requests by several clients each get their own answer', async () => {
    const clients = Array.from({ length: 4 }, () => net.connect());
    const got = await Promise.all(clients.map((c) => requestAddress(c, { timeout: 2000 })));
    expect([...got].sort()).toEqual([10_000, 10_001, 10_002, 10_003]);
    expect(clients.map((c) => c.address)).toEqual(got);
  });

  test('topic ids start at 100000; provide registers them as out-topics', async () => {
    const client = net.connect();
    await requestAddress(client, { timeout: 2000 });
    await expect(requestTopicIds(client, 2, { timeout: 2000 })).resolves.toEqual([100_000, 100_001]);
    const provided = await requestTopicIds(client, 1, { provide: true, timeout: 2000 });
    expect(provided).toEqual([100_002]);
    expect(client.isOutTopicRegistered(100_002)).toBe(true);
    expect(client.isOutTopicRegistered(100_000)).toBe(false);
  });

  test('fetch request_addresses / request_topics bodies match bodies.json field for field', async () => {
    const bodies = loadBodies();
    const client = net.connect();
    await requestAddress(client, { timeout: 2000 });
    const sent: Message[] = [];
    const send = client.link.send.bind(client.link);
    client.link.send = (m: Message) => {
      sent.push(m);
      return send(m);
    };
    await requestTopicIds(client, 2, { timeout: 2000 });
    await requestAddresses(client, 2, { timeout: 2000 });
    const payloads = sent.filter((m) => m.type === MessageType.Addressed).map((m) => m.data.value);
    expect(payloads).toEqual([bodies.fetch_requests[0]!.payload, bodies.fetch_requests[1]!.payload]);
  });

  test('too many ids at once answer bad_request', async () => {
    const client = net.connect();
    await requestAddress(client, { timeout: 2000 });
    const failure = await requestTopicIds(client, MAX_IDS_PER_REQUEST + 1, { timeout: 2000 }).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(FetchError);
    expect((failure as FetchError).fetchCode).toBe('bad_request');
  });

  test('Known fault 6: a request made before the routes to discovery arrive is answered once they do', async () => {
    // A client behind a switch that is not connected yet: no route to address 0 or topic 1.
    const local = new Switch();
    const [localSide, clientSide] = createQueueLinkPair({ serialize: true });
    local.addLink(localSide);
    const client = new Client(clientSide).start();
    const pending = requestAddress(client, { timeout: 2000 });
    await new Promise((resolve) => setImmediate(resolve));
    // Connected now: the routes arrive after the request was made.
    const [up, down] = createQueueLinkPair({ serialize: true });
    net.hub.addLink(up);
    local.addLink(down);
    await expect(pending).resolves.toBe(10_000);
    client.close();
    local.close();
  });

  test('Known fault 6: without discovery the request times out with an error naming what it waited for', async () => {
    const lonely = new Client(net.link()).start();
    net.discovery.stop();
    const failure = (await requestAddress(lonely, { timeout: 20 }).catch((e: unknown) => e)) as TimeoutError;
    expect(failure).toBeInstanceOf(TimeoutError);
    expect(failure.message).toMatch(/1 address\(es\) from discovery \(request \d+, answered on topic 1\)/);
    expect(lonely.isInTopicRegistered(1)).toBe(false);
    lonely.close();
  });

  test('the wait is aborted through its signal', async () => {
    const client = net.connect();
    net.discovery.stop();
    const controller = new AbortController();
    const pending = requestAddress(client, { signal: controller.signal });
    controller.abort();
    await expect(pending).rejects.toBeInstanceOf(AbortError);
    await expect(requestAddress(client, { signal: controller.signal })).rejects.toBeInstanceOf(AbortError);
  });

  test('a stopped client cannot wait; stopping it ends a pending wait', async () => {
    const client = net.connect();
    net.discovery.stop();
    const pending = requestAddress(client, { timeout: 2000 });
    client.stop();
    await expect(pending).rejects.toBeInstanceOf(ClientStoppedError);
    await expect(requestAddress(client)).rejects.toBeInstanceOf(ClientStoppedError);
  });
});
