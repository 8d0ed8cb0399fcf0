/**
 * Proves a link's bookkeeping and lifecycle (SPEC §3) over queue links that
 * pass objects and over ones that serialize every message: inTopics
 * reduction, recvTopics, cost-adjusted Recv announcements, closing (both
 * ends, idempotent, pending receives woken, nothing sent before the close
 * lost), receives that time out or are aborted without losing a message
 * (Known fault 5), and backpressure.
 */
import {
  AbortError,
  AddressedMessage,
  AddressesChangedMessage,
  ConnectionClosedError,
  InTopicsChangedMessage,
  InvalidMessageError,
  MAX_COST,
  MessageType,
  OutTopicsChangedMessage,
  RawData,
  SlowConsumerError,
  TimeoutError,
  TopicControlMessage,
  TopicDataMessage,
  createQueueLinkPair,
  type Message,
} from '@streamtasks/link';
import { MODES, brief, settle, within } from './helpers.js';

const marker = (n: number) => new TopicControlMessage(n, false);

describe.each(MODES)('queue link ($mode)', ({ serialize }) => {
  const pair = (options: Parameters<typeof createQueueLinkPair>[0] = {}) => createQueueLinkPair({ serialize, ...options });

  describe('messages', () => {
    test('arrive in order at the other end, in both directions', async () => {
      const [a, b] = pair();
      for (let i = 0; i < 5; i++) a.send(new TopicDataMessage(i, RawData.from({ i })));
      b.send(new AddressedMessage(9, 100, RawData.from('back')));
      for (let i = 0; i < 5; i++) expect(brief(await b.recv({ timeout: 1000 }))).toEqual(['data', i, { i }]);
      expect(brief(await a.recv({ timeout: 1000 }))).toEqual(['addressed', 9, 100, 'back']);
      a.close();
    });

    test('are delivered later, never inside send()', async () => {
      const [a, b] = pair();
      const got: Message[] = [];
      b.setReceiver((m) => got.push(m));
      a.send(marker(1));
      expect(got).toHaveLength(0);
      await settle();
      expect(got).toHaveLength(1);
      a.close();
    });

    test(serialize ? 'payloads arrive as bytes, decoded only when read' : 'payloads arrive as the same objects', async () => {
      const [a, b] = pair();
      const payload = { big: 2n ** 64n - 1n, list: [1, 'x'] };
      a.send(new TopicDataMessage(1, RawData.from(payload)));
      const m = (await b.recv({ timeout: 1000 })) as TopicDataMessage;
      expect(m.data.isSerialized).toBe(serialize);
      if (serialize) expect(m.data.value).toEqual(payload);
      else expect(m.data.value).toBe(payload);
      a.close();
    });

    test('invalid message objects are refused at send with InvalidMessageError', () => {
      const [a] = pair();
      expect(() => a.send(new TopicDataMessage(-1, RawData.from(1)))).toThrow(InvalidMessageError);
      expect(() => a.send(new AddressedMessage(1, -5, RawData.from(1)))).toThrow(InvalidMessageError);
      expect(() => a.send(new InTopicsChangedMessage([1.5], []))).toThrow(InvalidMessageError);
      expect(() => a.send(new OutTopicsChangedMessage([{ id: 1, cost: MAX_COST + 1 }], []))).toThrow(InvalidMessageError);
      a.close();
    });
  });

  describe('inTopics', () => {
    test('are reduced to what changes; a message that changes nothing is swallowed', async () => {
      const [a, b] = pair();
      a.send(new InTopicsChangedMessage([1, 2], []));
      a.send(new InTopicsChangedMessage([2, 3], [])); // 2 is known
      a.send(new InTopicsChangedMessage([1], [])); // nothing new: swallowed
      a.send(new InTopicsChangedMessage([], [7])); // never requested: swallowed
      a.send(new InTopicsChangedMessage([3], [1, 9])); // only the removal of 1 counts
      a.send(new InTopicsChangedMessage([4, 4], [])); // duplicates in one message
      a.send(marker(0));
      const seen: unknown[] = [];
      for (;;) {
        const m = await b.recv({ timeout: 1000 });
        if (m.type === MessageType.TopicControl) break;
        seen.push(brief(m));
        if (seen.length === 1) expect([...b.inTopics]).toEqual([1, 2]);
      }
      expect(seen).toEqual([
        ['in', [1, 2], []],
        ['in', [3], []],
        ['in', [], [1]],
        ['in', [4], []],
      ]);
      expect([...b.inTopics].sort()).toEqual([2, 3, 4]);
      a.close();
    });

    test('recvTopics follow what this side sends', () => {
      const [a] = pair();
      a.send(new InTopicsChangedMessage([1, 2, 3], []));
      a.send(new InTopicsChangedMessage([4], [1, 2]));
      expect([...a.recvTopics].sort()).toEqual([3, 4]);
      a.close();
    });

    test('recvTopics stay unchanged when the send is refused', () => {
      const [a] = pair();
      a.send(new InTopicsChangedMessage([1], []));
      expect(() => a.send(new InTopicsChangedMessage([2, -1], [1]))).toThrow(InvalidMessageError);
      expect([...a.recvTopics]).toEqual([1]);
      a.close();
    });
  });

  describe('announcements', () => {
    test.each([
      ['OutTopicsChanged', (add: { id: number; cost: number }[], remove: number[]) => new OutTopicsChangedMessage(add, remove), MessageType.OutTopicsChangedRecv, 'outTopics'],
      ['AddressesChanged', (add: { id: number; cost: number }[], remove: number[]) => new AddressesChangedMessage(add, remove), MessageType.AddressesChangedRecv, 'addresses'],
    ] as const)('%s becomes its Recv form: costs include the link cost, removals report the previous cost', async (_name, make, recvType, table) => {
      const [a, b] = pair({ cost: 3 });
      a.send(make([{ id: 5, cost: 0 }, { id: 6, cost: 10 }], []));
      const first = await b.recv({ timeout: 1000 });
      expect(first.type).toBe(recvType);
      expect(brief(first).slice(1)).toEqual([[{ id: 5, cost: 3 }, { id: 6, cost: 13 }], []]);
      expect([...b[table]]).toEqual([[5, 3], [6, 13]]);

      a.send(make([{ id: 6, cost: 1 }], [5, 42])); // 42 was never announced
      const second = await b.recv({ timeout: 1000 });
      expect(brief(second).slice(1)).toEqual([[{ id: 6, cost: 4 }], [{ id: 5, cost: 3 }]]);
      expect([...b[table]]).toEqual([[6, 4]]);

      a.send(make([], [6]));
      expect(brief(await b.recv({ timeout: 1000 })).slice(1)).toEqual([[], [{ id: 6, cost: 4 }]]);
      expect(b[table].size).toBe(0);
      a.close();
    });

    test('a cost that would overflow saturates at MAX_COST', async () => {
      const [a, b] = pair({ cost: 10 });
      a.send(new OutTopicsChangedMessage([{ id: 1, cost: MAX_COST - 1 }], []));
      expect(brief(await b.recv({ timeout: 1000 }))).toEqual(['out', [{ id: 1, cost: MAX_COST }], []]);
      a.close();
    });

    test('bigint ids keep their identity in the tables', async () => {
      const [a, b] = pair();
      const id = 2n ** 64n - 1n;
      a.send(new AddressesChangedMessage([{ id, cost: 0 }], []));
      await b.recv({ timeout: 1000 });
      expect(b.addresses.get(id)).toBe(1);
      a.close();
    });
  });

  test.each([0, -1, 1.5, MAX_COST + 1, NaN])('a link cost of %p is a RangeError', (cost) => {
    expect(() => createQueueLinkPair({ serialize, cost })).toThrow(RangeError);
  });

  describe('closing', () => {
    test.each(['a', 'b'] as const)('closing %s closes both ends', async (which) => {
      const [a, b] = pair();
      const ends = { a, b };
      ends[which].close();
      await within(Promise.all([a.closed, b.closed]), 'both ends to close');
      expect(a.isClosed && b.isClosed).toBe(true);
    });

    test('closing is idempotent: one close event, the first reason wins', async () => {
      const [a, b] = pair();
      const events: unknown[] = [];
      a.events.on('close', (reason) => events.push(reason));
      const reason = new Error('first');
      a.close(reason);
      a.close(new Error('second'));
      a.close();
      expect(events).toEqual([reason]);
      expect(await a.closed).toBe(reason);
      expect(a.closeReason).toBe(reason);
      await b.closed;
      b.close();
    });

    test('send after close throws ConnectionClosedError, on either end', async () => {
      const [a, b] = pair();
      a.close();
      await b.closed;
      for (const end of [a, b]) {
        const err = (() => {
          try {
            end.send(marker(1));
          } catch (e) {
            return e;
          }
        })();
        expect(err).toBeInstanceOf(ConnectionClosedError);
        expect((err as ConnectionClosedError).code).toBe('ERR_CONNECTION_CLOSED');
      }
    });

    test.each(['own', 'other'] as const)('a pending recv() is woken with ConnectionClosedError when the %s end closes', async (which) => {
      const [a, b] = pair();
      const pending = b.recv();
      (which === 'own' ? b : a).close();
      await expect(within(pending, 'recv to reject')).rejects.toBeInstanceOf(ConnectionClosedError);
      await expect(b.recv()).rejects.toBeInstanceOf(ConnectionClosedError);
    });

    test.each(['own', 'other'] as const)('recv() on a link that never queued rejects at once after the %s end closes, with its close reason', async (which) => {
      // Push mode with a receiver that keeps up: the link never needed a queue before it closed.
      const [a, b] = pair();
      b.setReceiver(() => {});
      a.send(marker(1));
      await settle();
      b.setReceiver(undefined);
      const reason = new Error('gone');
      (which === 'own' ? b : a).close(reason);
      await within(b.closed, 'b to close');
      const err = await within(b.recv().catch((e: unknown) => e), 'recv to reject');
      expect(err).toBeInstanceOf(ConnectionClosedError);
      expect((err as ConnectionClosedError).cause).toBe(b.closeReason);
      if (which === 'own') expect(b.closeReason).toBe(reason);
      expect(b.queuedCount).toBe(0);
    });

    test('drained() on a closed link rejects with ConnectionClosedError', async () => {
      const [a] = pair();
      a.close();
      await expect(a.drained()).rejects.toBeInstanceOf(ConnectionClosedError);
    });

    test('messages sent before the close still reach a receiver', async () => {
      const [a, b] = pair();
      const got: unknown[] = [];
      b.setReceiver((m) => got.push(brief(m)));
      a.send(marker(1));
      a.send(new TopicDataMessage(2, RawData.from('last')));
      a.close();
      await within(b.closed, 'b to close');
      expect(got).toEqual([['control', 1, false], ['data', 2, 'last']]);
    });

    test('messages sent before the close can still be pulled with recv(), then it fails', async () => {
      const [a, b] = pair();
      a.send(marker(1));
      a.send(marker(2));
      a.close();
      await within(b.closed, 'b to close');
      expect(brief(await b.recv({ timeout: 1000 }))).toEqual(['control', 1, false]);
      expect(brief(await b.recv({ timeout: 1000 }))).toEqual(['control', 2, false]);
      await expect(b.recv({ timeout: 1000 })).rejects.toBeInstanceOf(ConnectionClosedError);
    });

    test('closing an end yourself drops what it had not consumed', async () => {
      const [a, b] = pair();
      a.send(marker(1));
      await settle();
      expect(b.queuedCount).toBe(1);
      b.close();
      await expect(b.recv()).rejects.toBeInstanceOf(ConnectionClosedError);
    });

    test('Symbol.dispose closes the link', async () => {
      const [a, b] = pair();
      a[Symbol.dispose]();
      await within(b.closed, 'b to close');
    });
  });

  describe('Known fault 5: receives that time out or are aborted lose nothing', () => {
    test('Known fault 5: a timed-out recv() does not take the next message', async () => {
      const [a, b] = pair();
      await expect(b.recv({ timeout: 5 })).rejects.toBeInstanceOf(TimeoutError);
      a.send(marker(1));
      a.send(marker(2));
      expect(brief(await b.recv({ timeout: 1000 }))).toEqual(['control', 1, false]);
      expect(brief(await b.recv({ timeout: 1000 }))).toEqual(['control', 2, false]);
      a.close();
    });

    test('Known fault 5: aborting a recv() the moment a message is sent does not lose it', async () => {
      const [a, b] = pair();
      for (let i = 0; i < 20; i++) {
        const controller = new AbortController();
        const pending = b.recv({ signal: controller.signal });
        a.send(marker(i));
        // Half of the aborts happen before delivery, half after it.
        if (i % 2 === 0) controller.abort();
        else await Promise.resolve().then(() => controller.abort());
        let got: Message;
        try {
          got = await pending;
        } catch (err) {
          expect(err).toBeInstanceOf(AbortError);
          got = await b.recv({ timeout: 1000 });
        }
        expect(brief(got)).toEqual(['control', i, false]);
      }
      a.close();
    });

    test('Known fault 5: an already aborted signal rejects at once and takes nothing', async () => {
      const [a, b] = pair();
      a.send(marker(1));
      await settle();
      await expect(b.recv({ signal: AbortSignal.abort() })).rejects.toBeInstanceOf(AbortError);
      expect(brief(await b.recv({ timeout: 1000 }))).toEqual(['control', 1, false]);
      a.close();
    });

    test('Known fault 5: concurrent receivers each get one message, in order', async () => {
      const [a, b] = pair();
      const first = b.recv({ timeout: 1000 });
      const timedOut = b.recv({ timeout: 1 });
      const second = b.recv({ timeout: 1000 });
      await expect(timedOut).rejects.toBeInstanceOf(TimeoutError);
      a.send(marker(1));
      a.send(marker(2));
      expect(brief(await first)).toEqual(['control', 1, false]);
      expect(brief(await second)).toEqual(['control', 2, false]);
      a.close();
    });
  });

  describe('push mode', () => {
    test('setReceiver delivers what was queued first, then the rest', async () => {
      const [a, b] = pair();
      a.send(marker(1));
      await settle();
      const got: unknown[] = [];
      b.setReceiver((m) => got.push(brief(m)));
      expect(got).toEqual([['control', 1, false]]);
      a.send(marker(2));
      await settle();
      expect(got).toEqual([['control', 1, false], ['control', 2, false]]);
      a.close();
    });

    test('recv() is refused while a receiver is set', async () => {
      const [a, b] = pair();
      b.setReceiver(() => {});
      await expect(b.recv()).rejects.toThrow(/receiver/);
      a.close();
    });

    test('a throwing receiver is reported as an error event and the link keeps going', async () => {
      const [a, b] = pair();
      const errors: Error[] = [];
      b.events.on('error', (e) => errors.push(e));
      const got: number[] = [];
      b.setReceiver((m) => {
        const topic = (m as TopicControlMessage).topic as number;
        if (topic === 1) throw new Error('receiver failed');
        got.push(topic);
      });
      a.send(marker(1));
      a.send(marker(2));
      await settle();
      expect(errors.map((e) => e.message)).toEqual(['receiver failed']);
      expect(got).toEqual([2]);
      expect(b.isClosed).toBe(false);
      a.close();
    });
  });

  describe('push mode, topic data', () => {
    // Queue links hand TopicData to the receiver on a path of its own: these pin that it keeps the rules above.
    const data = (n: number) => new TopicDataMessage(7, RawData.from(n));
    const valueOf = (m: Message) => (m as TopicDataMessage<number>).data.value;

    test('a throwing receiver is reported and the rest of the batch still arrives, in order', async () => {
      const [a, b] = pair();
      const errors: Error[] = [];
      b.events.on('error', (e) => errors.push(e));
      const got: number[] = [];
      b.setReceiver((m) => {
        if (valueOf(m) === 1) throw new Error('receiver failed');
        got.push(valueOf(m));
      });
      for (let i = 0; i < 4; i++) a.send(data(i));
      await settle();
      expect(errors.map((e) => e.message)).toEqual(['receiver failed']);
      expect(got).toEqual([0, 2, 3]);
      a.close();
    });

    test('a receiver that goes back to pull mode mid-batch leaves the rest for recv(), in order', async () => {
      const [a, b] = pair();
      const got: number[] = [];
      b.setReceiver((m) => {
        got.push(valueOf(m));
        if (got.length === 2) b.setReceiver(undefined);
      });
      for (let i = 0; i < 5; i++) a.send(data(i));
      await settle();
      expect(got).toEqual([0, 1]);
      expect(b.queuedCount).toBe(3);
      for (let i = 2; i < 5; i++) expect(valueOf(await b.recv())).toBe(i);
      a.close();
    });

    test('a receiver that closes its link mid-batch gets nothing more', async () => {
      const [a, b] = pair();
      const got: number[] = [];
      b.setReceiver((m) => {
        got.push(valueOf(m));
        if (got.length === 2) b.close();
      });
      for (let i = 0; i < 5; i++) a.send(data(i));
      await settle();
      expect(got).toEqual([0, 1]);
      expect(a.isClosed).toBe(true);
    });
  });

  describe('backpressure', () => {
    test('send() returns false at the high-water mark and drained() resolves once the consumer catches up', async () => {
      const [a, b] = pair({ highWaterMark: 4 });
      expect([1, 2, 3].map((i) => a.send(marker(i)))).toEqual([true, true, true]);
      expect(a.send(marker(4))).toBe(false);
      expect(a.needsDrain).toBe(true);
      let drained = false;
      const waiting = a.drained({ timeout: 1000 }).then(() => (drained = true));
      await settle();
      expect(drained).toBe(false); // delivered but not consumed: still above the mark
      await b.recv();
      await settle();
      expect(drained).toBe(true);
      await waiting;
      expect(a.needsDrain).toBe(false);
      a.close();
    });

    test('drained() resolves at once below the high-water mark and can time out above it', async () => {
      const [a] = pair({ highWaterMark: 2 });
      await a.drained({ timeout: 1000 });
      a.send(marker(1));
      a.send(marker(2));
      await expect(a.drained({ timeout: 5 })).rejects.toBeInstanceOf(TimeoutError);
      a.close();
    });

    test('a receiver that keeps up lets the sender drain without pulling', async () => {
      const [a, b] = pair({ highWaterMark: 2 });
      const got: Message[] = [];
      b.setReceiver((m) => got.push(m));
      a.send(marker(1));
      expect(a.send(marker(2))).toBe(false);
      await within(a.drained(), 'the link to drain');
      expect(got).toHaveLength(2);
      a.close();
    });

    test('maxQueued throws SlowConsumerError instead of buffering without bound', async () => {
      const [a, b] = pair({ maxQueued: 3 });
      for (let i = 0; i < 3; i++) a.send(marker(i));
      let err: unknown;
      try {
        a.send(marker(3));
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(SlowConsumerError);
      expect((err as SlowConsumerError).code).toBe('ERR_SLOW_CONSUMER');
      // Once the consumer takes one, there is room again.
      await b.recv({ timeout: 1000 });
      expect(() => a.send(marker(4))).not.toThrow();
      a.close();
    });
  });
});

describe('queue link with a delay', () => {
  test('delivers after the delay, in order', async () => {
    const [a, b] = createQueueLinkPair({ delay: 5, serialize: true });
    a.send(marker(1));
    a.send(marker(2));
    await settle();
    expect(b.queuedCount).toBe(0);
    expect(brief(await b.recv({ timeout: 1000 }))).toEqual(['control', 1, false]);
    expect(brief(await b.recv({ timeout: 1000 }))).toEqual(['control', 2, false]);
    a.close();
  });
});

describe('links in general', () => {
  test('a link is closed once, whoever closes it', async () => {
    const [a, b] = createQueueLinkPair();
    const closes: string[] = [];
    a.events.on('close', () => closes.push('a'));
    b.events.on('close', () => closes.push('b'));
    a.close();
    b.close();
    await Promise.all([a.closed, b.closed]);
    expect(closes.sort()).toEqual(['a', 'b']);
  });
});
