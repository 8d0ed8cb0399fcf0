/**
 * Proves publish/subscribe through one switch (SPEC §4), over queue links
 * that pass objects and ones that serialize: both orders of providing and
 * subscribing, reference-counted requests, the remembered TopicControl for
 * late joiners, adding links to a switch that already has state, closing
 * either end of a link or the whole switch, and topic spaces through
 * remapping links.
 */
import {
  AddressesChangedMessage,
  InTopicsChangedMessage,
  OutTopicsChangedMessage,
  Switch,
  TopicRemappingLink,
  createQueueLinkPair,
  type Link,
} from '@streamtasks/link';
import { MODES, Participant, attach, isControl, isData, isRequest, settle, within } from './helpers.js';

describe.each(MODES)('switch pub/sub ($mode)', ({ serialize }) => {
  let hub: Switch;
  const join = (cost = 1) => attach(hub, { serialize, cost });

  beforeEach(() => {
    hub = new Switch();
  });
  afterEach(() => hub.close());

  test('provide, then subscribe: the provider is asked, data flows, costs add up', async () => {
    const pub = join();
    const sub = join(3);
    pub.provide([100]);
    await sub.until(() => sub.link.outTopics.has(100), 'the subscriber to learn of topic 100');
    sub.subscribe([100]);
    await pub.next(isRequest(100), 'the request for 100');
    pub.publish(100, { n: 1 });
    await sub.next(isData(100), 'data on 100');
    await settle();
    expect(sub.briefs()).toEqual([
      ['out', [{ id: 100, cost: 4 }], []],
      ['data', 100, { n: 1 }],
    ]);
    expect(pub.briefs()).toEqual([['in', [100], []]]);
    expect(hub.topicCost(100)).toBe(1);
    expect(hub.providedTopics()).toEqual([100]);
  });

  test('subscribe, then provide: the request waits for a provider', async () => {
    const pub = join();
    const sub = join();
    sub.subscribe([100]);
    await settle();
    expect(hub.subscriberCount(100)).toBe(1);
    expect(pub.received).toEqual([]);
    pub.provide([100]);
    await pub.next(isRequest(100), 'the request for 100');
    pub.publish(100, 'late');
    expect((await sub.next(isData(100), 'data on 100')).data.value).toBe('late');
  });

  test('data goes only to the links that asked for it, never back to its sender', async () => {
    const pub = join();
    const sub = join();
    const bystander = join();
    pub.provide([100]);
    pub.subscribe([100]);
    sub.subscribe([100]);
    await pub.next(isRequest(100), 'the request for 100');
    pub.publish(100, 1);
    await sub.next(isData(100), 'data on 100');
    await settle();
    expect(pub.values(100)).toEqual([]);
    expect(bystander.values(100)).toEqual([]);
  });

  test('requests are reference counted: only the last unsubscribe reaches the provider', async () => {
    const pub = join();
    const s1 = join();
    const s2 = join();
    pub.provide([100]);
    s1.subscribe([100]);
    s2.subscribe([100]);
    await settle();
    expect(pub.briefs()).toEqual([['in', [100], []]]);
    expect(hub.subscriberCount(100)).toBe(2);

    s1.unsubscribe([100]);
    await settle();
    expect(pub.briefs()).toEqual([['in', [100], []]]);
    pub.publish(100, 'only s2');
    await s2.next(isData(100), 'data for s2');
    await settle();
    expect(s1.values(100)).toEqual([]);

    s1.unsubscribe([100]); // a second unsubscribe is harmless
    await settle();
    expect(pub.briefs()).toEqual([['in', [100], []]]);

    s2.unsubscribe([100]);
    await pub.next(isRequest(100, true), 'the withdrawal of 100');
    s2.unsubscribe([100]);
    await settle();
    expect(pub.briefs()).toEqual([['in', [100], []], ['in', [], [100]]]);
    expect(hub.subscriberCount(100)).toBe(0);
    expect(pub.link.inTopics.size).toBe(0);

    s1.subscribe([100]);
    await pub.next(isRequest(100), 'a new request for 100');
  });

  test('a provider that stops providing is withdrawn with the cost it had', async () => {
    const pub = join();
    const sub = join();
    pub.provide([100, 101]);
    await sub.until(() => sub.link.outTopics.size === 2, 'both topics');
    pub.unprovide([100]);
    await sub.until(() => !sub.link.outTopics.has(100), 'the withdrawal of 100');
    expect(sub.briefs().at(-1)).toEqual(['out', [], [{ id: 100, cost: 2 }]]);
    expect(hub.providedTopics()).toEqual([101]);
  });

  test('re-announcing a provided topic with another cost keeps the subscription', async () => {
    const pub = join();
    const sub = join();
    pub.provide([100]);
    sub.subscribe([100]);
    await pub.next(isRequest(100), 'the request for 100');
    // Removal and new cost in one message, as a peer may send it.
    pub.send(new OutTopicsChangedMessage([{ id: 100, cost: 7 }], [100]));
    await sub.until(() => sub.link.outTopics.get(100) === 9, 'the new cost');
    await settle();
    expect(pub.link.inTopics.has(100)).toBe(true);
    pub.publish(100, 'still subscribed');
    expect((await sub.next(isData(100), 'data on 100')).data.value).toBe('still subscribed');
  });

  describe('topic control', () => {
    test('the remembered state reaches a late subscriber once, and changes reach every subscriber once', async () => {
      const pub = join();
      pub.provide([100]);
      pub.control(100, true);
      const sub = join();
      await sub.until(() => sub.link.outTopics.has(100), 'topic 100');
      sub.subscribe([100]);
      await sub.next(isControl(100), 'the control state');
      pub.control(100, true); // unchanged: not repeated
      pub.control(100, false);
      await sub.next(isControl(100), 'the resume');
      await settle();
      expect(sub.briefs()).toEqual([
        ['out', [{ id: 100, cost: 2 }], []],
        ['control', 100, true],
        ['control', 100, false],
      ]);

      const late = join();
      late.subscribe([100]);
      await late.next(isControl(100), 'the control state');
      await settle();
      expect(late.briefs()).toEqual([['out', [{ id: 100, cost: 2 }], []], ['control', 100, false]]);
    });

    test('a subscriber that leaves and comes back gets the state again, once', async () => {
      const pub = join();
      const sub = join();
      pub.provide([100]);
      pub.control(100, true);
      sub.subscribe([100]);
      await sub.next(isControl(100), 'the control state');
      sub.unsubscribe([100]);
      sub.subscribe([100]);
      await sub.next(isControl(100), 'the control state again');
      await settle();
      expect(sub.received.filter(isControl(100))).toHaveLength(2);
    });

    test('the state is forgotten when the topic has no provider any more', async () => {
      const pub = join();
      pub.provide([100]);
      pub.control(100, true);
      await settle();
      pub.unprovide([100]);
      await settle();
      const pub2 = join();
      pub2.provide([100]);
      const sub = join();
      sub.subscribe([100]);
      await pub2.next(isRequest(100), 'the request for 100');
      await settle();
      expect(sub.received.filter(isControl(100))).toEqual([]);
    });
  });

  describe('adding links', () => {
    test('a new link learns what the switch provides and reaches, and can serve pending requests', async () => {
      const pub = join();
      const requester = join();
      pub.provide([100]);
      pub.announce([7]);
      requester.subscribe([200]);
      await settle();

      const late = join();
      await late.until(() => late.received.length === 2, 'the current routes');
      await settle();
      expect(late.briefs()).toEqual([
        ['out', [{ id: 100, cost: 2 }], []],
        ['addresses', [{ id: 7, cost: 2 }], []],
      ]);

      late.provide([200]);
      await late.next(isRequest(200), 'the pending request for 200');
      late.publish(200, 'served');
      expect((await requester.next(isData(200), 'data on 200')).data.value).toBe('served');
    });

    test('a link that already knows routes and requests when added is taken in', async () => {
      const pub = join();
      const other = join();
      pub.provide([100]);
      await settle();

      const [inner, outer] = createQueueLinkPair({ serialize });
      outer.send(new OutTopicsChangedMessage([{ id: 300, cost: 0 }], []));
      outer.send(new AddressesChangedMessage([{ id: 9, cost: 0 }], []));
      outer.send(new InTopicsChangedMessage([100], []));
      for (let i = 0; i < 3; i++) await inner.recv({ timeout: 1000 });
      expect([...inner.outTopics.keys(), ...inner.addresses.keys(), ...inner.inTopics]).toEqual([300, 9, 100]);

      hub.addLink(inner);
      const late = new Participant(outer, inner);
      await pub.next(isRequest(100), 'the request the new link brought');
      await other.until(() => other.link.outTopics.get(300) === 2 && other.link.addresses.get(9) === 2, 'the new routes');
      pub.publish(100, 'to the new link');
      expect((await late.next(isData(100), 'data on 100')).data.value).toBe('to the new link');
    });

    test('adding the same link twice, or a closed link, does nothing', async () => {
      const p = join();
      hub.addLink(p.switchEnd!);
      expect(hub.linkCount).toBe(1);
      const [a, b] = createQueueLinkPair({ serialize });
      a.close();
      await b.closed;
      hub.addLink(b);
      expect(hub.linkCount).toBe(1);
    });
  });

  describe('closing', () => {
    async function withdrawnWhenClosed(close: (sub: Participant) => void): Promise<void> {
      const pub = join();
      const sub = join();
      const removed: Link[] = [];
      hub.events.on('link-removed', (link) => removed.push(link));
      pub.provide([100]);
      sub.subscribe([100]);
      await pub.next(isRequest(100), 'the request for 100');
      close(sub);
      await pub.next(isRequest(100, true), 'the withdrawal of the request');
      await within(Promise.all([sub.link.closed, sub.switchEnd!.closed]), 'both ends to close');
      expect(removed).toEqual([sub.switchEnd]);
      expect(hub.linkCount).toBe(1);
      expect(hub.subscriberCount(100)).toBe(0);
    }

    test("closing the participant's end removes the link and withdraws its requests", async () => {
      await withdrawnWhenClosed((sub) => sub.link.close());
    });

    test("closing the switch's end closes the participant's end too", async () => {
      await withdrawnWhenClosed((sub) => sub.switchEnd!.close());
    });

    test('Known fault 2: removeLink removes and closes a link', async () => {
      await withdrawnWhenClosed((sub) => hub.removeLink(sub.switchEnd!));
    });

    test('a provider that goes away is withdrawn from everyone, with its previous cost', async () => {
      const pub = join();
      const sub = join();
      pub.provide([100]);
      pub.announce([5]);
      await sub.until(() => sub.link.outTopics.has(100) && sub.link.addresses.has(5), 'the routes');
      pub.link.close();
      await sub.until(() => sub.link.outTopics.size === 0 && sub.link.addresses.size === 0, 'the withdrawal');
      expect(sub.briefs().slice(2)).toEqual(
        expect.arrayContaining([
          ['out', [], [{ id: 100, cost: 2 }]],
          ['addresses', [], [{ id: 5, cost: 2 }]],
        ]),
      );
      expect(hub.providedTopics()).toEqual([]);
      expect(hub.reachableAddresses()).toEqual([]);
    });

    test('switch.close() closes every link', async () => {
      const ps = [join(), join(), join()];
      const removed: Link[] = [];
      hub.events.on('link-removed', (link) => removed.push(link));
      hub.close();
      await within(Promise.all(ps.map((p) => p.link.closed)), 'every participant to be closed');
      expect(hub.linkCount).toBe(0);
      expect(new Set(removed)).toEqual(new Set(ps.map((p) => p.switchEnd)));
    });
  });

  describe('topic spaces (remapping links)', () => {
    /** A participant whose inside topic ids are translated by `map` before reaching the switch. */
    function joinSpace(map: Array<[number, number]>): Participant {
      const [inner, outer] = createQueueLinkPair({ serialize });
      hub.addLink(inner);
      return new Participant(new TopicRemappingLink(outer, map), inner);
    }

    test('participants in a topic space talk to the outside on translated ids, both ways', async () => {
      const inside = joinSpace([[1, 100], [2, 200]]);
      const outside = join();
      inside.provide([1]);
      outside.provide([200]);
      await outside.until(() => outside.link.outTopics.get(100) === 2, 'topic 100 from inside the space');
      await inside.until(() => inside.link.outTopics.get(2) === 2, 'topic 2 from outside the space');

      outside.subscribe([100]);
      inside.subscribe([2]);
      await inside.next(isRequest(1), 'the request for inside topic 1');
      await outside.next(isRequest(200), 'the request for outside topic 200');
      inside.publish(1, 'from inside');
      outside.publish(200, 'from outside');
      expect((await outside.next(isData(100), 'data on 100')).data.value).toBe('from inside');
      expect((await inside.next(isData(2), 'data on 2')).data.value).toBe('from outside');
    });

    test('two spaces using the same inside id do not see each other', async () => {
      const a = joinSpace([[1, 100]]);
      const b = joinSpace([[1, 300]]);
      a.provide([1]);
      b.subscribe([1]);
      await settle();
      expect(a.received.filter(isRequest(1))).toEqual([]);
      expect(b.link.outTopics.has(1)).toBe(false);
      expect(hub.subscriberCount(300)).toBe(1);
      expect(hub.subscriberCount(100)).toBe(0);
    });

    test('a remapping link can sit on the switch side as well', async () => {
      const [inner, outer] = createQueueLinkPair({ serialize });
      // The participant speaks topic 1 on the wire; the switch sees 100.
      hub.addLink(new TopicRemappingLink(inner, [[100, 1]]));
      const remote = new Participant(outer);
      const sub = join();
      remote.provide([1]);
      await sub.until(() => sub.link.outTopics.has(100), 'topic 100');
      sub.subscribe([100]);
      await remote.next(isRequest(1), 'the request on the wire id');
      remote.publish(1, 'translated');
      expect((await sub.next(isData(100), 'data on 100')).data.value).toBe('translated');
    });
  });
});
