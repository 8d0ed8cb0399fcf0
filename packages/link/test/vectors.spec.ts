/**
 * Proves wire compatibility with the Python reference against the golden
 * vectors: every example message decodes to its fields, re-encodes to the
 * same bytes (or to bytes with the same meaning where Python's set order is
 * arbitrary), and every payload encodes to exactly Python's payload bytes.
 */
import { AddressedMessage, AddressesChangedMessage, InTopicsChangedMessage, MessageType, OutTopicsChangedMessage, RawData, TopicControlMessage, TopicDataMessage, decodeMessage, encodeMessage, type Id, type PricedId, type WireMessage } from '@streamtasks/link';
import { decodeValue, encodeValue } from '@streamtasks/link/internal';
import { compareIds, fromHex, readVectors, toHex, untag } from './helpers.js';

interface Example {
  type: string;
  type_id: number;
  note: string;
  fields: Record<string, unknown>;
  wire_map: Record<string, unknown>;
  order_insensitive_arrays: string[];
  hex: string;
}

interface MessageVectors {
  type_ids: Record<string, number>;
  examples: Example[];
}

interface DataField {
  payload: unknown;
  payload_hex: string;
}

const vectors = readVectors<MessageVectors>('messages.json');

/** The fields of a decoded message in the shape of the vectors' `fields` (payloads decoded). */
function fieldsOf(m: WireMessage): Record<string, unknown> {
  const priced = (ids: readonly PricedId[]) => ids.map((p) => ({ id: p.id, cost: p.cost }));
  switch (m.type) {
    case MessageType.TopicData: return { topic: m.topic, data: m.data.value };
    case MessageType.TopicControl: return { topic: m.topic, paused: m.paused };
    case MessageType.Addressed: return { address: m.address, port: m.port, data: m.data.value };
    case MessageType.InTopicsChanged: return { add: [...m.add], remove: [...m.remove] };
    case MessageType.AddressesChanged:
    case MessageType.OutTopicsChanged: return { add: priced(m.add), remove: [...m.remove] };
  }
}

/** The vector's fields with tags resolved and `data` reduced to its payload. */
function expectedFields(example: Example): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(example.fields)) {
    out[k] = k === 'data' ? untag((v as DataField).payload) : untag(v);
  }
  return out;
}

/** Sorts the arrays whose order is Python set order, so they compare as sets. */
function normalize(fields: Record<string, unknown>, unordered: string[]): Record<string, unknown> {
  const out = { ...fields };
  for (const key of unordered) {
    const items = [...(out[key] as (Id | PricedId)[])];
    items.sort((a, b) => compareIds(typeof a === 'object' ? a.id : a, typeof b === 'object' ? b.id : b));
    out[key] = items;
  }
  return out;
}

/** Builds the message object of an example from its fields, as an application would. */
function build(example: Example): WireMessage {
  const f = expectedFields(example);
  switch (example.type_id) {
    case MessageType.TopicData: return new TopicDataMessage(f.topic as Id, RawData.from(f.data));
    case MessageType.TopicControl: return new TopicControlMessage(f.topic as Id, f.paused as boolean);
    case MessageType.Addressed: return new AddressedMessage(f.address as Id, f.port as number, RawData.from(f.data));
    case MessageType.AddressesChanged: return new AddressesChangedMessage(f.add as PricedId[], f.remove as Id[]);
    case MessageType.InTopicsChanged: return new InTopicsChangedMessage(f.add as Id[], f.remove as Id[]);
    case MessageType.OutTopicsChanged: return new OutTopicsChangedMessage(f.add as PricedId[], f.remove as Id[]);
    default: throw new Error(`unknown type ${example.type_id}`);
  }
}

const cases = vectors.examples.map((e, i) => [`${i} ${e.type}: ${e.note}`, e] as const);

describe('messages.json', () => {
  test('covers all six wire types with the documented type ids', () => {
    expect(vectors.type_ids).toEqual({
      TopicDataMessage: MessageType.TopicData,
      TopicControlMessage: MessageType.TopicControl,
      AddressedMessage: MessageType.Addressed,
      AddressesChangedMessage: MessageType.AddressesChanged,
      InTopicsChangedMessage: MessageType.InTopicsChanged,
      OutTopicsChangedMessage: MessageType.OutTopicsChanged,
    });
    expect(new Set(vectors.examples.map((e) => e.type_id))).toEqual(new Set([0, 1, 2, 3, 4, 5]));
  });

  describe.each(cases)('%s', (_name, example) => {
    const bytes = fromHex(example.hex);
    const unordered = example.order_insensitive_arrays;

    test('decodes to its fields', () => {
      const m = decodeMessage(bytes);
      expect(m.type).toBe(example.type_id);
      expect(fieldsOf(m)).toEqual(expectedFields(example));
    });

    test('payload bytes are carried verbatim, undecoded until read', () => {
      const m = decodeMessage(bytes);
      if (m.type !== MessageType.TopicData && m.type !== MessageType.Addressed) return;
      expect(m.data.isSerialized).toBe(true);
      expect(toHex(m.data.bytes)).toBe((example.fields.data as DataField).payload_hex);
    });

    test('re-encoding the decoded message gives the same message', () => {
      const decoded = decodeMessage(bytes);
      // Drop the kept wire bytes, so the codec really encodes the message anew.
      if (decoded.type === MessageType.TopicData || decoded.type === MessageType.Addressed) decoded.wire = undefined;
      const again = encodeMessage(decoded);
      if (unordered.length === 0) expect(toHex(again)).toBe(example.hex);
      expect(normalize(fieldsOf(decodeMessage(again)), unordered)).toEqual(normalize(expectedFields(example), unordered));
    });

    test('encoding the message built from its fields gives the same message', () => {
      const encoded = encodeMessage(build(example));
      if (unordered.length === 0) expect(toHex(encoded)).toBe(example.hex);
      else expect(encoded.length).toBe(bytes.length);
      expect(normalize(fieldsOf(decodeMessage(encoded)), unordered)).toEqual(normalize(expectedFields(example), unordered));
    });

    test('the payload encodes to exactly payload_hex', () => {
      const data = example.fields.data as DataField | undefined;
      if (data === undefined) return;
      expect(toHex(encodeValue(untag(data.payload)))).toBe(data.payload_hex);
      expect(decodeValue(fromHex(data.payload_hex))).toEqual(untag(data.payload));
    });

    test('a map with _id first decodes the same (key order does not matter)', () => {
      const w = untag(example.wire_map) as Record<string, unknown>;
      const reordered = encodeValue({ _id: w._id, ...Object.fromEntries(Object.entries(w).filter(([k]) => k !== '_id')) });
      expect(toHex(reordered)).not.toBe(example.hex);
      expect(fieldsOf(decodeMessage(reordered))).toEqual(fieldsOf(decodeMessage(bytes)));
    });

    test('wire_map encodes to the message bytes', () => {
      if (unordered.length > 0) return;
      expect(toHex(encodeValue(untag(example.wire_map)))).toBe(example.hex);
    });
  });

  test('the binary payload example is pre-encoded bytes carried verbatim', () => {
    const example = vectors.examples.find((e) => e.note.startsWith('binary payload'))!;
    const data = example.fields.data as DataField;
    const message = new TopicDataMessage(7, RawData.fromBytes(fromHex(data.payload_hex)));
    expect(toHex(encodeMessage(message))).toBe(example.hex);
    expect(message.data.value).toEqual(fromHex('0001feff'));
  });
});

interface BodyExample {
  step: string;
  payload: unknown;
  payload_hex: string;
}

describe('bodies.json', () => {
  const bodies = readVectors<Record<string, unknown>>('bodies.json');
  const groups = Object.entries(bodies).filter((entry): entry is [string, BodyExample[]] => Array.isArray(entry[1]));
  const examples = groups.flatMap(([group, list]) => list.map((e, i) => [`${group}[${i}] ${e.step}`, e] as const));

  test('holds the four groups of payload examples', () => {
    expect(groups.map(([g]) => g).sort()).toEqual(['fetch_requests', 'fetch_responses', 'signals', 'topic_data']);
    expect(examples.length).toBeGreaterThan(40);
  });

  test.each(examples)('%s', (_name, example) => {
    const bytes = fromHex(example.payload_hex);
    const value = decodeValue(bytes);
    expect(value).toEqual(untag(example.payload));
    expect(toHex(encodeValue(value))).toBe(example.payload_hex);
    expect(toHex(encodeValue(untag(example.payload)))).toBe(example.payload_hex);
  });

  test('random 64-bit request ids survive exactly as bigint', () => {
    const ids = examples
      .map(([, e]) => decodeValue(fromHex(e.payload_hex)))
      .flatMap((v) => findKey(v, 'request_id'))
      .filter((id) => typeof id === 'bigint');
    expect(ids.length).toBeGreaterThan(0);
    for (const id of ids) expect(encodeValue(id)[0]).toBe(0xcf);
  });
});

function findKey(value: unknown, key: string): unknown[] {
  if (Array.isArray(value)) return value.flatMap((v) => findKey(v, key));
  if (value === null || typeof value !== 'object' || value instanceof Uint8Array) return [];
  return Object.entries(value).flatMap(([k, v]) => (k === key ? [v] : findKey(v, key)));
}
