// encodeMessage writes a payload that has no bytes yet straight into the
// message: the bytes must be exactly those of encoding the payload on its
// own (bin8/bin16/bin32 headers at the size boundaries), the payload keeps
// its range of the message, and the message keeps its bytes.
import { AddressedMessage, EncodeError, RawData, TopicDataMessage, decodeMessage, encodeMessage } from '@streamtasks/link';
import { decodeOwnedMessage, encodeValue } from '@streamtasks/link/internal';
import { growth } from './linear-time.js';

const hex = (b: Uint8Array) => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');

/** The message as it was encoded before: payload bytes first, then the envelope around them. */
function expected(topic: number, payload: Uint8Array): string {
  const n = payload.length;
  const header = n < 0x100
    ? `c4${n.toString(16).padStart(2, '0')}`
    : n < 0x10000
      ? `c5${n.toString(16).padStart(4, '0')}`
      : `c6${n.toString(16).padStart(8, '0')}`;
  return `83a5746f706963${topic.toString(16).padStart(2, '0')}a464617461${header}${hex(payload)}a35f696400`;
}

test.each([0, 1, 200, 250, 251, 252, 253, 254, 255, 256, 300, 65_530, 65_535, 65_536, 70_000])(
  'a payload of about %i bytes is written as its own encoding in a bin of the right size',
  (n) => {
    const value = n === 0 ? null : 'x'.repeat(n);
    const payload = encodeValue(value);
    const message = new TopicDataMessage(7, RawData.from(value));
    const wire = encodeMessage(message);
    expect(hex(wire)).toBe(expected(7, payload));
    // The payload now knows its bytes: a view of the message, equal to encoding it alone.
    expect(hex(message.data.bytes)).toBe(hex(payload));
    expect((decodeMessage(wire) as TopicDataMessage).data.value).toEqual(value);
  },
);

test('the message keeps its bytes; encoding it again returns them', () => {
  const message = new AddressedMessage(10_000, 100, RawData.from({ a: 1 }));
  expect(message.wire).toBeUndefined();
  const wire = encodeMessage(message);
  expect(message.wire).toBe(wire);
  expect(encodeMessage(message)).toBe(wire);
});

test('a payload published again is not encoded again, and its bytes are the same', () => {
  const data = RawData.from({ timestamp: 1.5, value: 2 });
  const first = encodeMessage(new TopicDataMessage(1, data));
  const bytes = data.bytes;
  const second = encodeMessage(new TopicDataMessage(2, data));
  expect(data.bytes).toBe(bytes);
  expect(hex(first).slice(16)).toBe(hex(second).slice(16));
  expect(hex(bytes)).toBe(hex(encodeValue({ timestamp: 1.5, value: 2 })));
});

test('a payload that cannot be encoded throws EncodeError and leaves the encoder usable', () => {
  const message = new TopicDataMessage(1, RawData.from({ f: () => 1 }));
  expect(() => encodeMessage(message)).toThrow(EncodeError);
  expect(message.wire).toBeUndefined();
  const ok = encodeMessage(new TopicDataMessage(1, RawData.from(5)));
  expect(hex(ok)).toBe(expected(1, encodeValue(5)));
});

test('messages encoded one after another keep their bytes, also when a payload outgrows the buffer mid-message', () => {
  const kept: Array<[TopicDataMessage, Uint8Array, string]> = [];
  for (let i = 0; i < 2000; i++) {
    const value = i % 150 === 149 ? { big: 'z'.repeat(30_000 + i), i } : { i, s: 'x'.repeat(i % 90) };
    const message = new TopicDataMessage(i % 100, RawData.from(value));
    const wire = encodeMessage(message);
    kept.push([message, wire, hex(wire)]);
  }
  for (const [message, wire, bytes] of kept) {
    expect(hex(wire)).toBe(bytes);
    expect(hex(message.data.bytes)).toBe(hex(encodeValue(message.data.value)));
    expect((decodeMessage(wire) as TopicDataMessage).data.value).toEqual(message.data.value);
  }
});

describe('bins of received payloads', () => {
  const message = (pad: Uint8Array) => encodeMessage(new TopicDataMessage(7, RawData.from({ pad })));

  test('a small owned message: bins are views of its bytes; decodeMessage copies them', () => {
    const bytes = message(new Uint8Array(63).fill(0x61)).slice();
    const owned = decodeOwnedMessage(bytes) as TopicDataMessage<{ pad: Uint8Array }>;
    expect(owned.data.value.pad).toEqual(new Uint8Array(63).fill(0x61));
    expect(owned.data.value.pad.buffer).toBe(bytes.buffer);
    const plain = decodeMessage(bytes) as TopicDataMessage<{ pad: Uint8Array }>;
    expect(plain.data.value.pad.buffer).not.toBe(bytes.buffer);
  });

  test('a large owned message: bins are copies, so that a kept bin does not keep the message', () => {
    const bytes = message(new Uint8Array(4000).fill(0x62)).slice();
    const owned = decodeOwnedMessage(bytes) as TopicDataMessage<{ pad: Uint8Array }>;
    expect(owned.data.value.pad).toEqual(new Uint8Array(4000).fill(0x62));
    expect(owned.data.value.pad.buffer).not.toBe(bytes.buffer);
  });
});

describe('payloads above 1 MiB', () => {
  test('a message with one 3 MiB bin decodes to the same bytes', () => {
    const pad = new Uint8Array(3 * 1024 * 1024);
    for (let i = 0; i < pad.length; i += 4093) pad[i] = i & 0xff;
    const wire = encodeMessage(new TopicDataMessage(9, RawData.from({ pad })));
    const back = decodeMessage(wire) as TopicDataMessage<{ pad: Uint8Array }>;
    expect(Buffer.from(back.data.value.pad).equals(Buffer.from(pad))).toBe(true);
  });

  // Growing the buffer to each value's exact size would copy all that came before at every bin: about
  // 30x the cost per byte at 32 MiB here. Geometric growth stays within 1-3x (larger buffers touch
  // fresh memory: the per-byte cost of 32 MiB is above that of 2 MiB for any growth rule).
  test('encoding many large bins in one value costs about the same per byte for 32 MiB as for 2 MiB', () => {
    const bins = (count: number) => Array.from({ length: count }, () => new Uint8Array(128 * 1024));
    const small = bins(16);
    const large = bins(256);
    const ratio = growth(
      { run: () => void encodeValue(small), bytes: 16 * 128 * 1024 },
      { run: () => void encodeValue(large), bytes: 256 * 128 * 1024 },
      { runs: 3, batchMs: 20 },
    );
    expect(ratio).toBeLessThanOrEqual(5);
  });
});
