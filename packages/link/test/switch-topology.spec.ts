/**
 * Proves routing across several switches: chains (costs add up per link,
 * requests are withdrawn upstream when the last subscriber leaves — Known
 * fault 3 — and a late subscriber gets the topic's control state exactly once
 * however many switches remember it — Known fault 7) and a diamond (the
 * cheapest route or provider wins, losing it fails over to the next, and a
 * withdrawal in a network with a cycle settles instead of counting to
 * infinity).
 */
import { Switch, type Link } from '@streamtasks/link';
import { MODES, type Participant, attach, connect, isControl, isData, isRequest, settle } from './helpers.js';

describe.each(MODES)('switch networks ($mode)', ({ serialize }) => {
  let switches: Switch[];
  const make = (n: number) => {
    const made = Array.from({ length: n }, () => new Switch());
    switches.push(...made);
    return made;
  };
  const join = (s: Switch, cost = 1) => attach(s, { serialize, cost });
  const link = (a: Switch, b: Switch, cost = 1) => connect(a, b, { serialize, cost });
  /** s[0] - s[1] - … - s[n-1] */
  const chain = (n: number) => {
    const s = make(n);
    for (let i = 1; i < n; i++) link(s[i - 1]!, s[i]!);
    return s;
  };

  beforeEach(() => {
    switches = [];
  });
  afterEach(() => switches.forEach((s) => s.close()));

  describe('a chain of three switches', () => {
    test('data flows end to end and costs add up per link', async () => {
      const [s1, s2, s3] = chain(3);
      const pub = join(s1!);
      const sub = join(s3!);
      pub.provide([100]);
      await sub.until(() => sub.link.outTopics.get(100) === 4, 'topic 100 at cost 4');
      expect([s1!, s2!, s3!].map((s) => s.topicCost(100))).toEqual([1, 2, 3]);
      sub.subscribe([100]);
      await pub.next(isRequest(100), 'the request for 100');
      for (let i = 0; i < 3; i++) pub.publish(100, i);
      await sub.until(() => sub.values(100).length === 3, 'three data messages');
      expect(sub.values(100)).toEqual([0, 1, 2]);
    });

    test.each([
      ['unsubscribes', (sub: Participant) => sub.unsubscribe([100])],
      ['disconnects', (sub: Participant) => sub.link.close()],
    ])('Known fault 3: when the last subscriber %s, the request is withdrawn through every switch', async (_name, leave) => {
      const s = chain(3);
      const pub = join(s[0]!);
      const sub = join(s[2]!);
      pub.provide([100]);
      sub.subscribe([100]);
      await pub.next(isRequest(100), 'the request for 100');
      expect(s.map((x) => x.subscriberCount(100))).toEqual([1, 1, 1]);
      leave(sub);
      await pub.next(isRequest(100, true), 'the withdrawal of the request');
      expect(s.map((x) => x.subscriberCount(100))).toEqual([0, 0, 0]);
      expect(pub.link.inTopics.size).toBe(0);
    });

    test('Known fault 3: a request is kept while a subscriber on another switch still wants it', async () => {
      const s = chain(4);
      const pub = join(s[0]!);
      const near = join(s[1]!);
      const far = join(s[3]!);
      pub.provide([100]);
      near.subscribe([100]);
      far.subscribe([100]);
      await settle();
      expect(pub.briefs()).toEqual([['in', [100], []]]);
      far.link.close();
      await settle();
      expect(pub.briefs()).toEqual([['in', [100], []]]);
      expect(s.map((x) => x.subscriberCount(100))).toEqual([1, 1, 0, 0]);
      pub.publish(100, 'still wanted');
      await near.next(isData(100), 'data for the remaining subscriber');
      near.unsubscribe([100]);
      await pub.next(isRequest(100, true), 'the withdrawal of the request');
    });
  });

  describe('Known fault 7: control state through several switches', () => {
    test('Known fault 7: a subscriber three switches away gets the remembered state exactly once, before the data', async () => {
      const s = chain(3);
      const pub = join(s[0]!);
      pub.provide([100]);
      pub.control(100, true);
      await settle();
      const sub = join(s[2]!);
      sub.subscribe([100]);
      await pub.next(isRequest(100), 'the request for 100');
      pub.publish(100, 'data');
      await sub.next(isData(100), 'the data');
      await settle();
      expect(sub.briefs()).toEqual([
        ['out', [{ id: 100, cost: 4 }], []],
        ['control', 100, true],
        ['data', 100, 'data'],
      ]);
    });

    test('Known fault 7: late joiners on every switch, and on a switch added later, get it exactly once', async () => {
      const s = chain(3);
      const pub = join(s[0]!);
      pub.provide([100]);
      pub.control(100, true);
      const first = join(s[2]!);
      first.subscribe([100]);
      await first.next(isControl(100), 'the state for the first subscriber');

      const [s4] = make(1);
      link(s[2]!, s4!);
      const late = [join(s[2]!), join(s[1]!), join(s[0]!), join(s4!)];
      for (const p of late) p.subscribe([100]);
      await Promise.all(late.map((p) => p.next(isControl(100), 'the remembered state')));
      await settle();
      expect(late.map((p) => p.briefs())).toEqual(
        [4, 3, 2, 5].map((cost) => [
          ['out', [{ id: 100, cost }], []],
          ['control', 100, true],
        ]),
      );

      pub.control(100, false);
      await Promise.all([first, ...late].map((p) => p.next(isControl(100), 'the resume')));
      await settle();
      for (const p of [first, ...late]) expect(p.received.filter(isControl(100)).map((m) => m.paused)).toEqual([true, false]);
    });

    test('Known fault 7: a subscriber that was there first gets each change once', async () => {
      const s = chain(3);
      const pub = join(s[0]!);
      const sub = join(s[2]!);
      pub.provide([100]);
      sub.subscribe([100]);
      await pub.next(isRequest(100), 'the request for 100');
      pub.control(100, true);
      pub.control(100, false);
      pub.control(100, true);
      await sub.until(() => sub.received.filter(isControl(100)).length === 3, 'three changes');
      await settle();
      expect(sub.received.filter(isControl(100)).map((m) => m.paused)).toEqual([true, false, true]);
    });

    test('Known fault 7: leaving and coming back through three switches gives the state once more', async () => {
      const s = chain(3);
      const pub = join(s[0]!);
      const sub = join(s[2]!);
      pub.provide([100]);
      pub.control(100, true);
      sub.subscribe([100]);
      await sub.next(isControl(100), 'the state');
      sub.unsubscribe([100]);
      await pub.next(isRequest(100, true), 'the withdrawal');
      sub.subscribe([100]);
      await pub.next(isRequest(100), 'the new request');
      await settle();
      expect(sub.received.filter(isControl(100)).map((m) => m.paused)).toEqual([true, true]);
    });
  });

  test('a route that gets worse is withdrawn downstream for a moment, then announced again; data keeps flowing', async () => {
    const [s1, s2] = chain(2);
    const near = join(s1!);
    const far = join(s1!, 5);
    const sub = join(s2!);
    near.provide([100]);
    far.provide([100]);
    sub.subscribe([100]);
    await near.next(isRequest(100), 'the request at the near provider');
    await sub.until(() => sub.link.outTopics.get(100) === 3, 'the near route');

    near.link.close();
    await far.next(isRequest(100), 'the request at the far provider');
    far.publish(100, 'from far');
    await sub.next(isData(100), 'data from the far provider');
    await sub.until(() => sub.link.outTopics.get(100) === 7, 'the far route');
    // s2 cannot tell a longer path from a cycle back to itself: it withdraws
    // the topic until the withdrawal has spread, then announces what is left.
    expect(sub.briefs().filter(([kind]) => kind === 'out')).toEqual([
      ['out', [{ id: 100, cost: 3 }], []],
      ['out', [], [{ id: 100, cost: 3 }]],
      ['out', [{ id: 100, cost: 7 }], []],
    ]);
  });

  describe('a diamond A-B, A-C, B-D, C-D', () => {
    /** B is the cheap side (links of cost 1), C the expensive one (cost 5). */
    function diamond(): { a: Switch; b: Switch; c: Switch; d: Switch; ab: [Link, Link] } {
      const [a, b, c, d] = make(4);
      const ab = link(a!, b!, 1);
      link(a!, c!, 5);
      link(b!, d!, 1);
      link(c!, d!, 5);
      return { a: a!, b: b!, c: c!, d: d!, ab };
    }

    test('the cheap path carries the data, once; closing it fails over to the other path', async () => {
      const { a, b, c, d, ab } = diamond();
      const pub = join(a);
      const sub = join(d);
      pub.provide([100]);
      await sub.until(() => sub.link.outTopics.get(100) === 4, 'topic 100 over the cheap path');
      sub.subscribe([100]);
      await pub.next(isRequest(100), 'the request for 100');
      expect([b.subscriberCount(100), c.subscriberCount(100)]).toEqual([1, 0]);
      pub.publish(100, 'cheap');
      await sub.next(isData(100), 'data over the cheap path');

      ab[0].close();
      await sub.until(() => sub.link.outTopics.get(100) === 12, 'topic 100 over the expensive path');
      await settle();
      expect([b.subscriberCount(100), c.subscriberCount(100)]).toEqual([0, 1]);
      expect(pub.link.inTopics.has(100)).toBe(true);
      pub.publish(100, 'expensive');
      await sub.next(isData(100), 'data over the expensive path');
      await settle();
      expect(sub.values(100)).toEqual(['cheap', 'expensive']);
    });

    test('the cheapest provider wins; when it goes, the next one is asked', async () => {
      const { b, c, d } = diamond();
      const near = join(b);
      const far = join(c);
      const sub = join(d);
      near.provide([100]);
      far.provide([100]);
      await sub.until(() => sub.link.outTopics.get(100) === 3, 'the near provider');
      sub.subscribe([100]);
      await near.next(isRequest(100), 'the request at the near provider');
      await settle();
      expect(far.received.filter(isRequest(100))).toEqual([]);

      near.link.close();
      await far.next(isRequest(100), 'the request at the far provider');
      await sub.until(() => sub.link.outTopics.get(100) === 7, 'the far provider');
      far.publish(100, 'from far');
      expect((await sub.next(isData(100), 'data from the far provider')).data.value).toBe('from far');
    });

    test('Known fault 9: a provider leaving a network with a cycle is withdrawn everywhere and the network settles', async () => {
      const { a, b, c, d } = diamond();
      const pub = join(a);
      const subs = [join(b), join(c), join(d)];
      pub.provide([100]);
      pub.announce([10]);
      await Promise.all(subs.map((p) => p.until(() => p.link.outTopics.has(100) && p.link.addresses.has(10), 'the routes')));
      subs[2]!.subscribe([100]);
      await pub.next(isRequest(100), 'the request for 100');

      pub.link.close();
      await Promise.all(
        subs.map((p) => p.until(() => !p.link.outTopics.has(100) && !p.link.addresses.has(10), 'the withdrawal')),
      );
      await settle();
      for (const s of [a, b, c, d]) {
        expect([s.topicCost(100), s.addressCost(10)]).toEqual([undefined, undefined]);
      }
      expect(subs.map((p) => [p.link.outTopics.size, p.link.addresses.size])).toEqual([[0, 0], [0, 0], [0, 0]]);
    });
  });
});
