// Every decoder that reads bytes from peers runs in linear time, measured:
// each adversarial family of tools/fuzz-families.mjs is decoded at 1 KiB and
// at 64 KiB, and the time per byte at 64 KiB may be at most twice that at
// 1 KiB. No wall-clock time is asserted, only this ratio, measured in one run
// (best of several batches after a warm-up, retried before it counts).
//
// The decoders: decodeValue, a payload read from a message (RawData), the
// message envelope (decodeMessage: a family as an extra key, which is
// skipped, as a payload, and as a typed field, which is rejected at once),
// the handshake, the frame parser (whole and in small chunks) and the
// WebSocket message path. The command line's JSON reader has its own
// families in packages/cli/test/json-families.spec.ts.
//
// Runs on the built packages (`npm run build`).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { families, growth } from './fuzz-families.mjs';

// The public entries and the internal ones (the value decoder, the frame parser and the channels).
const link = { ...(await import('@streamtasks/link')), ...(await import('@streamtasks/link/internal')) };
const transports = { ...(await import('@streamtasks/transports')), ...(await import('@streamtasks/transports/internal')) };
const { DecodeError, decodeMessage, decodeValue, RawData } = link;
const { FrameParser, WebSocketChannel, decodeHandshake, encodeFrame, HandshakeError, PROTOCOL_VERSION, FrameTooLargeError } = transports;

const SMALL = 1024;
const LARGE = 64 * 1024;
const MAX_GROWTH = 2;

const ascii = (s) => Array.from(s, (c) => c.charCodeAt(0));
const fixstr = (s) => [0xa0 | s.length, ...ascii(s)];
const bin = (bytes) => [0xc6, (bytes.length >>> 24) & 0xff, (bytes.length >>> 16) & 0xff, (bytes.length >>> 8) & 0xff, bytes.length & 0xff, ...bytes];
const concat = (...parts) => Uint8Array.from(parts.flatMap((p) => Array.from(p)));

/** Runs `fn`; a DecodeError (or another expected rejection) is an answer too. */
const tolerate = (fn, ...expected) => () => {
  try {
    fn();
  } catch (err) {
    if (![DecodeError, ...expected].some((E) => err instanceof E)) throw err;
  }
};

/** An AddressesChanged message that carries the family as an extra key: the decoder skips it. */
const asExtraKey = (value) => concat([0x84], fixstr('add'), [0x90], fixstr('remove'), [0x90], fixstr('extra'), value, fixstr('_id'), [0x03]);
/** A TopicData message whose payload is the family. */
const asPayload = (value) => concat([0x83], fixstr('topic'), [0x01], fixstr('data'), bin(value), fixstr('_id'), [0x00]);
/** A TopicControl message whose paused field is the family: rejected at its first byte. */
const asPaused = (value) => concat([0x83], fixstr('topic'), [0x01], fixstr('paused'), value, fixstr('_id'), [0x01]);
/** A client hello that carries the family beside its version. */
const asHello = (value) => concat([0x82], fixstr('version'), [PROTOCOL_VERSION], fixstr('x'), value);

/** A WebSocket channel over an object that delivers messages as `ws` does (binaryType arraybuffer). */
function webSocketPath() {
  const socket = {
    binaryType: '', readyState: 1, bufferedAmount: 0, url: 'ws://families',
    onopen: null, onmessage: null, onclose: null, onerror: null,
    send() {}, close() {},
  };
  const channel = new WebSocketChannel(socket, { maxFrameSize: 16 * 1024 * 1024 });
  let frame;
  channel.setHandler({ frame: (p) => (frame = p), drain() {}, close() {}, warning() {} });
  return (buffer) => {
    socket.onmessage({ data: buffer });
    tolerate(() => decodeMessage(frame))();
  };
}

const paths = {
  decodeValue: (bytes) => tolerate(() => decodeValue(bytes)),
  'payload (RawData)': (bytes) => tolerate(() => RawData.fromRange(bytes, 0, bytes.length).value),
  'decodeMessage, as an extra key': (bytes) => {
    const m = asExtraKey(bytes);
    return tolerate(() => decodeMessage(m));
  },
  'decodeMessage, as a payload': (bytes) => {
    const m = asPayload(bytes);
    return tolerate(() => decodeMessage(m).data.value);
  },
  'decodeMessage, as a typed field': (bytes) => {
    const m = asPaused(bytes);
    return tolerate(() => decodeMessage(m));
  },
  'handshake': (bytes) => {
    const hello = asHello(bytes);
    return tolerate(() => decodeHandshake(hello, 'handshake'), HandshakeError);
  },
  'frame parser, one chunk': (bytes) => {
    const stream = concat(encodeFrame(asExtraKey(bytes)), [0xb8, 0x23, 0xa0], bytes);
    return () => {
      const parser = new FrameParser({ maxFrameSize: 16 * 1024 * 1024, onFrame: (p) => tolerate(() => decodeMessage(p))() });
      parser.push(stream);
    };
  },
  'frame parser, 7-byte chunks': (bytes) => {
    const stream = encodeFrame(asExtraKey(bytes));
    return () => {
      const parser = new FrameParser({ maxFrameSize: 16 * 1024 * 1024, onFrame: (p) => tolerate(() => decodeMessage(p))() });
      for (let i = 0; i < stream.length; i += 7) parser.push(stream.subarray(i, i + 7));
    };
  },
  'WebSocket message': (bytes) => {
    const deliver = webSocketPath();
    const message = asExtraKey(bytes);
    return () => deliver(message.buffer.slice(message.byteOffset, message.byteOffset + message.byteLength));
  },
};

test('the sync-word search of the frame parser is linear on near-miss garbage', () => {
  // Three of the four sync bytes over and over: every position starts a match that then fails.
  const garbage = (size) => Uint8Array.from({ length: size }, (_, i) => [0xb8, 0x23, 0xa0, 0x00][i % 4]);
  const run = (bytes) => () => new FrameParser({ onFrame() {} }).push(bytes);
  const small = garbage(SMALL);
  const large = garbage(LARGE);
  const ratio = growth({ run: run(small), bytes: SMALL }, { run: run(large), bytes: LARGE });
  assert.ok(ratio <= MAX_GROWTH, `time per byte grew ${ratio.toFixed(2)}× from 1 KiB to 64 KiB`);
});

test('a frame header announcing 4 GiB is rejected from the header, whatever follows', () => {
  const parser = new FrameParser({ onFrame() {} });
  assert.throws(() => parser.push(Uint8Array.from([0xb8, 0x23, 0xa0, 0x6f, 0xff, 0xff, 0xff, 0xff, 0x00])), FrameTooLargeError);
  assert.equal(parser.bufferedBytes, 0);
});

for (const [family, make] of Object.entries(families)) {
  const small = make(SMALL);
  const large = make(LARGE);
  test(`${family}: time per byte stays flat from 1 KiB to 64 KiB in every decoder`, (t) => {
    const grew = [];
    let worst = 0;
    for (const [path, prepare] of Object.entries(paths)) {
      const ratio = growth(
        { run: prepare(small), bytes: small.length },
        { run: prepare(large), bytes: large.length },
        { runs: 3, batchMs: 3, attempts: 4 },
      );
      worst = Math.max(worst, ratio);
      if (ratio > MAX_GROWTH) grew.push(`${path}: ${ratio.toFixed(2)}×`);
    }
    t.diagnostic(`largest growth ${worst.toFixed(2)}×`);
    assert.deepEqual(grew, [], `time per byte grew by more than ${MAX_GROWTH}× from 1 KiB to 64 KiB`);
  });
}
