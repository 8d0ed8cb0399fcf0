/**
 * Proves that a TopicRemappingLink translates topic ids in every
 * topic-carrying message in both directions (inside ids on the wrapper,
 * outside ids on the wire), lets unmapped ids and addresses pass unchanged,
 * applies the link cost once, and closes together with the link it wraps.
 */
import {
  AddressedMessage,
  AddressesChangedMessage,
  InTopicsChangedMessage,
  OutTopicsChangedMessage,
  RawData,
  TopicControlMessage,
  TopicDataMessage,
  TopicRemappingLink,
  createQueueLinkPair,
  type Id,
  type Link,
} from '@streamtasks/link';
import { MODES, brief, compareIds, settle, within } from './helpers.js';

const MAP: Array<[Id, Id]> = [
  [1, 100],
  [2, 200],
  [3, 2n ** 64n - 1n],
];

describe.each(MODES)('topic remapping link ($mode)', ({ serialize }) => {
  /** outside: the far end, on outside ids; inner: the wrapped end; inside: the wrapper. */
  function setup(cost = 1): { outside: Link; inner: Link; inside: TopicRemappingLink } {
    const [outside, inner] = createQueueLinkPair({ serialize, cost });
    return { outside, inner, inside: new TopicRemappingLink(inner, MAP) };
  }

  const recv = async (link: Link) => brief(await link.recv({ timeout: 1000 }));

  test('outgoing messages carry outside ids', async () => {
    const { outside, inside } = setup();
    inside.send(new TopicDataMessage(1, RawData.from('x')));
    inside.send(new TopicControlMessage(2, true));
    inside.send(new InTopicsChangedMessage([1, 7], [3]));
    inside.send(new OutTopicsChangedMessage([{ id: 2, cost: 0 }, { id: 8, cost: 4 }], [3]));
    expect(await recv(outside)).toEqual(['data', 100, 'x']);
    expect(await recv(outside)).toEqual(['control', 200, true]);
    // The removal of 3 had not been requested on this end: only the addition counts.
    expect(await recv(outside)).toEqual(['in', [7, 100], []]);
    expect(await recv(outside)).toEqual(['out', [{ id: 8, cost: 5 }, { id: 200, cost: 1 }], []]);
    inside.close();
  });

  test('incoming messages carry inside ids', async () => {
    const { outside, inside } = setup();
    outside.send(new TopicDataMessage(100, RawData.from('y')));
    outside.send(new TopicControlMessage(2n ** 64n - 1n, false));
    outside.send(new InTopicsChangedMessage([100, 9], []));
    outside.send(new OutTopicsChangedMessage([{ id: 200, cost: 0 }, { id: 9, cost: 2 }], []));
    outside.send(new OutTopicsChangedMessage([], [200]));
    expect(await recv(inside)).toEqual(['data', 1, 'y']);
    expect(await recv(inside)).toEqual(['control', 3, false]);
    expect(await recv(inside)).toEqual(['in', [1, 9], []]);
    expect(await recv(inside)).toEqual(['out', [{ id: 2, cost: 1 }, { id: 9, cost: 3 }], []]);
    expect(await recv(inside)).toEqual(['out', [], [{ id: 2, cost: 1 }]]);
    inside.close();
  });

  test('bookkeeping: the wrapper in inside ids, the wrapped link in outside ids, cost applied once', async () => {
    const { outside, inner, inside } = setup(5);
    inside.send(new InTopicsChangedMessage([1, 6], []));
    outside.send(new InTopicsChangedMessage([200], []));
    outside.send(new OutTopicsChangedMessage([{ id: 100, cost: 1 }], []));
    await recv(inside);
    await recv(inside);
    expect([...inside.recvTopics].sort(compareIds)).toEqual([1, 6]);
    expect([...inner.recvTopics].sort(compareIds)).toEqual([6, 100]);
    expect([...inside.inTopics]).toEqual([2]);
    expect([...inner.inTopics]).toEqual([200]);
    expect([...inside.outTopics]).toEqual([[1, 6]]);
    expect([...inner.outTopics]).toEqual([[100, 6]]);
    inside.close();
  });

  test('unmapped topics, addresses and addressed messages pass unchanged', async () => {
    const { outside, inside } = setup();
    inside.send(new TopicDataMessage(100, RawData.from('not mapped inside')));
    inside.send(new AddressedMessage(1, 100, RawData.from('a')));
    inside.send(new AddressesChangedMessage([{ id: 1, cost: 0 }], []));
    outside.send(new TopicDataMessage(5, RawData.from('not mapped outside')));
    outside.send(new AddressedMessage(100, 2, RawData.from('b')));
    outside.send(new AddressesChangedMessage([{ id: 100, cost: 0 }], []));
    expect(await recv(outside)).toEqual(['data', 100, 'not mapped inside']);
    expect(await recv(outside)).toEqual(['addressed', 1, 100, 'a']);
    expect(await recv(outside)).toEqual(['addresses', [{ id: 1, cost: 1 }], []]);
    expect(await recv(inside)).toEqual(['data', 5, 'not mapped outside']);
    expect(await recv(inside)).toEqual(['addressed', 100, 2, 'b']);
    expect(await recv(inside)).toEqual(['addresses', [{ id: 100, cost: 1 }], []]);
    expect([...inside.addresses]).toEqual([[100, 1]]);
    inside.close();
  });

  test('takes over what the wrapped link already knew, translated', async () => {
    const [outside, inner] = createQueueLinkPair({ serialize });
    outside.send(new OutTopicsChangedMessage([{ id: 100, cost: 0 }], []));
    outside.send(new InTopicsChangedMessage([200], []));
    await inner.recv({ timeout: 1000 });
    await inner.recv({ timeout: 1000 });
    const inside = new TopicRemappingLink(inner, MAP);
    expect([...inside.outTopics]).toEqual([[1, 1]]);
    expect([...inside.inTopics]).toEqual([2]);
    inside.close();
  });

  test('ids given as small bigints are mapped like numbers', async () => {
    const [outside, inner] = createQueueLinkPair({ serialize });
    const inside = new TopicRemappingLink(inner, [[5n, 50n]]);
    inside.send(new TopicDataMessage(5, RawData.from(0)));
    expect(await recv(outside)).toEqual(['data', 50, 0]);
    inside.close();
  });

  test.each(['wrapper', 'wrapped link', 'far end'] as const)('closing the %s closes all of them', async (which) => {
    const { outside, inner, inside } = setup();
    ({ wrapper: inside, 'wrapped link': inner, 'far end': outside })[which].close();
    await within(Promise.all([outside.closed, inner.closed, inside.closed]), 'every end to close');
    await expect(inside.recv()).rejects.toThrow(/closed/);
  });

  test('the close reason is passed on', async () => {
    const { inner, inside } = setup();
    const reason = new Error('transport failed');
    inner.close(reason);
    expect(await inside.closed).toBe(reason);
  });

  test('wrapping a closed link gives a closed link', async () => {
    const [outside, inner] = createQueueLinkPair({ serialize });
    outside.close();
    await inner.closed;
    const inside = new TopicRemappingLink(inner, MAP);
    expect(inside.isClosed).toBe(true);
  });

  test('messages that arrived before the far end closed can still be read', async () => {
    const { outside, inside } = setup();
    outside.send(new TopicDataMessage(100, RawData.from('last words')));
    outside.close();
    await within(inside.closed, 'the wrapper to close');
    expect(await recv(inside)).toEqual(['data', 1, 'last words']);
  });

  test('drained() follows the wrapped link', async () => {
    const [outside, inner] = createQueueLinkPair({ serialize, highWaterMark: 2 });
    const inside = new TopicRemappingLink(inner, MAP);
    inside.send(new TopicDataMessage(1, RawData.from(1)));
    expect(inside.send(new TopicDataMessage(1, RawData.from(2)))).toBe(false);
    expect(inside.needsDrain).toBe(true);
    const drained = inside.drained({ timeout: 1000 });
    await outside.recv();
    await settle();
    await drained;
    inside.close();
  });
});
