/**
 * A large frame decoded from the pieces it arrived in (decodeOwnedParts): the
 * same message as decoding the joined bytes, the same DecodeError for bad
 * input, and a data or addressed message keeps the pieces (forwarded without
 * being joined) while its payload is joined only when read.
 */
import { AddressedMessage, MessageType, RawData, TopicDataMessage, encodeMessage } from '@streamtasks/link';
import { decodeOwnedMessage, decodeOwnedParts, encodeValue, largeFrameParts } from '@streamtasks/link/internal';
import { decodeErrorOf } from './helpers.js';

/** `bytes` cut every `size` bytes, the first piece `first` bytes long. */
function pieces(bytes: Uint8Array, size: number, first = size): Uint8Array[] {
  const out = [bytes.slice(0, first)];
  for (let at = first; at < bytes.length; at += size) out.push(bytes.slice(at, at + size));
  return out;
}

const big = Uint8Array.from({ length: 3 * 1024 * 1024 }, (_, i) => (i * 31) & 0xff);
const topicWire = encodeMessage(new TopicDataMessage(2 ** 40, RawData.from(big)));
const addressedWire = encodeMessage(new AddressedMessage(7, 65_000, RawData.from({ blob: big, n: 1 })));

describe('decodeOwnedParts', () => {
  test('a data message keeps its pieces; its payload is joined when read', () => {
    const parts = pieces(topicWire, 65_536);
    const m = decodeOwnedParts(parts, topicWire.length);
    expect(m.type).toBe(MessageType.TopicData);
    const msg = m as TopicDataMessage;
    expect(msg.topic).toBe(2 ** 40);
    expect(msg.wire).toBeUndefined();
    expect(largeFrameParts(msg)).toBe(parts);
    expect(msg.data.isSerialized).toBe(true);
    expect(Buffer.compare(msg.data.bytes, encodeValue(big))).toBe(0);
    expect(Buffer.compare(msg.data.value as Uint8Array, big)).toBe(0);
  });

  test('an addressed message too, with the same fields as the joined decode', () => {
    const parts = pieces(addressedWire, 100_000);
    const m = decodeOwnedParts(parts, addressedWire.length) as AddressedMessage;
    const joined = decodeOwnedMessage(addressedWire.slice()) as AddressedMessage;
    expect([m.type, m.address, m.port]).toEqual([joined.type, joined.address, joined.port]);
    expect(largeFrameParts(m)).toBe(parts);
    const value = m.data.value as { blob: Uint8Array; n: number };
    expect(value.n).toBe(1);
    expect(Buffer.compare(value.blob, (joined.data.value as { blob: Uint8Array }).blob)).toBe(0);
  });

  test('encoding a message in pieces joins them into its wire bytes, once', () => {
    const m = decodeOwnedParts(pieces(topicWire, 65_536), topicWire.length);
    const out = encodeMessage(m);
    expect(Buffer.compare(out, topicWire)).toBe(0);
    expect(encodeMessage(m)).toBe(out);
    expect(largeFrameParts(m)).toBeUndefined();
  });

  test('a header cut by the end of the first piece, or a one-piece frame, decodes joined (the same message)', () => {
    for (const first of [1, 5, 9, 14, 20]) {
      const m = decodeOwnedParts(pieces(topicWire, 65_536, first), topicWire.length) as TopicDataMessage;
      expect(m.topic).toBe(2 ** 40);
      expect(Buffer.compare(m.data.bytes, encodeValue(big))).toBe(0);
    }
    const whole = decodeOwnedParts([topicWire.slice()], topicWire.length) as TopicDataMessage;
    expect(Buffer.compare(whole.data.bytes, encodeValue(big))).toBe(0);
  });

  test('malformed input gets the DecodeError that the joined bytes get', () => {
    const bad: Uint8Array[] = [];
    // The wrong type after _id, a trailing byte, a bin longer than the frame, the _id key misspelt.
    const wrongType = topicWire.slice();
    wrongType[wrongType.length - 1] = MessageType.Addressed;
    bad.push(wrongType);
    bad.push(Uint8Array.from(Buffer.concat([topicWire, Uint8Array.of(0)])));
    const longBin = topicWire.slice();
    longBin[longBin.indexOf(0xc6) + 4]! += 1;
    bad.push(longBin);
    const misspelt = topicWire.slice();
    misspelt[misspelt.length - 2] = 0x65;
    bad.push(misspelt);
    bad.push(topicWire.slice(0, topicWire.length - 1));
    for (const bytes of bad) {
      const joined = decodeErrorOf(() => decodeOwnedMessage(bytes.slice()));
      const split = decodeErrorOf(() => decodeOwnedParts(pieces(bytes, 65_536), bytes.length));
      expect(split.message).toBe(joined.message);
    }
  });
});
