// The message decoder: bytes from a peer to a message, checked as strictly as a
// Python peer checks them, in one pass over the map plus one read of each field.
import { DecodeError } from '../errors.js';
import {
  AddressedMessage,
  AddressesChangedMessage,
  InTopicsChangedMessage,
  MessageType,
  OutTopicsChangedMessage,
  TopicControlMessage,
  TopicDataMessage,
  type WireMessage,
} from '../messages.js';
import { MsgpackReader } from '../msgpack/decoder.js';
import { BIN16, BIN32, BIN8, UINT16, UINT32, UINT64, UINT8, POSITIVE_FIXINT_END } from '../msgpack/format.js';
import { FIELD_DEPTH, readBool, readData, readId, readIds, readKey, readMapHeader, readPort, readPricedIds, readUint } from './fields.js';
import { K_ADDRESS, K_DATA, K_PORT, K_TOPIC, K_TYPE, fixmap } from './keys.js';

// Scratch space for `decode`: where each field's value starts (-1: absent).
// Decoding never re-enters itself, so one buffer serves every call.
const TOPIC = 0;
const DATA = 1;
const PAUSED = 2;
const ADDRESS = 3;
const PORT = 4;
const ADD = 5;
const REMOVE = 6;
const FIELD_NAMES = ['topic', 'data', 'paused', 'address', 'port', 'add', 'remove'];
const at = new Int32Array(FIELD_NAMES.length);

function fieldOf(key: string): number {
  switch (key) {
    case 'topic': return TOPIC;
    case 'data': return DATA;
    case 'paused': return PAUSED;
    case 'address': return ADDRESS;
    case 'port': return PORT;
    case 'add': return ADD;
    case 'remove': return REMOVE;
    default: return -1;
  }
}

// The fields of each type. Types 0–2 must have exactly these (Python peers
// drop the connection otherwise); 3–5 ignore any other key.
const FIELDS_OF: readonly (readonly number[])[] = [
  [TOPIC, DATA],
  [TOPIC, PAUSED],
  [ADDRESS, PORT, DATA],
  [ADD, REMOVE],
  [ADD, REMOVE],
  [ADD, REMOVE],
];

const reader = new MsgpackReader(new Uint8Array(0));

/**
 * Decodes one message from its bytes (without stream framing). The structure
 * is validated as strictly as a Python peer does it: types 0–2 must have
 * exactly their keys; 3–5 may carry extra keys; ids are unsigned 64-bit
 * integers and costs are range-checked. Any violation throws a
 * {@link DecodeError}; no partly built message ever escapes.
 *
 * `data` payloads are views of `bytes`, decoded only when read.
 */
export function decodeMessage(bytes: Uint8Array): WireMessage {
  return decodeFrom(bytes, false);
}

/**
 * {@link decodeMessage} for bytes that are the message's own: nobody keeps
 * or writes them but the message (a frame a transport copied out of its read
 * buffer). A small payload's bins are then decoded as views of them instead
 * of copies (see `RawData.fromRange`). @internal
 */
export function decodeOwnedMessage(bytes: Uint8Array): WireMessage {
  return decodeFrom(bytes, true);
}

function decodeFrom(bytes: Uint8Array, owned: boolean): WireMessage {
  try {
    // Decoding never re-enters itself (it runs no user code): one reader serves every call.
    const r = reader.reset(bytes, 0, bytes.length, owned);
    const fast = decodeCanonical(r);
    if (fast !== undefined) return fast;
    r.pos = 0;
    return decode(r);
  } catch (err) {
    if (err instanceof DecodeError) throw err;
    throw new DecodeError('malformed message', { cause: err });
  }
}

/** True when the bytes at `r.pos` are exactly `key` (a fixstr key); advances past it. */
export function takeKey(r: MsgpackReader, key: Uint8Array): boolean {
  const b = r.buf;
  const p = r.pos;
  if (p + key.length > r.end) return false;
  for (let i = 0; i < key.length; i++) if (b[p + i] !== key[i]) return false;
  r.pos = p + key.length;
  return true;
}

/** Reads an unsigned integer if one is at `r.pos`; undefined (position unchanged) otherwise. */
export function tryUint(r: MsgpackReader): number | bigint | undefined {
  if (r.pos >= r.end) return undefined;
  const b = r.buf[r.pos]!;
  if (b < POSITIVE_FIXINT_END || b === UINT8 || b === UINT16 || b === UINT32 || b === UINT64) return readUint(r, 'id');
  return undefined;
}

/**
 * The per-message fast path: data and addressed messages laid out exactly as
 * Python and this codec write them (`topic, data, _id` / `address, port,
 * data, _id`). Anything else — other key orders, extra keys, malformed
 * input — returns undefined and takes the general, fully checking path.
 */
function decodeCanonical(r: MsgpackReader): WireMessage | undefined {
  const head = r.buf[0];
  if (head === fixmap(3)) {
    r.pos = 1;
    if (!takeKey(r, K_TOPIC)) return undefined;
    const topic = tryUint(r);
    if (topic === undefined || !takeKey(r, K_DATA)) return undefined;
    const b = r.buf[r.pos];
    if (b !== BIN8 && b !== BIN16 && b !== BIN32) return undefined;
    const data = readData(r);
    if (!takeKey(r, K_TYPE) || r.pos + 1 !== r.end || r.buf[r.pos] !== MessageType.TopicData) return undefined; // a type is its own fixint
    const message = new TopicDataMessage(topic, data);
    message.wire = r.buf;
    return message;
  }
  if (head === fixmap(4)) {
    r.pos = 1;
    if (!takeKey(r, K_ADDRESS)) return undefined;
    const address = tryUint(r);
    if (address === undefined || !takeKey(r, K_PORT)) return undefined;
    const port = tryUint(r);
    if (typeof port !== 'number' || !takeKey(r, K_DATA)) return undefined;
    const b = r.buf[r.pos];
    if (b !== BIN8 && b !== BIN16 && b !== BIN32) return undefined;
    const data = readData(r);
    if (!takeKey(r, K_TYPE) || r.pos + 1 !== r.end || r.buf[r.pos] !== MessageType.Addressed) return undefined;
    const message = new AddressedMessage(address, port, data);
    message.wire = r.buf;
    return message;
  }
  return undefined;
}

function decode(r: MsgpackReader): WireMessage {
  const size = readMapHeader(r, 'message');
  // What a field must hold depends on `_id`, which may come last: note where
  // each value starts and read the values once the type is known.
  at.fill(-1);
  let type = -1;
  let known = 0;
  let extra = false;
  for (let i = 0; i < size; i++) {
    const k = readKey(r);
    if (k === '_id') {
      if (type >= 0) r.fail('duplicate key _id');
      const t = readUint(r, '_id');
      if (typeof t !== 'number' || t > MessageType.OutTopicsChanged) r.fail(`unknown message type ${String(t)}`);
      type = t as number;
      continue;
    }
    const field = fieldOf(k);
    if (field < 0) {
      extra = true;
    } else {
      if (at[field]! >= 0) r.fail(`duplicate key ${k}`);
      at[field] = r.pos;
      known++;
    }
    r.skip(FIELD_DEPTH);
  }
  if (r.pos !== r.end) r.fail(`${r.end - r.pos} trailing bytes after the message`);
  if (type < 0) r.fail('message has no _id');
  const fields = FIELDS_OF[type]!;
  if (type <= MessageType.Addressed && (extra || known !== fields.length)) {
    r.fail(`message type ${type} must have exactly its fields`);
  }
  for (let i = 0; i < fields.length; i++) {
    if (at[fields[i]!]! < 0) r.fail(`message type ${type} needs ${FIELD_NAMES[fields[i]!]}`);
  }
  const end = r.pos;
  let message: WireMessage;
  switch (type) {
    case MessageType.TopicData: {
      r.pos = at[TOPIC]!;
      const topic = readId(r, 'topic');
      r.pos = at[DATA]!;
      const data = new TopicDataMessage(topic, readData(r));
      data.wire = r.buf;
      message = data;
      break;
    }
    case MessageType.TopicControl: {
      r.pos = at[TOPIC]!;
      const topic = readId(r, 'topic');
      r.pos = at[PAUSED]!;
      message = new TopicControlMessage(topic, readBool(r));
      break;
    }
    case MessageType.Addressed: {
      r.pos = at[ADDRESS]!;
      const address = readId(r, 'address');
      r.pos = at[PORT]!;
      const port = readPort(r);
      r.pos = at[DATA]!;
      const addressed = new AddressedMessage(address, port, readData(r));
      addressed.wire = r.buf;
      message = addressed;
      break;
    }
    case MessageType.InTopicsChanged: {
      r.pos = at[ADD]!;
      const add = readIds(r, 'add');
      r.pos = at[REMOVE]!;
      message = new InTopicsChangedMessage(add, readIds(r, 'remove'));
      break;
    }
    default: {
      r.pos = at[ADD]!;
      const add = readPricedIds(r, 'add');
      r.pos = at[REMOVE]!;
      const remove = readIds(r, 'remove');
      message = type === MessageType.AddressesChanged
        ? new AddressesChangedMessage(add, remove)
        : new OutTopicsChangedMessage(add, remove);
    }
  }
  r.pos = end;
  return message;
}
