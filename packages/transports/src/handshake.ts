// Browser-safe: the handshake of every transport, over any FrameChannel.
import { ConnectionClosedError, StreamtasksError, type WaitOptions } from '@streamtasks/link';
import { boundedWait, decodeValue, encodeValue } from '@streamtasks/link/internal';
import type { FrameChannel } from './channel.js';
import { PROTOCOL_VERSION } from './constants.js';
import { HandshakeError, HandshakeRejectedError } from './errors.js';

/** A decoded handshake map. */
export type HandshakeData = Readonly<Record<string, unknown>>;

/**
 * The client's first frame: its handshake data (URL user info and query
 * parameters, in order) followed by `version`. Byte-compatible with the
 * Python reference.
 */
export function encodeHello(data: ReadonlyMap<string, string>): Uint8Array {
  const hello = new Map<string, unknown>(data);
  hello.set('version', PROTOCOL_VERSION);
  return encodeValue(hello);
}

/**
 * The server's reply: `{accepted, version}` and nothing else — in
 * particular never the server's own credentials or URL parameters.
 */
export function encodeReply(accepted: boolean): Uint8Array {
  return encodeValue(new Map<string, unknown>([['accepted', accepted], ['version', PROTOCOL_VERSION]]));
}

/** Decodes a handshake frame; throws {@link HandshakeError} unless it is a map with string keys. */
export function decodeHandshake(payload: Uint8Array, what: string): HandshakeData {
  let value: unknown;
  try {
    value = decodeValue(payload);
  } catch (err) {
    throw new HandshakeError(`${what} is not valid MessagePack`, { cause: err });
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value) || value instanceof Map || value instanceof Uint8Array) {
    throw new HandshakeError(`${what} is not a map with string keys`);
  }
  return value as HandshakeData;
}

/**
 * The server's decision on a client hello: accepted iff the versions are
 * equal and the client's `auth` equals the server's (both absent counts as
 * equal). Returns the rejection, or undefined when accepted.
 */
export function checkHello(hello: HandshakeData, auth: string | undefined): HandshakeRejectedError | undefined {
  const version = hello['version'];
  if (version !== PROTOCOL_VERSION) {
    return new HandshakeRejectedError(
      'version',
      `client speaks protocol version ${JSON.stringify(version)}, server ${PROTOCOL_VERSION}`,
      version,
    );
  }
  const given = Object.hasOwn(hello, 'auth') ? hello['auth'] : undefined;
  if (!sameAuth(given, auth)) {
    const problem = given === undefined ? 'client sent no auth' : auth === undefined ? 'client sent auth, but this server takes none' : 'client sent a wrong auth';
    return new HandshakeRejectedError('auth', problem, version);
  }
  return undefined;
}

/**
 * The client's check of the server's reply: version first, then `accepted`
 * must be exactly true. The reply does not say why it refused (a version
 * mismatch is told by the version): `sentAuth` tells the likely cause, "no
 * auth" or "wrong auth", without repeating the secret.
 */
export function checkReply(reply: HandshakeData, sentAuth = false, peer?: string): void {
  const where = peer === undefined ? '' : `${peer}: `;
  const version = reply['version'];
  if (version !== PROTOCOL_VERSION) {
    throw new HandshakeRejectedError(
      'version',
      `${where}server speaks protocol version ${JSON.stringify(version)}, client ${PROTOCOL_VERSION}`,
      version,
    );
  }
  if (reply['accepted'] !== true) {
    // Refusals for a full server look the same on the wire: say so, but name the usual cause.
    throw new HandshakeRejectedError(
      'refused',
      sentAuth
        ? `${where}server rejected the connection: wrong auth (or it takes none, or it is full)`
        : `${where}server rejected the connection: no auth (it requires one: add ?auth=… to the URL; or it is full)`,
      version,
    );
  }
}

/** Compares without an early exit, so the time taken does not tell how much of a secret matched. */
function sameAuth(given: unknown, expected: string | undefined): boolean {
  if (expected === undefined || given === undefined) return expected === given;
  if (typeof given !== 'string') return false;
  let diff = given.length ^ expected.length;
  for (let i = 0; i < expected.length; i++) diff |= expected.charCodeAt(i) ^ given.charCodeAt(i % (given.length || 1));
  return diff === 0;
}

/**
 * Waits for the first frame on a channel; later frames stay queued for
 * whoever comes next. Bytes before that frame fail the wait with a
 * {@link HandshakeError}: a peer that speaks the protocol starts with a frame.
 */
export function firstFrame(channel: FrameChannel, what: string, options: WaitOptions): Promise<Uint8Array> {
  return boundedWait<Uint8Array>(what, options, (resolve, reject) => {
    channel.setHandler({
      frame: (payload) => {
        channel.setHandler(undefined);
        resolve(payload);
      },
      drain: () => {},
      // Our own errors (a refused or reset connection, an oversize frame) already say what happened.
      close: (reason) =>
        reject(
          reason instanceof StreamtasksError
            ? reason
            : new ConnectionClosedError(`${channel.description} closed during the handshake`, { cause: reason }),
        ),
      // Bytes before the first frame (skipped by the parser): whoever sent them does not speak
      // this protocol, or is not to be trusted with it.
      warning: (error) => reject(new HandshakeError(`${what} came after bytes that are not a frame`, { cause: error })),
    });
    return () => channel.setHandler(undefined);
  });
}

/**
 * Runs the client side: sends the hello, waits for the reply and checks it.
 * Throws {@link HandshakeRejectedError}, {@link HandshakeError},
 * `ConnectionClosedError`, or `TimeoutError`/`AbortError` from `options`.
 * The caller closes the channel on failure.
 */
export async function clientHandshake(
  channel: FrameChannel,
  data: ReadonlyMap<string, string>,
  options: WaitOptions,
): Promise<HandshakeData> {
  channel.send(encodeHello(data));
  const reply = decodeHandshake(await firstFrame(channel, `the handshake reply from ${channel.description}`, options), 'handshake reply');
  checkReply(reply, data.has('auth'), channel.description);
  return reply;
}

/**
 * Runs the server side: waits for the hello, checks it and replies. On a
 * version or auth mismatch the rejection is sent, then thrown. Resolves with
 * the client's hello when accepted. The caller closes the channel on failure.
 */
export async function serverHandshake(
  channel: FrameChannel,
  auth: string | undefined,
  options: WaitOptions,
): Promise<HandshakeData> {
  const hello = decodeHandshake(await firstFrame(channel, `the handshake from ${channel.description}`, options), 'handshake');
  const rejection = checkHello(hello, auth);
  channel.send(encodeReply(rejection === undefined));
  if (rejection) throw rejection;
  return hello;
}
