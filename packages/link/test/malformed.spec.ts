/**
 * Proves that malformed input is always reported as a DecodeError (code
 * ERR_DECODE) and never as another error or a half-built message: wrong field
 * types, missing, extra and duplicate keys, unknown types, truncation at every
 * offset, trailing bytes, out-of-range costs (Known fault 11), garbage, deep
 * nesting and huge declared lengths; and that payload maps cannot pollute
 * prototypes.
 */
import { DecodeError, EncodeError, InvalidMessageError, MAX_COST, MAX_DECODE_DEPTH, MessageType, RawData, TopicDataMessage, decodeMessage, encodeMessage, type WireMessage } from '@streamtasks/link';
import { MsgpackWriter, decodeValue, encodeValue } from '@streamtasks/link/internal';
import { below, brief, fromHex, prng, readVectors } from './helpers.js';

/** Runs `fn` and returns what it threw (failing the test if it did not throw). */
function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  throw new Error('expected a DecodeError, nothing was thrown');
}

function expectDecodeError(bytes: Uint8Array): DecodeError {
  const err = thrown(() => decodeMessage(bytes));
  expect(err).toBeInstanceOf(DecodeError);
  expect((err as DecodeError).code).toBe('ERR_DECODE');
  return err as DecodeError;
}

/** A message map from an object, key order kept (Uint8Array values become bin). */
const wire = (fields: Record<string, unknown>) => encodeValue(fields);

/** A map written entry by entry, so duplicate and non-string keys are possible. */
function rawMap(entries: Array<[unknown, unknown]>): Uint8Array {
  const w = new MsgpackWriter();
  w.mapHeader(entries.length);
  for (const [k, v] of entries) {
    w.value(k);
    w.value(v);
  }
  return w.finish();
}

const BIN = fromHex('a162'); // the payload "b", as bytes

/** A valid map of each type, to be broken one field at a time. */
const valid: Record<number, Record<string, unknown>> = {
  [MessageType.TopicData]: { topic: 1, data: BIN, _id: 0 },
  [MessageType.TopicControl]: { topic: 1, paused: true, _id: 1 },
  [MessageType.Addressed]: { address: 1, port: 100, data: BIN, _id: 2 },
  [MessageType.AddressesChanged]: { add: [{ id: 1, cost: 0 }], remove: [2], _id: 3 },
  [MessageType.InTopicsChanged]: { add: [1], remove: [2], _id: 4 },
  [MessageType.OutTopicsChanged]: { add: [{ id: 1, cost: 0 }], remove: [2], _id: 5 },
};

describe('valid baselines', () => {
  test.each(Object.entries(valid))('type %s decodes', (type, fields) => {
    expect(decodeMessage(wire(fields)).type).toBe(Number(type));
  });
});

describe('wrong field types', () => {
  const notAnId = ['x', -1, 1.5, null, true, [1], { a: 1 }, BIN];
  const cases: Array<[string, number, string, unknown]> = [];
  for (const v of notAnId) {
    cases.push(['topic', 0, 'topic', v], ['topic', 1, 'topic', v]);
    cases.push(['address', 2, 'address', v], ['port', 2, 'port', v]);
  }
  for (const v of ['x', 5, null, [1], { a: 1 }, true]) {
    cases.push(['data', 0, 'data', v], ['data', 2, 'data', v]);
  }
  for (const v of ['true', null, [true], { a: 1 }, 1.5, 2, -1, BIN]) cases.push(['paused', 1, 'paused', v]);
  for (const type of [3, 5]) {
    for (const v of [
      'x', 5, null, [1], ['x'], [[1, 0]], [{ id: 1 }], [{ cost: 0 }], [{ id: -1, cost: 0 }], [{ id: 'a', cost: 0 }],
      [{ id: 1, cost: -1 }], [{ id: 1, cost: 1.5 }], [{ id: 1, cost: 'x' }], [{ id: 1, cost: MAX_COST + 1 }],
      [{ id: 1, cost: 2n ** 64n - 1n }], [{ id: 1, cost: null }],
    ]) {
      cases.push(['add', type, 'add', v]);
    }
  }
  for (const v of ['x', 5, null, [{ id: 1, cost: 0 }], [-1], ['x'], [1.5], [null]]) cases.push(['add', 4, 'add', v]);
  for (const type of [3, 4, 5]) {
    for (const v of ['x', 5, null, [-1], ['a'], [{ id: 1, cost: 0 }], [1.5], [true]]) cases.push(['remove', type, 'remove', v]);
  }
  for (const type of [0, 1, 2, 3, 4, 5]) {
    for (const v of [6, 7, 255, -1, 'x', null, 1.5, 2 ** 40, true]) cases.push(['_id', type, '_id', v]);
  }

  test.each(cases.map(([f, type, key, v]) => [`${f} of type ${type} = ${String(v)}`, type, key, v] as const))(
    '%s',
    (_name, type, key, value) => {
      expectDecodeError(wire({ ...valid[type], [key]: value }));
    },
  );

  test('paused may be the integer 0 or 1, as Python peers accept', () => {
    expect(decodeMessage(wire({ topic: 1, paused: 1, _id: 1 }))).toMatchObject({ paused: true });
    expect(decodeMessage(wire({ topic: 1, paused: 0, _id: 1 }))).toMatchObject({ paused: false });
  });

  test('ids up to 2^64 - 1 are accepted, as bigint beyond 2^53 - 1', () => {
    const m = decodeMessage(wire({ topic: 2n ** 64n - 1n, data: BIN, _id: 0 }));
    expect(m).toMatchObject({ topic: 2n ** 64n - 1n });
  });

  test('a port beyond 2^53 - 1 is rejected', () => {
    expectDecodeError(wire({ address: 1, port: 2n ** 60n, data: BIN, _id: 2 }));
  });
});

describe('keys', () => {
  const types = Object.keys(valid).map(Number);

  test.each(types)('type %i: every missing key is an error', (type) => {
    for (const key of Object.keys(valid[type]!)) {
      const fields = { ...valid[type] };
      delete fields[key];
      expectDecodeError(wire(fields));
    }
  });

  test.each([0, 1, 2])('type %i: an extra key is an error', (type) => {
    expectDecodeError(wire({ ...valid[type], extra: 1 }));
    // A key of another message type counts as extra too.
    expectDecodeError(wire({ ...valid[type], remove: [] }));
  });

  test.each([3, 4, 5])('type %i: extra keys are ignored, whatever their names and values', (type) => {
    const expected = brief(decodeMessage(wire(valid[type]!)));
    const extras = { extra: 1, nested: { a: [1, 2, { b: 'c' }] }, topic: 'not an id', data: 'not a bin', paused: 'x', port: -5 };
    expect(brief(decodeMessage(wire({ ...extras, ...valid[type] })))).toEqual(expected);
    expect(brief(decodeMessage(wire({ ...valid[type], ...extras })))).toEqual(expected);
  });

  test.each([3, 5])('type %i: extra keys inside an add entry are ignored', (type) => {
    const m = decodeMessage(wire({ add: [{ id: 7, note: 'x', cost: 3 }], remove: [], _id: type }));
    expect(m).toMatchObject({ add: [{ id: 7, cost: 3 }] });
  });

  test.each(types)('type %i: a duplicate key is an error', (type) => {
    const entries = Object.entries(valid[type]!);
    for (const entry of entries) expectDecodeError(rawMap([...entries, entry]));
  });

  test('a non-string key in the message map is an error', () => {
    expectDecodeError(rawMap([...Object.entries(valid[0]!), [5, 1]]));
    expectDecodeError(rawMap([[1, 1], ['data', BIN], ['_id', 0]]));
  });

  test('_id may come first', () => {
    expect(decodeMessage(wire({ _id: 1, paused: false, topic: 9 }))).toMatchObject({ type: 1, topic: 9, paused: false });
  });
});

describe('costs (Known fault 11)', () => {
  test.each([3, 5])('Known fault 11: type %i rejects a cost above MAX_COST as malformed', (type) => {
    expect(decodeMessage(wire({ add: [{ id: 1, cost: MAX_COST }], remove: [], _id: type }))).toMatchObject({
      add: [{ id: 1, cost: MAX_COST }],
    });
    for (const cost of [MAX_COST + 1, 2 ** 52, 2n ** 64n - 1n]) {
      expectDecodeError(wire({ add: [{ id: 1, cost }], remove: [], _id: type }));
    }
  });

  test('Known fault 11: a cost out of range cannot be encoded either', () => {
    const bad = { type: MessageType.OutTopicsChanged, add: [{ id: 1, cost: MAX_COST + 1 }], remove: [] } as const;
    expect(() => encodeMessage(bad as unknown as WireMessage)).toThrow(InvalidMessageError);
  });
});

describe('invalid message objects are refused by the encoder', () => {
  test.each([
    ['a negative topic', new TopicDataMessage(-1, RawData.from(1))],
    ['a fractional topic', new TopicDataMessage(1.5, RawData.from(1))],
    ['an unsafe number topic', new TopicDataMessage(2 ** 60, RawData.from(1))],
    ['a topic beyond 64 bits', new TopicDataMessage(2n ** 64n, RawData.from(1))],
  ])('%s', (_name, message) => {
    expect(() => encodeMessage(message)).toThrow(InvalidMessageError);
  });

  test('an unencodable payload throws EncodeError', () => {
    expect(() => encodeMessage(new TopicDataMessage(1, RawData.from(() => 1)))).toThrow(EncodeError);
  });
});

describe('structure', () => {
  const examples = readVectors<{ examples: Array<{ hex: string; note: string }> }>('messages.json').examples;

  test('every vector message truncated at every offset is a DecodeError', () => {
    let checked = 0;
    for (const example of examples) {
      const bytes = fromHex(example.hex);
      for (let n = 0; n < bytes.length; n++) {
        expectDecodeError(bytes.subarray(0, n));
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(500);
  });

  test('trailing bytes after a message are an error', () => {
    for (const example of examples) {
      for (const tail of ['00', 'c0', '80', example.hex]) expectDecodeError(fromHex(example.hex + tail));
    }
  });

  test.each([
    ['an array', [1, 2]],
    ['a string', 'topic'],
    ['nil', null],
    ['an integer', 0],
    ['a bin holding a valid message', fromHex('83a5746f70696301a6706175736564c3a35f696401')],
    ['an empty map', {}],
  ])('a top-level %s is an error', (_name, value) => {
    expectDecodeError(encodeValue(value));
  });

  test('an empty input is an error', () => {
    expectDecodeError(new Uint8Array(0));
  });

  test('huge declared lengths with a short input fail at once, without allocating them', () => {
    const huge = [
      'ddffffffff00', // array32
      'dfffffffff00', // map32
      'c6ffffffff00', // bin32
      'dbffffffff61', // str32
      'dcffff00', // array16
      'deffff00', // map16
    ];
    for (const hex of huge) {
      const err = thrown(() => decodeValue(fromHex(hex)));
      expect(err).toBeInstanceOf(DecodeError);
    }
    // The same inside message fields.
    expectDecodeError(fromHex('83a3616464ddffffffffa672656d6f766590a35f696404'));
    expectDecodeError(fromHex('83a3616464dfffffffffa672656d6f766590a35f696404'));
    expectDecodeError(fromHex('83a5746f70696301a464617461c6ffffffff00a35f696400'));
    expectDecodeError(fromHex('8fa5746f706963'));
    expectDecodeError(fromHex('dfffffffffa5746f706963'));
  });

  test(`payloads nested deeper than ${MAX_DECODE_DEPTH} are a DecodeError, also as an ignored extra key`, () => {
    const deep = new Uint8Array(MAX_DECODE_DEPTH + 2).fill(0x91);
    deep[deep.length - 1] = 0xc0;
    expect(thrown(() => decodeValue(deep))).toBeInstanceOf(DecodeError);
    const w = new MsgpackWriter();
    w.mapHeader(4);
    for (const [k, v] of Object.entries(valid[4]!)) {
      w.string(k);
      w.value(v);
    }
    w.string('extra');
    w.bytes(deep);
    expectDecodeError(w.finish());
  });

  test('invalid UTF-8 in a key is an error', () => {
    expectDecodeError(fromHex('83a5746f7069ff01a6706175736564c3a35f696401'));
  });

  test('extension types and the reserved byte are errors', () => {
    for (const hex of ['c1', 'd40100', 'c70101ff', 'd6ff00000000']) {
      expect(thrown(() => decodeValue(fromHex(hex)))).toBeInstanceOf(DecodeError);
    }
  });
});

describe('seeded garbage', () => {
  /** Decodes; a result must be a complete message that survives re-encoding. */
  function decodeOrReject(bytes: Uint8Array): 'ok' | 'rejected' {
    let m: WireMessage;
    try {
      m = decodeMessage(bytes);
    } catch (err) {
      expect(err).toBeInstanceOf(DecodeError);
      return 'rejected';
    }
    // Payloads stay undecoded (they may be garbage): compare the re-encoded bytes.
    const again = encodeMessage(m);
    expect(encodeMessage(decodeMessage(again))).toEqual(again);
    return 'ok';
  }

  test('random bytes are rejected with DecodeError, never another error', () => {
    const rand = prng(42);
    for (let i = 0; i < 3000; i++) {
      const bytes = Uint8Array.from({ length: below(rand, 48) }, () => below(rand, 256));
      // Start half of them like a map so the decoder gets past the first byte.
      if (i % 2 === 0 && bytes.length > 0) bytes[0] = 0x80 | below(rand, 5);
      expect(decodeOrReject(bytes)).toBe('rejected');
    }
  });

  test('vector messages with random bytes changed decode fully or are rejected', () => {
    const rand = prng(7);
    const examples = readVectors<{ examples: Array<{ hex: string }> }>('messages.json').examples.map((e) => fromHex(e.hex));
    let ok = 0;
    for (let i = 0; i < 4000; i++) {
      const bytes = Uint8Array.from(examples[i % examples.length]!);
      for (let j = 1 + below(rand, 3); j > 0; j--) bytes[below(rand, bytes.length)] = below(rand, 256);
      if (decodeOrReject(bytes) === 'ok') ok++;
    }
    // Some mutations only change values, so both outcomes must have occurred.
    expect(ok).toBeGreaterThan(0);
    expect(ok).toBeLessThan(4000);
  });

  test('random payload bytes decode or throw DecodeError, never another error', () => {
    const rand = prng(99);
    for (let i = 0; i < 3000; i++) {
      const bytes = Uint8Array.from({ length: 1 + below(rand, 40) }, () => below(rand, 256));
      try {
        decodeValue(bytes);
      } catch (err) {
        expect(err).toBeInstanceOf(DecodeError);
      }
    }
  });
});

describe('payload maps and prototypes', () => {
  afterEach(() => {
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.prototype).not.toHaveProperty('polluted');
  });

  const poisoned = () =>
    rawMap([
      ['__proto__', { polluted: true }],
      ['constructor', { prototype: { polluted: true } }],
      ['toString', 'x'],
    ]);

  test('__proto__, constructor and toString keys are own properties of a plain object', () => {
    const value = decodeValue(poisoned()) as Record<string, unknown>;
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
    expect(Object.keys(value)).toEqual(['__proto__', 'constructor', 'toString']);
    expect(Object.getOwnPropertyDescriptor(value, '__proto__')?.value).toEqual({ polluted: true });
    expect(value.constructor).toEqual({ prototype: { polluted: true } });
    expect(value.polluted).toBeUndefined();
  });

  test('they re-encode to the same bytes', () => {
    expect(encodeValue(decodeValue(poisoned()))).toEqual(poisoned());
  });

  test('nested and in a message payload as well', () => {
    const payload = encodeValue([decodeValue(poisoned()), { inner: decodeValue(poisoned()) }]);
    const message = decodeMessage(encodeMessage(new TopicDataMessage(1, RawData.fromBytes(payload))));
    const value = (message as TopicDataMessage).data.value as Array<Record<string, unknown>>;
    expect(Object.getPrototypeOf(value[0])).toBe(Object.prototype);
    expect(Object.keys(value[0]!)).toEqual(['__proto__', 'constructor', 'toString']);
  });

  test('a __proto__ key in a map with non-string keys is an ordinary Map entry', () => {
    const value = decodeValue(rawMap([['__proto__', { polluted: true }], [1, 2]]));
    expect(value).toEqual(new Map<unknown, unknown>([['__proto__', { polluted: true }], [1, 2]]));
  });

  test('a payload that is not valid MessagePack fails only when read, with DecodeError', () => {
    const message = decodeMessage(encodeMessage(new TopicDataMessage(1, RawData.fromBytes(fromHex('c1')))));
    expect((message as TopicDataMessage).data.isSerialized).toBe(true);
    expect(thrown(() => (message as TopicDataMessage).data.value)).toBeInstanceOf(DecodeError);
  });
});
