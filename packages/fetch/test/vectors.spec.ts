import { MessageType, type AddressedMessage, type Message } from '@streamtasks/link';
import type { Client } from '@streamtasks/client';
import { CustomFetchError, FetchServer, check } from '@streamtasks/fetch';
import { createNetwork, hex, loadBodies, vectorOf } from '@streamtasks/testing';

const bodies = loadBodies();

/** Records the payload bytes of Addressed messages a client sends and receives. */
function tap(client: Client) {
  const sent: AddressedMessage[] = [];
  const received: AddressedMessage[] = [];
  const send = client.link.send.bind(client.link);
  client.link.send = (message: Message) => {
    if (message.type === MessageType.Addressed) sent.push(message);
    return send(message);
  };
  client.addReceiver((message) => {
    if (message.type === MessageType.Addressed) received.push(message);
  });
  return { sent, received };
}

describe('wire bytes match the Python implementation (bodies.json)', () => {
  // As in the recorded session: "pyecho" (A) at 10000 serves, B at 10001 asks.
  let net: ReturnType<typeof createNetwork>;
  let a: Client;
  let b: Client;
  let server: FetchServer;

  beforeEach(() => {
    net = createNetwork();
    a = net.connect(10_000);
    b = net.connect(10_001);
    server = new FetchServer(a)
      .route('echo', ({ body }) => body)
      .route('noresponse', () => {})
      .route('validate', { validate: check.object({ text: check.string() }) }, ({ body }) => body)
      .route('raise', () => {
        throw new Error('boom');
      })
      .route('custom_error', () => {
        throw new CustomFetchError({ code: 42 });
      })
      .start();
  });

  afterEach(() => {
    server.stop();
    net.close();
  });

  const cases = [
    ['echo', 10_004],
    ['noresponse', 10_005],
    ['raise', 10_007],
    ['custom_error', 10_008],
  ] as const;

  test.each(cases)('fetch %s: request and response payloads byte for byte', async (descriptor, returnPort) => {
    const step = `B: fetch('pyecho', '${descriptor}', ...)`;
    const request = vectorOf(bodies.fetch_requests, step);
    const response = vectorOf(bodies.fetch_responses, step);
    // The Python client had used return ports 10000..returnPort-1 before this call.
    while (b.allocatePort() < returnPort - 1);
    const bTap = tap(b);
    const aTap = tap(a);
    const body = (request.payload as { body: unknown }).body;
    await b.fetch(10_000, descriptor, body, { timeout: 2000 }).catch(() => undefined);

    expect(bTap.sent).toHaveLength(1);
    expect(bTap.sent[0]!.port).toBe(request.port);
    expect(hex(bTap.sent[0]!.data.bytes)).toBe(request.payload_hex);
    expect(aTap.received[0]!.data.value).toEqual(request.payload);

    expect(aTap.sent).toHaveLength(1);
    expect(aTap.sent[0]!.address).toBe(response.address);
    expect(aTap.sent[0]!.port).toBe(response.port);
    expect(hex(aTap.sent[0]!.data.bytes)).toBe(response.payload_hex);
    expect(hex(bTap.received[0]!.data.bytes)).toBe(response.payload_hex);
  });

  test('a validation failure has the shape of the Python answer (the message text is ours)', async () => {
    const step = "B: fetch('pyecho', 'validate', ...)";
    const request = vectorOf(bodies.fetch_requests, step);
    const response = vectorOf(bodies.fetch_responses, step);
    const aTap = tap(a);
    await b.fetch(10_000, 'validate', (request.payload as { body: unknown }).body, { timeout: 2000 }).catch(() => undefined);
    const answer = aTap.sent[0]!.data.value as { body: [string, string]; error: boolean };
    const expected = response.payload as { body: [string, string]; error: boolean };
    expect(Object.keys(answer)).toEqual(Object.keys(expected));
    expect(answer.error).toBe(true);
    expect(answer.body[0]).toBe(expected.body[0]);
    expect(typeof answer.body[1]).toBe('string');
    expect(answer.body[1]).toContain('body.text');
  });
});
