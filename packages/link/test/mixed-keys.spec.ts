/**
 * Maps whose keys are not all strings are read in one pass, and a typed
 * message field holding a value of another type is rejected from its first
 * byte. Before, each such map was read again from its start, so nesting
 * doubled the work at every level: one 221-byte TopicControl message (and the
 * same shape in a fetch request body, which discovery decodes) kept a node
 * busy for longer than anyone would wait.
 */
import { AddressedMessage, MessageType, RawData, decodeMessage } from '@streamtasks/link';
import { decodeValue, encodeValue } from '@streamtasks/link/internal';
import { growth } from './linear-time.js';
import { decodeErrorOf } from './helpers.js';

const ascii = (s: string) => Array.from(s, (c) => c.charCodeAt(0));
const fixstr = (s: string) => [0xa0 | s.length, ...ascii(s)];

/** `{"a": <level n-1>, 1: nil}`, down to nil: each level a map whose second key is an integer. */
function nested(levels: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < levels; i++) out.push(0x82, ...fixstr('a'));
  out.push(0xc0);
  for (let i = 0; i < levels; i++) out.push(0x01, 0xc0);
  return out;
}

/** The crafted TopicControl message: `paused` holds the nested maps. */
function topicControl(levels: number): Uint8Array {
  return Uint8Array.from([0x83, ...fixstr('topic'), 0x01, ...fixstr('paused'), ...nested(levels), ...fixstr('_id'), 0x01]);
}

/** A fetch request to discovery (address 0, port 100) whose body holds the nested maps. */
function discoveryFetch(levels: number): Uint8Array {
  const body = Uint8Array.from([
    0x84,
    ...fixstr('return_address'), 0xcd, 0x30, 0x39,
    ...fixstr('return_port'), 0xcd, 0x27, 0x10,
    ...fixstr('descriptor'), ...fixstr('request_topics'),
    ...fixstr('body'), ...nested(levels),
  ]);
  return encodeValue({ address: 0, port: 100, data: body, _id: MessageType.Addressed });
}

describe('the crafted TopicControl message', () => {
  const crafted = topicControl(40);

  test('is 221 bytes and is rejected at the first byte of paused', () => {
    expect(crafted.length).toBe(221);
    expect(decodeErrorOf(() => decodeMessage(crafted)).message).toBe('paused is not a boolean at byte 15');
  });

  test('its paused value alone decodes, nested Maps in wire order', () => {
    let value = decodeValue(Uint8Array.from(nested(40)));
    for (let level = 0; level < 40; level++) {
      expect(value).toBeInstanceOf(Map);
      const map = value as Map<unknown, unknown>;
      expect([...map.keys()]).toEqual(['a', 1]);
      expect(map.get(1)).toBeNull();
      value = map.get('a');
    }
    expect(value).toBeNull();
  });

  test('decoding it costs the same per byte at 40 levels as at the depth limit', () => {
    const small = Uint8Array.from(nested(40));
    const large = Uint8Array.from(nested(500));
    const ratio = growth(
      { run: () => decodeValue(small), bytes: small.length },
      { run: () => decodeValue(large), bytes: large.length },
    );
    expect(ratio).toBeLessThanOrEqual(2);
  });

  test('rejecting it costs the same however deep the maps are', () => {
    const small = topicControl(40);
    const large = topicControl(500);
    const ratio = growth(
      { run: () => decodeErrorOf(() => decodeMessage(small)), bytes: small.length },
      { run: () => decodeErrorOf(() => decodeMessage(large)), bytes: large.length },
    );
    expect(ratio).toBeLessThanOrEqual(2);
  });
});

describe('the same shape in a fetch request to discovery', () => {
  test('decodes as a message, and its payload decodes with the body as nested Maps', () => {
    const m = decodeMessage(discoveryFetch(40));
    expect(m).toBeInstanceOf(AddressedMessage);
    const request = (m as AddressedMessage).data.value as Record<string, unknown>;
    expect(request.descriptor).toBe('request_topics');
    expect(request.body).toBeInstanceOf(Map);
  });

  test('decoding its payload costs the same per byte at 40 levels as at the depth limit', () => {
    const small = discoveryFetch(40);
    const large = discoveryFetch(500);
    const payload = (bytes: Uint8Array) => () => {
      void RawData.fromBytes(bytes);
      void (decodeMessage(bytes) as AddressedMessage).data.value;
    };
    expect(growth({ run: payload(small), bytes: small.length }, { run: payload(large), bytes: large.length })).toBeLessThanOrEqual(2);
  });
});

describe('maps with keys of several types', () => {
  test('keep the wire order, integer-like string keys included', () => {
    // An object would list '2' and '10' first, in numeric order.
    const bytes = Uint8Array.from([0x84, ...fixstr('b'), 0x01, ...fixstr('10'), 0x02, ...fixstr('2'), 0x03, 0x07, 0x04]);
    expect([...(decodeValue(bytes) as Map<unknown, unknown>).entries()]).toEqual([['b', 1], ['10', 2], ['2', 3], [7, 4]]);
  });

  test('keep the first position and the last value of a repeated key', () => {
    const bytes = Uint8Array.from([0x84, ...fixstr('x'), 0x01, ...fixstr('y'), 0x02, ...fixstr('x'), 0x03, 0xc3, 0x04]);
    expect([...(decodeValue(bytes) as Map<unknown, unknown>).entries()]).toEqual([['x', 3], ['y', 2], [true, 4]]);
  });

  test('take a __proto__ key as an ordinary entry', () => {
    const bytes = Uint8Array.from([0x82, ...fixstr('__proto__'), 0x81, ...fixstr('polluted'), 0xc3, 0x01, 0xc0]);
    const map = decodeValue(bytes) as Map<unknown, unknown>;
    expect([...map.keys()]).toEqual(['__proto__', 1]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  test('with only string keys are still plain objects', () => {
    expect(decodeValue(Uint8Array.from([0x82, ...fixstr('2'), 0x01, ...fixstr('a'), 0x02]))).toEqual({ 2: 1, a: 2 });
  });
});

describe('paused', () => {
  const withPaused = (value: number[]) =>
    Uint8Array.from([0x83, ...fixstr('topic'), 0x01, ...fixstr('paused'), ...value, ...fixstr('_id'), 0x01]);

  test.each([
    ['fixint 1', [0x01], true],
    ['fixint 0', [0x00], false],
    ['uint8 1', [0xcc, 0x01], true],
    ['int16 0', [0xd1, 0x00, 0x00], false],
    ['float64 1.0', [0xcb, 0x3f, 0xf0, 0, 0, 0, 0, 0, 0], true],
  ])('accepts the number %s, as Python peers do', (_name, value, expected) => {
    expect(decodeMessage(withPaused(value))).toMatchObject({ paused: expected });
  });

  test.each([
    ['a map', [0x81, ...fixstr('a'), 0xc3]],
    ['an array', [0x91, 0x01]],
    ['a string', fixstr('true')],
    ['a bin', [0xc4, 0x01, 0x01]],
    ['nil', [0xc0]],
    ['the number 2', [0x02]],
  ])('rejects %s at its first byte', (_name, value) => {
    expect(decodeErrorOf(() => decodeMessage(withPaused(value))).message).toBe('paused is not a boolean at byte 15');
  });

  test('rejects a map32 claiming 4 G entries from its header, before anything is allocated', () => {
    const err = decodeErrorOf(() => decodeMessage(withPaused([0xdf, 0xff, 0xff, 0xff, 0xff])));
    expect(err.message).toMatch(/longer than the input/);
  });
});
