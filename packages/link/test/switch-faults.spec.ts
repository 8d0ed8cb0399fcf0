/**
 * Proves that a failing link only ever affects itself (SPEC §4): a link whose
 * send throws is removed and closed while the sender and everyone else keep
 * working (Known fault 1), a slow consumer is dropped instead of buffering
 * without bound, a payload that cannot be encoded for one link is dropped
 * without closing that link, and when a link drops every other link learns
 * of the withdrawal of all its topics and addresses (Known fault 9).
 */
import {
  ConnectionClosedError,
  EncodeError,
  InTopicsChangedMessage,
  OutTopicsChangedMessage,
  RawData,
  SlowConsumerError,
  Switch,
  TopicDataMessage,
  createQueueLinkPair,
  type Link,
} from '@streamtasks/link';
import { MODES, ManualLink, attach, brief, connect, isData, isRequest, settle, within } from './helpers.js';

/** Records the switch's link-removed and error events. */
function watch(hub: Switch) {
  const removed: Array<[Link, Error | undefined]> = [];
  const errors: Array<[Error, Link]> = [];
  hub.events.on('link-removed', (link, reason) => removed.push([link, reason]));
  hub.events.on('error', (error, link) => errors.push([error, link]));
  return { removed, errors };
}

describe.each(MODES)('switch faults ($mode)', ({ serialize }) => {
  let switches: Switch[];
  const make = () => {
    const s = new Switch();
    switches.push(s);
    return s;
  };
  const join = (s: Switch) => attach(s, { serialize });

  beforeEach(() => {
    switches = [];
  });
  afterEach(() => switches.forEach((s) => s.close()));

  test.each([
    ['throws an error', new Error('socket exploded')],
    ['is closed underneath', new ConnectionClosedError('transport gone')],
  ])('Known fault 1: a subscriber link whose send %s is removed and closed; the sender and others keep working', async (_name, failure) => {
    const hub = make();
    const { removed, errors } = watch(hub);
    const pub = join(hub);
    const good = join(hub);
    const bad = new ManualLink();
    hub.addLink(bad);
    pub.provide([100]);
    good.subscribe([100]);
    bad.inject(new InTopicsChangedMessage([100], []));
    await pub.next(isRequest(100), 'the request for 100');
    await settle();

    bad.failWith = failure;
    pub.publish(100, 1);
    await within(bad.closed, 'the failing link to be closed');
    pub.publish(100, 2);
    await good.until(() => good.values(100).length === 2, 'both messages at the good subscriber');
    await settle();
    expect(good.values(100)).toEqual([1, 2]);
    expect(removed).toEqual([[bad, failure]]);
    expect(errors).toEqual([[failure, bad]]);
    expect(await bad.closed).toBe(failure);
    expect(pub.link.isClosed || good.link.isClosed).toBe(false);
    expect(hub.links).toEqual(new Set([pub.switchEnd, good.switchEnd]));
    // The good subscriber still wants the topic: the provider is not told otherwise.
    expect(pub.received.filter(isRequest(100, true))).toEqual([]);
  });

  test('Known fault 1: a link failing while the switch announces routes goes alone', async () => {
    const hub = make();
    const { removed } = watch(hub);
    const bad = new ManualLink();
    bad.failWith = new Error('broken peer');
    const watcher = join(hub);
    hub.addLink(bad);
    const pub = join(hub);
    pub.provide([100]);
    await watcher.until(() => watcher.link.outTopics.has(100), 'the announcement');
    await within(bad.closed, 'the failing link to be closed');
    await settle();
    expect(removed.map(([l]) => l)).toEqual([bad]);
    expect(hub.linkCount).toBe(2);
  });

  test('Known fault 1: the link a message came from stays, when its message kills another link', async () => {
    const hub = make();
    const target = new ManualLink();
    hub.addLink(target);
    const sender = join(hub);
    target.inject(new InTopicsChangedMessage([5], []));
    sender.provide([5]);
    await sender.next(isRequest(5), 'the request');
    target.failWith = new Error('dead');
    sender.publish(5, 'x');
    await within(target.closed, 'the target to close');
    await settle();
    expect(sender.link.isClosed).toBe(false);
    expect(hub.links.has(sender.switchEnd!)).toBe(true);
    sender.sendTo(1, 1, 'still usable');
  });

  test('a slow consumer is dropped instead of buffering without bound', async () => {
    const hub = make();
    const { removed } = watch(hub);
    const pub = join(hub);
    const fast = join(hub);
    // The slow one never reads: its end stays in pull mode, nobody pulls.
    const [inner, slow] = createQueueLinkPair({ serialize, maxQueued: 3 });
    hub.addLink(inner);
    slow.send(new InTopicsChangedMessage([100], []));
    pub.provide([100]);
    fast.subscribe([100]);
    await pub.next(isRequest(100), 'the request for 100');
    for (let i = 0; i < 10; i++) pub.publish(100, i);
    await within(slow.closed, 'the slow consumer to be dropped');
    await fast.until(() => fast.values(100).length === 10, 'all data at the fast subscriber');
    expect(removed.map(([l, reason]) => [l, reason?.constructor])).toEqual([[inner, SlowConsumerError]]);
    expect(pub.link.isClosed).toBe(false);
  });

  test('Known fault 9: when a link drops, every other link learns that all its topics and addresses are gone', async () => {
    const hub = make();
    const neighbour = make();
    connect(hub, neighbour, { serialize });
    const provider = join(hub);
    const locals = [join(hub), join(hub), join(hub), join(hub)];
    const remotes = [join(neighbour), join(neighbour)];
    const everyone = [...locals, ...remotes];
    provider.provide([1, 2, 3, 2n ** 63n]);
    provider.announce([50, 51]);
    await Promise.all(everyone.map((p) => p.until(() => p.link.outTopics.size === 4 && p.link.addresses.size === 2, 'all routes')));
    locals[0]!.subscribe([1]);
    remotes[0]!.subscribe([2]);
    await provider.until(() => provider.link.inTopics.size === 2, 'both requests');

    provider.link.close();
    await Promise.all(everyone.map((p) => p.until(() => p.link.outTopics.size === 0 && p.link.addresses.size === 0, 'every withdrawal')));
    expect(hub.providedTopics()).toEqual([]);
    expect(neighbour.reachableAddresses()).toEqual([]);
  });
});

test('a payload from an object link that cannot be encoded for a serialized link is dropped; that link stays', async () => {
  const hub = new Switch();
  const { errors } = watch(hub);
  const [pubInner, pubOuter] = createQueueLinkPair(); // objects: the bad payload is accepted here
  hub.addLink(pubInner);
  const sub = attach(hub, { serialize: true });
  pubOuter.send(new OutTopicsChangedMessage([{ id: 100, cost: 0 }], []));
  sub.subscribe([100]);
  expect(brief(await pubOuter.recv({ timeout: 1000 }))).toEqual(['in', [100], []]);

  pubOuter.send(new TopicDataMessage(100, RawData.from({ f: () => 1 })));
  pubOuter.send(new TopicDataMessage(100, RawData.from('fine')));
  await sub.next(isData(100), 'the next, valid payload');
  await settle();
  expect(sub.values(100)).toEqual(['fine']);
  expect(sub.link.isClosed).toBe(false);
  expect(errors.map(([e]) => e.constructor)).toEqual([EncodeError]);
  hub.close();
  pubOuter.close();
});
