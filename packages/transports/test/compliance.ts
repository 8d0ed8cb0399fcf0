// One behavioural suite for every kind of link: in-process queues, topic
// remapping, TCP, unix sockets and WebSockets run the same checks.
import {
  AddressedMessage,
  ConnectionClosedError,
  DecodeError,
  MessageType,
  RawData,
  TopicDataMessage,
  type Link,
  type Message,
} from '@streamtasks/link';

/** What a transport provides to the compliance suite. */
export interface TransportHarness {
  /** Opens a connected pair of link ends. */
  pair(): Promise<[Link, Link]>;
  /** Closes everything the harness opened. */
  teardown(): Promise<void>;
  /**
   * Socket transports: opens a raw connection, completes the handshake, then
   * writes a malformed message. Resolves with the reason the server gave for
   * closing that connection.
   */
  injectMalformed?(): Promise<Error | undefined>;
}

const WAIT = 15_000;

/** Collects what a link receives (push mode) and waits for counts. */
export class Collector {
  readonly messages: Message[] = [];
  private waiting: { n: number; resolve: () => void } | undefined;

  constructor(link: Link) {
    link.setReceiver((m) => {
      this.messages.push(m);
      if (this.waiting && this.messages.length >= this.waiting.n) this.waiting.resolve();
    });
  }

  /** Resolves once `n` messages arrived; fails after `timeout` with what did arrive. */
  async count(n: number, timeout = WAIT): Promise<Message[]> {
    if (this.messages.length >= n) return this.messages;
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      await new Promise<void>((resolve, reject) => {
        this.waiting = { n, resolve };
        timer = setTimeout(() => reject(new Error(`got ${this.messages.length} of ${n} messages`)), timeout);
      });
    } finally {
      clearTimeout(timer);
      this.waiting = undefined;
    }
    return this.messages;
  }
}

function data(topic: number, value: unknown): TopicDataMessage {
  return new TopicDataMessage(topic, RawData.from(value));
}

function valuesOf(messages: Message[]): unknown[] {
  return messages.map((m) => (m as TopicDataMessage).data.value);
}

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}

/** Checks of the suite, by id, for {@link ComplianceOptions.knownFaults}. */
export type ComplianceCheck =
  | 'order'
  | 'no-loss'
  | 'payloads' | 'close' | 'close-flush' | 'close-during-sends' | 'drain' | 'invalid' | 'malformed';

export interface ComplianceOptions {
  /**
   * Checks that fail because of a known fault of the link under test (not of
   * this package). They run as `test.failing`, so fixing the fault turns them
   * red until the entry is removed.
   */
  knownFaults?: readonly ComplianceCheck[];
}

/** Registers the suite for one transport; `setup` runs before each test. */
export function describeLinkCompliance(
  name: string,
  setup: () => Promise<TransportHarness>,
  options: ComplianceOptions = {},
): void {
  const known = new Set(options.knownFaults);
  const check = (id: ComplianceCheck) => (known.has(id) ? test.failing : test);
  describe(`${name}: link compliance`, () => {
    let harness: TransportHarness;
    beforeEach(async () => {
      harness = await setup();
    });
    afterEach(async () => {
      await harness.teardown();
    });

    check('order')('keeps the order of 10 000 messages in flight, both ways at once', async () => {
      const [a, b] = await harness.pair();
      const atA = new Collector(a);
      const atB = new Collector(b);
      for (const i of range(10_000)) {
        a.send(data(1, i));
        b.send(data(2, { i }));
      }
      expect(valuesOf(await atB.count(10_000))).toEqual(range(10_000));
      expect(valuesOf(await atA.count(10_000))).toEqual(range(10_000).map((i) => ({ i })));
      expect(atB.messages.every((m) => m.type === MessageType.TopicData && m.topic === 1)).toBe(true);
      expect(atA.messages.every((m) => m.type === MessageType.TopicData && m.topic === 2)).toBe(true);
    });

    check('payloads')('carries payloads from empty to 8 MiB byte for byte', async () => {
      const [a, b] = await harness.pair();
      const atB = new Collector(b);
      const sizes = [0, 1, 127, 65_535, 65_536 + 9, 1024 * 1024, 8 * 1024 * 1024 + 3];
      const sent = sizes.map((size, i) => {
        const bytes = new Uint8Array(size);
        for (let j = 0; j < size; j += 4099) bytes[j] = (j + i) & 0xff;
        // An empty payload is not a MessagePack value, but its bytes must still arrive as they are.
        return size === 0 ? RawData.fromBytes(new Uint8Array(0)) : RawData.from(bytes);
      });
      sent.forEach((payload, i) => a.send(new AddressedMessage(7, 100 + i, payload)));
      const got = await atB.count(sizes.length, 30_000);
      got.forEach((m, i) => {
        expect(m).toMatchObject({ type: MessageType.Addressed, address: 7, port: 100 + i });
        expect(Buffer.compare((m as AddressedMessage).data.bytes, sent[i]!.bytes)).toBe(0);
      });
    }, 40_000);

    check('no-loss')('Known fault 5: a recv that times out or is aborted loses nothing', async () => {
      const [a, b] = await harness.pair();
      await expect(b.recv({ timeout: 5 })).rejects.toMatchObject({ code: 'ERR_TIMEOUT' });
      const controller = new AbortController();
      const aborted = b.recv({ signal: controller.signal });
      controller.abort();
      await expect(aborted).rejects.toMatchObject({ code: 'ERR_ABORTED' });
      for (const i of range(3)) a.send(data(1, i));
      const got = [];
      for (const _ of range(3)) got.push(await b.recv({ timeout: WAIT }));
      expect(valuesOf(got)).toEqual([0, 1, 2]);
    });

    (known.has('close') ? test.failing : test).each(['first', 'second'])('closing the %s end closes the other', async (which) => {
      const [a, b] = await harness.pair();
      const [closer, other] = which === 'first' ? [a, b] : [b, a];
      const pending = other.recv();
      closer.close();
      expect(closer.isClosed).toBe(true);
      await expect(pending).rejects.toBeInstanceOf(ConnectionClosedError);
      await other.closed;
      expect(other.isClosed).toBe(true);
      expect(() => other.send(data(1, 1))).toThrow(ConnectionClosedError);
      expect(() => closer.send(data(1, 1))).toThrow(ConnectionClosedError);
      closer.close(); // idempotent
    });

    check('close-flush')('what was sent before a close still arrives, in order', async () => {
      const [a, b] = await harness.pair();
      const atB = new Collector(b);
      for (const i of range(1000)) a.send(data(1, i));
      a.close();
      await b.closed;
      expect(valuesOf(atB.messages)).toEqual(range(1000));
    });

    check('close-flush')('messages that arrived before the other end closed stay readable', async () => {
      const [a, b] = await harness.pair();
      for (const i of range(3)) a.send(data(1, i));
      a.close();
      await b.closed;
      const got = [];
      for (const _ of range(3)) got.push(await b.recv());
      expect(valuesOf(got)).toEqual([0, 1, 2]);
      await expect(b.recv()).rejects.toBeInstanceOf(ConnectionClosedError);
    });

    check('close-during-sends')('a close during a stream of sends ends the sender cleanly', async () => {
      const [a, b] = await harness.pair();
      const atB = new Collector(b);
      let sent = 0;
      let error: unknown;
      const sender = (async () => {
        for (;;) {
          try {
            a.send(data(1, sent));
          } catch (err) {
            error = err;
            return;
          }
          sent++;
          if (sent === 100) b.close();
          if (sent % 10 === 0) await new Promise((resolve) => setImmediate(resolve));
        }
      })();
      await sender;
      expect(error).toBeInstanceOf(ConnectionClosedError);
      await a.closed;
      // Whatever arrived is a prefix of what was sent, in order.
      expect(valuesOf(atB.messages)).toEqual(range(atB.messages.length));
    });

    check('drain')('send() returns false above the high-water mark and drain follows', async () => {
      const [a, b] = await harness.pair();
      const atB = new Collector(b);
      const payload = RawData.from(new Uint8Array(16 * 1024));
      let n = 0;
      while (a.send(new AddressedMessage(1, 1, payload))) {
        if (++n > 100_000) throw new Error('send() never reported backpressure');
      }
      n++;
      expect(a.needsDrain).toBe(true);
      let drainEvents = 0;
      a.events.on('drain', () => drainEvents++);
      await a.drained({ timeout: 2000 });
      expect(a.needsDrain).toBe(false);
      expect(drainEvents).toBe(1);
      await atB.count(n);
      expect(atB.messages).toHaveLength(n);
      expect(a.send(new AddressedMessage(1, 1, payload))).toBe(true);
    });

    check('invalid')('an invalid message is refused at the sender; the link stays usable', async () => {
      const [a, b] = await harness.pair();
      const atB = new Collector(b);
      expect(() => a.send(data(-1, 1))).toThrow();
      expect(() => a.send(new AddressedMessage(1, 1.5, RawData.from(1)))).toThrow();
      expect(a.isClosed).toBe(false);
      a.send(data(3, 'fine'));
      expect(valuesOf(await atB.count(1))).toEqual(['fine']);
    });

    check('malformed')('Known fault 8: a malformed message closes only its own connection, with the reason', async () => {
      if (!harness.injectMalformed) return; // in-process links carry no bytes from outside
      const [a, b] = await harness.pair();
      const reason = await harness.injectMalformed();
      expect(reason).toBeInstanceOf(DecodeError);
      // The other connection is untouched, and the server keeps accepting.
      const atB = new Collector(b);
      a.send(data(1, 'still here'));
      expect(valuesOf(await atB.count(1))).toEqual(['still here']);
      const [c, d] = await harness.pair();
      const atD = new Collector(d);
      c.send(data(1, 'new client'));
      expect(valuesOf(await atD.count(1))).toEqual(['new client']);
    });
  });
}
