// What a Python client sees of a TypeScript server's handshake reply. The
// reference server starts its reply with its own URL extras (user name,
// password, query parameters except `auth`); ours sends `{accepted,
// version}` only (docs/python.md says why). A Python client reads nothing but
// those two keys, so it decides the same on either reply.
import { decodeValue } from '@streamtasks/link/internal';
import { createServer, type TransportServer } from '@streamtasks/transports';
import { RawStreamClient } from './harness.js';
import { hex, loadVectors, type HandshakeVectors } from './vectors.js';

const vectors = loadVectors<HandshakeVectors>('handshake.json');
const EXTRAS_URL = 'tcp://srvuser:srvpw@127.0.0.1:0?auth=S&cost=7&foo=bar';

/** The reference client's check of a reply: `version` first, then `accepted` must be exactly true; other keys are ignored. */
function pythonClientOutcome(reply: unknown): 'accepted' | 'version mismatch' | 'rejected' {
  const data = reply as Record<string, unknown>;
  if (data['version'] !== '0.1') return 'version mismatch';
  return data['accepted'] === true ? 'accepted' : 'rejected';
}

/** Sends a Python client's hello frame and returns the decoded reply. */
async function replyTo(server: TransportServer, hello: Uint8Array): Promise<unknown> {
  const raw = RawStreamClient.forServer(server);
  try {
    raw.sendFrame(hello);
    return decodeValue(await raw.frame(1));
  } finally {
    raw.destroy();
  }
}

let server: TransportServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

test('a server with credentials and extra URL parameters: the Python client is accepted and learns nothing else', async () => {
  server = await createServer(EXTRAS_URL);
  // The hello a Python client sends for `tcp://…?auth=S` (recorded).
  const reply = await replyTo(server, hex('82a461757468a153a776657273696f6ea3302e31'));
  expect(reply).toEqual({ accepted: true, version: '0.1' });
  expect(pythonClientOutcome(reply)).toBe('accepted');

  // The reference server's reply to the same hello, for the same URL, decides the same:
  // its extra keys are the server's own URL parts, which the client never reads.
  const reference = decodeValue(hex(vectors.accept_with_server_extras.server_reply_hex)) as Record<string, unknown>;
  expect(pythonClientOutcome(reference)).toBe('accepted');
  const { username, password, ...withoutCredentials } = reference;
  expect([username, password]).toEqual(['srvuser', 'srvpw']);
  const { cost: _cost, foo: _foo, ...withoutExtras } = withoutCredentials;
  expect(reply).toEqual(withoutExtras);
});

test.each([
  ['a wrong auth', '82a461757468a557524f4e47a776657273696f6ea3302e31', 'rejected'],
  ['no auth', '81a776657273696f6ea3302e31', 'rejected'],
  ['another version', vectors.reject_version_mismatch.client_hello_hex, 'rejected'],
] as const)('%s: the Python client gets the reference rejection bytes and stops', async (_what, helloHex, outcome) => {
  server = await createServer(EXTRAS_URL);
  const raw = RawStreamClient.forServer(server);
  raw.sendFrame(hex(helloHex));
  const frame = await raw.frame(1);
  expect(Buffer.from(frame).toString('hex')).toBe(vectors.reject_version_mismatch.server_reply_hex);
  expect(pythonClientOutcome(decodeValue(frame))).toBe(outcome);
  await raw.closed;
});
