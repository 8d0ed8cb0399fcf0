// Messages that arrive as bytes are forwarded as the same bytes: the codec's
// fast path for data and addressed messages keeps the wire form, and
// encodeMessage hands it back instead of encoding anew. Other layouts take
// the fully checking path and decode to the same fields.
import { AddressedMessage, DecodeError, RawData, TopicDataMessage, decodeMessage, encodeMessage } from '@streamtasks/link';
import { encodeValue } from '@streamtasks/link/internal';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const bytes = (h: string) => Uint8Array.from(Buffer.from(h, 'hex'));

test('a decoded data message is re-sent as the very same bytes', () => {
  const wire = encodeMessage(new TopicDataMessage(100000, RawData.from({ timestamp: 1, value: 2 })));
  const decoded = decodeMessage(wire) as TopicDataMessage;
  expect(decoded.wire).toBe(wire);
  expect(encodeMessage(decoded)).toBe(wire);
  expect(decoded.data.value).toEqual({ timestamp: 1, value: 2 });
});

test('a decoded addressed message is re-sent as the very same bytes', () => {
  const wire = encodeMessage(new AddressedMessage(2n ** 60n, 100, RawData.from('x'.repeat(1000))));
  const decoded = decodeMessage(wire) as AddressedMessage;
  expect(encodeMessage(decoded)).toBe(wire);
  expect(decoded).toMatchObject({ address: 2n ** 60n, port: 100 });
  expect(decoded.data.value).toBe('x'.repeat(1000));
});

test('messages built in-process carry no wire form', () => {
  expect(new TopicDataMessage(1, RawData.from(1)).wire).toBeUndefined();
});

test('other key orders decode to the same fields through the checking path', () => {
  const payload = encodeValue({ a: 1 });
  // {_id: 0, data: bin, topic: 7}
  const reordered = bytes(`83a35f696400a464617461c4${payload.length.toString(16).padStart(2, '0')}${hex(payload)}a5746f70696307`);
  const decoded = decodeMessage(reordered) as TopicDataMessage;
  expect(decoded).toMatchObject({ topic: 7 });
  expect(decoded.data.value).toEqual({ a: 1 });
  expect(hex(encodeMessage(decoded))).toBe(hex(reordered)); // forwarded unchanged, as received
});

test('a canonical message with anything after it is rejected', () => {
  const wire = encodeMessage(new TopicDataMessage(1, RawData.from(1)));
  const longer = new Uint8Array(wire.length + 1);
  longer.set(wire);
  expect(() => decodeMessage(longer)).toThrow(DecodeError);
  expect(() => decodeMessage(wire.subarray(0, wire.length - 1))).toThrow(DecodeError);
  // Wrong type byte for the layout: a data layout claiming to be addressed.
  const wrongType = Uint8Array.from(wire);
  wrongType[wrongType.length - 1] = 2;
  expect(() => decodeMessage(wrongType)).toThrow(DecodeError);
});
