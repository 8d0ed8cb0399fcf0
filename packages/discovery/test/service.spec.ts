import { MessageType, RawData, Switch, TimeoutError, createQueueLinkPair, type Message } from '@streamtasks/link';
import { Client } from '@streamtasks/client';
import { MalformedRequestError } from '@streamtasks/fetch';
import { MalformedSignalError } from '@streamtasks/signal';
import { DEFAULT_WAIT_TIMEOUT, DiscoveryService, requestAddress, requestTopicIds, waitForDiscovery, type DiscoveryServiceOptions } from '@streamtasks/discovery';
import { LIGHTHOUSE_PAYLOAD } from '@streamtasks/discovery/internal';
import { createDiscoveryNetwork, type DiscoveryNetwork } from './network.js';
import { nextEvent, settle } from '@streamtasks/testing';

describe('DiscoveryService', () => {
  const networks: DiscoveryNetwork[] = [];
  const network = (options?: DiscoveryServiceOptions): DiscoveryNetwork => {
    const net = createDiscoveryNetwork(options);
    networks.push(net);
    return net;
  };
  afterEach(() => {
    for (const net of networks.splice(0)) net.close();
  });

  test('waitForDiscovery resolves on the lighthouse', async () => {
    const net = network({ lighthouseInterval: 10 });
    const client = net.connect();
    await expect(waitForDiscovery(client, { timeout: 2000 })).resolves.toBeUndefined();
    expect(client.isInTopicRegistered(0)).toBe(false);
    net.close();
  });

  test('waitForDiscovery is bounded and names the lighthouse', async () => {
    const net = network();
    net.discovery.stop();
    const client = net.connect();
    const failure = (await waitForDiscovery(client, { timeout: 20 }).catch((e: unknown) => e)) as TimeoutError;
    expect(failure).toBeInstanceOf(TimeoutError);
    expect(failure.message).toContain('the discovery lighthouse (data on topic 0)');
    net.close();
  });

  describe('with fake timers', () => {
    beforeEach(() => {
      jest.useFakeTimers({ doNotFake: ['queueMicrotask', 'nextTick', 'setImmediate'] });
    });
    afterEach(() => {
      jest.useRealTimers();
    });

    test('a wait without a timeout of its own gives up after DEFAULT_WAIT_TIMEOUT (10 s)', async () => {
      const net = network();
      net.discovery.stop();
      // An endless route grace: no "no discovery" verdict comes first, only the wait's own bound ends it.
      const client = net.connect({ routeGrace: Infinity });
      const outcome = waitForDiscovery(client).catch((e: unknown) => e);
      await jest.advanceTimersByTimeAsync(DEFAULT_WAIT_TIMEOUT - 1);
      let settled = false;
      void outcome.then(() => (settled = true));
      await settle();
      expect(settled).toBe(false);
      await jest.advanceTimersByTimeAsync(1);
      expect(await outcome).toBeInstanceOf(TimeoutError);
      expect(DEFAULT_WAIT_TIMEOUT).toBe(10_000);
    });

    test('the lighthouse sends paused=false once, then "running" at start and every interval; stop leaves no timer', async () => {
      const hub = new Switch();
      const [subscriberSide, subscriberLink] = createQueueLinkPair({ serialize: true });
      hub.addLink(subscriberSide);
      const subscriber = new Client(subscriberLink).start();
      const seen: unknown[] = [];
      subscriber.listenTopic(0, {
        data: (d) => seen.push(d.value),
        control: (paused) => seen.push({ paused }),
      });
      subscriber.registerInTopics([0]);
      await settle();

      const [serviceSide, serviceLink] = createQueueLinkPair({ serialize: true });
      hub.addLink(serviceSide);
      const discovery = new DiscoveryService(serviceLink, { lighthouseInterval: 1000 }).start();
      expect(jest.getTimerCount()).toBe(1);
      await settle();
      expect(seen).toEqual([{ paused: false }, LIGHTHOUSE_PAYLOAD]);
      jest.advanceTimersByTime(3000);
      await settle();
      expect(seen).toEqual([{ paused: false }, 'running', 'running', 'running', 'running']);
      discovery.stop();
      expect(jest.getTimerCount()).toBe(0);
      jest.advanceTimersByTime(5000);
      await settle();
      expect(seen).toHaveLength(5);
      subscriber.close();
      discovery.close();
    });

    test('a closed link stops the service and its timer', async () => {
      const hub = new Switch();
      const [serviceSide, serviceLink] = createQueueLinkPair({ serialize: true });
      hub.addLink(serviceSide);
      const discovery = new DiscoveryService(serviceLink).start();
      expect(jest.getTimerCount()).toBe(1);
      serviceSide.close();
      expect(discovery.isRunning).toBe(false);
      expect(jest.getTimerCount()).toBe(0);
    });
  });

  test('provides address 0 and topics 0 and 1; stop withdraws them, a restart continues the counters', async () => {
    const net = network();
    const client = net.connect();
    await settle();
    expect(net.hub.addressCost(0)).toBe(1);
    expect(net.hub.providedTopics().sort()).toEqual([0, 1]);
    await expect(requestAddress(client, { timeout: 2000 })).resolves.toBe(10_000);
    net.discovery.stop();
    net.discovery.stop();
    await settle();
    expect(net.hub.addressCost(0)).toBeUndefined();
    expect(net.hub.providedTopics()).toEqual([]);
    net.discovery.start();
    await expect(requestTopicIds(client, 1, { timeout: 2000 })).resolves.toEqual([100_000]);
    const other = net.connect();
    await expect(requestAddress(other, { timeout: 2000 })).resolves.toBe(10_001);
    net.close();
  });

  test('Known fault 10: an undecodable payload to the fetch port is reported; the service keeps serving', async () => {
    const net = network();
    const client = net.connect();
    await requestAddress(client, { timeout: 2000 });
    const reported = nextEvent<[Error]>((l) => net.discovery.events.on('error', l));
    client.sendToAddress(0, 100, RawData.fromBytes(new Uint8Array([0x82, 0xc1, 0xff])));
    const [error] = await reported;
    expect(error).toBeInstanceOf(MalformedRequestError);
    await expect(requestTopicIds(client, 2, { timeout: 2000 })).resolves.toEqual([100_000, 100_001]);
    net.close();
  });

  test('Known fault 10: an undecodable payload to the signal port is reported; address requests still work', async () => {
    const net = network();
    const client = net.connect();
    const reported = nextEvent<[Error]>((l) => net.discovery.events.on('error', l));
    client.sendToAddress(0, 103, RawData.fromBytes(new Uint8Array([0xd9])));
    const [error] = await reported;
    expect(error).toBeInstanceOf(MalformedSignalError);
    await expect(requestAddress(client, { timeout: 2000 })).resolves.toBe(10_000);
    net.close();
  });

  test('a malformed address request signal is reported and answered by nobody', async () => {
    const net = network();
    const client = net.connect();
    const reported = nextEvent<[Error]>((l) => net.discovery.events.on('error', l));
    client.sendToAddress(0, 103, { descriptor: 'request_addresses', body: { count: 'many' } });
    const [error] = await reported;
    expect(error.message).toContain('route "request_addresses" failed: body.count');
    await expect(requestAddress(client, { timeout: 2000 })).resolves.toBe(10_000);
    net.close();
  });

  test('an unknown fetch descriptor is answered not_found', async () => {
    const net = network();
    const client = net.connect();
    await requestAddress(client, { timeout: 2000 });
    await expect(client.fetch(0, 'no_such_route', null, { timeout: 2000 })).rejects.toMatchObject({
      fetchCode: 'not_found',
      body: ['not_found', 'no_such_route'],
    });
    net.close();
  });

  test('is disposable: dispose stops it and closes its link', async () => {
    const hub = new Switch();
    const [serviceSide, serviceLink] = createQueueLinkPair();
    hub.addLink(serviceSide);
    {
      await using discovery = new DiscoveryService(serviceLink, { lighthouseInterval: 50 }).start();
      expect(discovery.isRunning).toBe(true);
    }
    expect(serviceLink.isClosed).toBe(true);
  });

  test('what a fresh link receives: address 0 and topics 0 and 1 (cost 2), as in the transcript', async () => {
    const net = network();
    const link = net.link();
    const received: Message[] = [await link.recv({ timeout: 2000 }), await link.recv({ timeout: 2000 })];
    const routes = (m: Message) => ('add' in m ? m.add.map((p) => (typeof p === 'object' ? [p.id, p.cost] : p)) : []);
    const byType = new Map(received.map((m) => [m.type, routes(m)]));
    expect(byType.get(MessageType.AddressesChangedRecv)).toEqual([[0, 2]]);
    expect(byType.get(MessageType.OutTopicsChangedRecv)).toEqual([[0, 2], [1, 2]]);
    link.close();
    net.close();
  });
});
