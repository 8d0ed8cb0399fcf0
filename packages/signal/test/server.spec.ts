import { MessageType, RawData, type AddressedMessage, type Message } from '@streamtasks/link';
import type { Client } from '@streamtasks/client';
import { MalformedSignalError, SignalServer, sendSignal } from '@streamtasks/signal';
import { createNetwork, deferred, hex, loadBodies, nextEvent, vectorOf } from '@streamtasks/testing';

const bodies = loadBodies();
const RECEIVER = 10_000;

describe('SignalServer and sendSignal', () => {
  let net: ReturnType<typeof createNetwork>;
  let receiver: Client;
  let sender: Client;
  let server: SignalServer;

  beforeEach(() => {
    net = createNetwork();
    receiver = net.connect(RECEIVER);
    sender = net.connect(10_001);
    server = new SignalServer(receiver).start();
  });

  afterEach(() => {
    server.stop();
    net.close();
  });

  /** Resolves with the body of the next signal of a descriptor. */
  function nextSignal(descriptor: string): Promise<unknown> {
    const got = deferred<unknown>();
    server.route(descriptor, (body) => got.resolve(body));
    return got.promise;
  }

  test('a signal reaches its route', async () => {
    const ping = nextSignal('ping');
    await sendSignal(sender, RECEIVER, 'ping', { x: 1 });
    await expect(ping).resolves.toEqual({ x: 1 });
  });

  test.each([
    ['an address (default port 103)', RECEIVER],
    ['[address, port]', [RECEIVER, 103]],
    ['"address:port"', `${RECEIVER}:103`],
    ['a cached name', 'pyecho'],
    ['"name:port"', 'pyecho:103'],
  ] as const)('the endpoint may be %s', async (_what, endpoint) => {
    sender.cacheAddressName('pyecho', RECEIVER);
    const ping = nextSignal('ping');
    await sendSignal(sender, endpoint, 'ping', 7);
    await expect(ping).resolves.toBe(7);
  });

  test('serves on another port', async () => {
    const other = new SignalServer(receiver, { port: 5000 });
    const got = deferred<unknown>();
    other.route('x', (body) => got.resolve(body)).start();
    await sendSignal(sender, [RECEIVER, 5000], 'x', 'on 5000');
    await expect(got.promise).resolves.toBe('on 5000');
    other.stop();
  });

  test('a throwing or rejecting route is reported and the server keeps serving', async () => {
    server.route('throws', () => {
      throw new Error('sync boom');
    });
    server.route('rejects', async () => {
      throw new Error('async boom');
    });
    const errors: Array<[unknown, string]> = [];
    server.events.on('handler-error', (error, descriptor) => errors.push([error, descriptor]));
    const ok = nextSignal('ok');
    await sendSignal(sender, RECEIVER, 'throws', null);
    await sendSignal(sender, RECEIVER, 'rejects', null);
    await sendSignal(sender, RECEIVER, 'ok', 1);
    await expect(ok).resolves.toBe(1);
    await Promise.resolve();
    expect(errors.map(([e, d]) => [(e as Error).message, d])).toEqual([
      ['sync boom', 'throws'],
      ['async boom', 'rejects'],
    ]);
  });

  test('validate checks the body first; a failure is reported as handler-error', async () => {
    const bodiesSeen: number[] = [];
    const isNumber = (value: unknown): number => {
      if (typeof value !== 'number') throw new TypeError('expected a number');
      return value;
    };
    server.route('n', { validate: isNumber }, (n) => {
      bodiesSeen.push(n + 1);
    });
    const reported = nextEvent<[unknown, string]>((l) => server.events.on('handler-error', l));
    await sendSignal(sender, RECEIVER, 'n', 'not a number');
    const [error] = await reported;
    expect((error as Error).message).toBe('expected a number');
    const ok = nextSignal('ok');
    await sendSignal(sender, RECEIVER, 'n', 1);
    await sendSignal(sender, RECEIVER, 'ok', null);
    await ok;
    expect(bodiesSeen).toEqual([2]);
  });

  test('an unknown descriptor is reported and ignored', async () => {
    const reported = nextEvent<[string, unknown]>((l) => server.events.on('unknown-descriptor', l));
    await sendSignal(sender, RECEIVER, 'nobody-listens', { a: 1 });
    await expect(reported).resolves.toEqual(['nobody-listens', { a: 1 }]);
  });

  test.each([
    ['undecodable bytes', RawData.fromBytes(new Uint8Array([0xc1])), 'undecodable'],
    ['a payload without descriptor', RawData.from({ body: 1 }), 'not a signal'],
    ['a non-map payload', RawData.from('ping'), 'not a signal'],
  ])('%s is reported and skipped', async (_what, data, text) => {
    const reported = nextEvent<[Error]>((l) => server.events.on('error', l));
    sender.sendToAddress(RECEIVER, 103, data);
    const [error] = await reported;
    expect(error).toBeInstanceOf(MalformedSignalError);
    expect(error.message).toContain(text);
    const ok = nextSignal('ok');
    await sendSignal(sender, RECEIVER, 'ok', 'still serving');
    await expect(ok).resolves.toBe('still serving');
  });

  test('after stop nothing reaches the routes and the port is free', async () => {
    const seen: unknown[] = [];
    server.route('ping', (body) => {
      seen.push(body);
    });
    server.stop();
    server.stop();
    expect(server.isRunning).toBe(false);
    const marker = deferred<AddressedMessage>();
    receiver.listenPort(4000, (m) => marker.resolve(m));
    await sendSignal(sender, RECEIVER, 'ping', 1);
    sender.sendToAddress(RECEIVER, 4000, 'marker'); // same path, so it arrives after the signal
    await marker.promise;
    expect(seen).toEqual([]);
    const again = new SignalServer(receiver).start();
    again.stop();
  });

  test('is disposable', async () => {
    {
      await using s = new SignalServer(receiver, { port: 6000 }).start();
      expect(s.isRunning).toBe(true);
    }
    new SignalServer(receiver, { port: 6000 }).start().stop();
  });

  describe('payload bytes match the Python implementation (bodies.json signals)', () => {
    function captureSent(client: Client): AddressedMessage[] {
      const sent: AddressedMessage[] = [];
      const send = client.link.send.bind(client.link);
      client.link.send = (message: Message) => {
        if (message.type === MessageType.Addressed) sent.push(message);
        return send(message);
      };
      return sent;
    }

    test.each([
      ["B: send_signal('pyecho', 'ping', {x: 1})"],
      ['A: address_name_context exit (signal unregister_address_name)'],
      ['A: request_address() without an address (signal to 0:103, answer on topic 1)'],
    ])('%s', async (step) => {
      const vector = vectorOf(bodies.signals, step);
      const { descriptor, body } = vector.payload as { descriptor: string; body: unknown };
      // Someone at the vector's address (discovery's 0 for two of them), so the signal has a route.
      if (vector.address !== RECEIVER) net.connect(vector.address);
      const sent = captureSent(sender);
      await sendSignal(sender, vector.address, descriptor, body);
      expect(sent).toHaveLength(1);
      expect(sent[0]!.address).toBe(vector.address);
      expect(sent[0]!.port).toBe(vector.port);
      expect(hex(sent[0]!.data.bytes)).toBe(vector.payload_hex);
    });
  });
});
