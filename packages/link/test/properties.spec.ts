/**
 * Property tests of the codec (fast-check): every valid message survives
 * encodeMessage → decodeMessage, and any bytes at all — random, or a valid
 * message with bytes flipped, inserted, removed or cut off — give either a
 * value or a DecodeError, never another error, a half-built message or a
 * polluted prototype. The long run of the same checks is `npm run fuzz`.
 */
import fc from 'fast-check';
import { AddressedMessage, AddressesChangedMessage, DecodeError, InTopicsChangedMessage, MAX_COST, MAX_ID, MessageType, OutTopicsChangedMessage, RawData, TopicControlMessage, TopicDataMessage, decodeMessage, encodeMessage, type Id, type Message } from '@streamtasks/link';
import { decodeValue, encodeValue } from '@streamtasks/link/internal';

// Fixed seed per run of the suite unless one is given: a failure replays exactly.
const SEED = Number(process.env.FC_SEED ?? 0x5eed);
const RUNS = Number(process.env.FC_RUNS ?? 300);
const params = { seed: SEED, numRuns: RUNS };

const SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/** Ids in their one canonical form: a number while safe, a bigint above. */
const id: fc.Arbitrary<Id> = fc.oneof(
  fc.nat({ max: 1000 }),
  fc.maxSafeNat(),
  fc.bigInt({ min: SAFE + 1n, max: MAX_ID }),
);
const cost = fc.oneof(fc.nat({ max: 1000 }), fc.integer({ min: 0, max: MAX_COST }));
const port = fc.oneof(fc.nat({ max: 0xffff }), fc.maxSafeNat());
const pricedIds = fc.array(fc.record({ id, cost }), { maxLength: 8 });

/**
 * Payload values in the form the decoder produces them, so that a round trip
 * must give the same value back: integers are numbers while safe and bigints
 * beyond, other numbers are floats, maps with a non-string key are `Map`s.
 */
const { payload } = fc.letrec<{ payload: unknown }>((tie) => ({
  payload: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constant(null),
    fc.boolean(),
    fc.integer(),
    fc.maxSafeInteger(),
    fc.bigInt({ min: SAFE + 1n, max: MAX_ID }),
    fc.bigInt({ min: -(2n ** 63n), max: -SAFE - 1n }),
    fc.double().filter((x) => !Number.isInteger(x) || Object.is(x, -0)),
    fc.string({ unit: 'binary', maxLength: 40 }),
    fc.string({ maxLength: 300 }),
    fc.uint8Array({ maxLength: 300 }),
    fc.array(tie('payload'), { maxLength: 6 }),
    fc.dictionary(fc.oneof(fc.string({ maxLength: 8 }), fc.constantFrom('__proto__', 'constructor', 'prototype')), tie('payload'), {
      maxKeys: 6,
      noNullPrototype: true,
    }),
    fc.uniqueArray(fc.tuple(fc.integer(), tie('payload')), { minLength: 1, maxLength: 4, selector: ([k]) => k })
      .map((entries) => new Map<unknown, unknown>(entries)),
  ),
}));

const message: fc.Arbitrary<Message> = fc.oneof(
  fc.tuple(id, payload).map(([t, v]) => new TopicDataMessage(t, RawData.from(v))),
  fc.tuple(id, fc.boolean()).map(([t, p]) => new TopicControlMessage(t, p)),
  fc.tuple(id, port, payload).map(([a, p, v]) => new AddressedMessage(a, p, RawData.from(v))),
  fc.tuple(pricedIds, fc.array(id, { maxLength: 8 })).map(([add, remove]) => new AddressesChangedMessage(add, remove)),
  fc.tuple(fc.array(id, { maxLength: 8 }), fc.array(id, { maxLength: 8 })).map(([add, remove]) => new InTopicsChangedMessage(add, remove)),
  fc.tuple(pricedIds, fc.array(id, { maxLength: 8 })).map(([add, remove]) => new OutTopicsChangedMessage(add, remove)),
);

/** The fields of a message, with payloads as their decoded values. */
function fieldsOf(m: Message): Record<string, unknown> {
  switch (m.type) {
    case MessageType.TopicData: return { type: m.type, topic: m.topic, data: m.data.value };
    case MessageType.TopicControl: return { type: m.type, topic: m.topic, paused: m.paused };
    case MessageType.Addressed: return { type: m.type, address: m.address, port: m.port, data: m.data.value };
    case MessageType.InTopicsChanged: return { type: m.type, add: m.add, remove: m.remove };
    case MessageType.AddressesChanged:
    case MessageType.OutTopicsChanged:
      return { type: m.type, add: m.add.map((p) => ({ id: p.id, cost: p.cost })), remove: m.remove };
    default: throw new Error(`not a wire message: ${m.type}`);
  }
}

/** Bytes that look like input from a peer: random, or a valid message damaged. */
const hostileBytes: fc.Arbitrary<Uint8Array> = fc.oneof(
  fc.uint8Array({ maxLength: 64 }),
  fc.uint8Array({ maxLength: 2048 }),
  fc.tuple(message, fc.array(fc.tuple(fc.nat(), fc.nat({ max: 255 }), fc.nat({ max: 3 })), { minLength: 1, maxLength: 6 }))
    .map(([m, edits]) => mutate(encodeMessage(m), edits)),
  fc.tuple(payload, fc.array(fc.tuple(fc.nat(), fc.nat({ max: 255 }), fc.nat({ max: 3 })), { minLength: 1, maxLength: 6 }))
    .map(([v, edits]) => mutate(encodeValue(v), edits)),
);

/** Applies edits (flip a byte, insert one, delete one, cut the rest off) at positions modulo the length. */
export function mutate(bytes: Uint8Array, edits: ReadonlyArray<readonly [number, number, number]>): Uint8Array {
  let out = Array.from(bytes);
  for (const [at, value, kind] of edits) {
    const i = out.length === 0 ? 0 : at % out.length;
    if (kind === 0) out[i] = value;
    else if (kind === 1) out.splice(i, 0, value);
    else if (kind === 2) out.splice(i, 1);
    else out = out.slice(0, i);
  }
  return Uint8Array.from(out);
}

/** Runs `fn`; anything thrown other than a DecodeError fails the property. */
function valueOrDecodeError<T>(fn: () => T): T | DecodeError {
  try {
    return fn();
  } catch (err) {
    if (err instanceof DecodeError && err.code === 'ERR_DECODE') return err;
    throw err;
  }
}

describe('codec properties', () => {
  const prototypeKeys = Object.getOwnPropertyNames(Object.prototype).sort();
  afterAll(() => {
    // Nothing decoded above may have reached Object.prototype.
    expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(prototypeKeys);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  test('any valid message round-trips through encodeMessage and decodeMessage', () => {
    fc.assert(fc.property(message, (m) => {
      const bytes = encodeMessage(m);
      const decoded = decodeMessage(bytes);
      expect(fieldsOf(decoded)).toEqual(fieldsOf(m));
      // …and encodes to the same bytes again.
      expect(Buffer.compare(encodeMessage(decoded), bytes)).toBe(0);
    }), params);
  });

  test('any payload value round-trips through encodeValue and decodeValue', () => {
    fc.assert(fc.property(payload, (v) => {
      const bytes = encodeValue(v);
      expect(decodeValue(bytes)).toEqual(v);
    }), params);
  });

  test('arbitrary bytes into decodeMessage give a message or a DecodeError', () => {
    fc.assert(fc.property(hostileBytes, (bytes) => {
      const result = valueOrDecodeError(() => decodeMessage(bytes));
      if (result instanceof DecodeError) return;
      // A message that was accepted is whole: it encodes and decodes to itself.
      const again = decodeMessage(encodeMessage(result));
      if (result.type === MessageType.TopicData || result.type === MessageType.Addressed) {
        expect(again).toMatchObject({ type: result.type, ...(result.type === MessageType.TopicData
          ? { topic: result.topic }
          : { address: result.address, port: result.port }) });
        // Its payload is bytes, decoded on demand: again a value or a DecodeError.
        valueOrDecodeError(() => result.data.value);
      } else {
        expect(fieldsOf(again)).toEqual(fieldsOf(result));
      }
    }), { ...params, numRuns: RUNS * 3 });
  });

  test('arbitrary bytes into decodeValue give a value or a DecodeError; what decodes re-encodes canonically', () => {
    fc.assert(fc.property(hostileBytes, (bytes) => {
      const value = valueOrDecodeError(() => decodeValue(bytes));
      if (value instanceof DecodeError) return;
      // Decoding normalizes (e.g. a float32 becomes a number): one more round trip changes nothing.
      const canonical = encodeValue(value);
      expect(Buffer.compare(encodeValue(decodeValue(canonical)), canonical)).toBe(0);
    }), { ...params, numRuns: RUNS * 3 });
  });

  test('__proto__ and constructor keys stay ordinary own keys', () => {
    const hostile = encodeValue(new Map<unknown, unknown>([
      ['__proto__', { polluted: true }],
      ['constructor', { prototype: { polluted: true } }],
    ]));
    const value = decodeValue(hostile) as Record<string, unknown>;
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
    expect(Object.keys(value)).toEqual(['__proto__', 'constructor']);
    expect((value as { polluted?: unknown }).polluted).toBeUndefined();
  });
});
