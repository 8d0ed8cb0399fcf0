import { DecodeError, InvalidMessageError } from './errors.js';
import { isCost, isId, type Id, type PricedId } from './ids.js';
import {
  AddressedMessage,
  AddressesChangedMessage,
  InTopicsChangedMessage,
  MessageType,
  OutTopicsChangedMessage,
  TopicControlMessage,
  TopicDataMessage,
  type Message,
  type WireMessage,
} from './messages.js';
import { MsgpackReader } from './msgpack/decoder.js';
import { MsgpackWriter } from './msgpack/encoder.js';
import { RawData } from './raw-data.js';

// Keys as MessagePack fixstr bytes, written without re-encoding each time.
const key = (s: string) => Uint8Array.from([0xa0 | s.length, ...Array.from(s, (c) => c.charCodeAt(0))]);
const K_TOPIC = key('topic');
const K_DATA = key('data');
const K_PAUSED = key('paused');
const K_ADDRESS = key('address');
const K_PORT = key('port');
const K_ADD = key('add');
const K_REMOVE = key('remove');
const K_ID = key('id');
const K_COST = key('cost');
const K_TYPE = key('_id');

const writer = new MsgpackWriter(64 * 1024);

function writeId(w: MsgpackWriter, id: Id): void {
  if (typeof id === 'number') w.uint(id);
  else w.bigint(id);
}

function writeIds(w: MsgpackWriter, ids: readonly Id[]): void {
  w.arrayHeader(ids.length);
  for (let i = 0; i < ids.length; i++) writeId(w, ids[i]!);
}

function writePricedIds(w: MsgpackWriter, ids: readonly PricedId[]): void {
  w.arrayHeader(ids.length);
  for (let i = 0; i < ids.length; i++) {
    const p = ids[i]!;
    w.byte(0x82);
    w.bytes(K_ID);
    writeId(w, p.id);
    w.bytes(K_COST);
    w.uint(p.cost);
  }
}

/**
 * Writes a payload as the `data` bin. A payload whose bytes are not known
 * yet is encoded right here, behind a bin header (moved if the payload turns
 * out longer than 255 bytes), instead of into a buffer of its own that would
 * then be copied. Returns where the payload's bytes start.
 */
function writeData(w: MsgpackWriter, data: RawData): number {
  const known = data.knownBytes;
  if (known !== undefined) {
    w.binHeader(known.length);
    const start = w.pos;
    w.bytes(known);
    return start;
  }
  const headerAt = w.pos;
  w.ensure(2);
  w.pos += 2;
  w.value(data.value);
  const length = w.pos - headerAt - 2;
  let start = headerAt + 2;
  if (length >= 0x100) {
    const header = length < 0x10000 ? 3 : 5;
    w.ensure(header - 2);
    w.buf.copyWithin(headerAt + header, start, w.pos);
    w.pos += header - 2;
    start = headerAt + header;
  }
  const end = w.pos;
  w.pos = headerAt;
  w.binHeader(length);
  w.pos = end;
  return start;
}

/**
 * Encodes a message into the bytes a Python peer sends for it: one map with
 * the fields in declaration order and `_id` last; `data` is a bin holding the
 * payload's own MessagePack encoding. Throws {@link InvalidMessageError} for
 * out-of-range ids, ports or costs and `EncodeError` for a payload that has no
 * MessagePack form.
 *
 * Data and addressed messages keep their bytes (`wire`), and a payload
 * encoded here keeps its range of them: a message sent on several links, or
 * a payload published again, is not encoded twice.
 */
export function encodeMessage(message: Message): Uint8Array {
  // A message that arrived as bytes (or was encoded before) leaves as the same bytes (it was validated then).
  if ((message.type === MessageType.TopicData || message.type === MessageType.Addressed) && message.wire !== undefined) {
    return message.wire;
  }
  // Out-of-range ids or costs would otherwise be written as other numbers.
  validateMessage(message);
  const w = writer;
  w.reset();
  let dataStart = -1;
  let dataEnd = -1;
  switch (message.type) {
    case MessageType.TopicData:
      w.byte(0x83);
      w.bytes(K_TOPIC);
      writeId(w, message.topic);
      w.bytes(K_DATA);
      dataStart = writeData(w, message.data);
      dataEnd = w.pos;
      break;
    case MessageType.TopicControl:
      w.byte(0x83);
      w.bytes(K_TOPIC);
      writeId(w, message.topic);
      w.bytes(K_PAUSED);
      w.bool(message.paused);
      break;
    case MessageType.Addressed:
      w.byte(0x84);
      w.bytes(K_ADDRESS);
      writeId(w, message.address);
      w.bytes(K_PORT);
      w.uint(message.port);
      w.bytes(K_DATA);
      dataStart = writeData(w, message.data);
      dataEnd = w.pos;
      break;
    case MessageType.AddressesChanged:
    case MessageType.OutTopicsChanged:
      w.byte(0x83);
      w.bytes(K_ADD);
      writePricedIds(w, message.add);
      w.bytes(K_REMOVE);
      writeIds(w, message.remove);
      break;
    case MessageType.InTopicsChanged:
      w.byte(0x83);
      w.bytes(K_ADD);
      writeIds(w, message.add);
      w.bytes(K_REMOVE);
      writeIds(w, message.remove);
      break;
    default:
      throw new InvalidMessageError(`message type ${(message as Message).type} is not sent on the wire`);
  }
  w.bytes(K_TYPE);
  w.byte(message.type);
  const out = w.finish();
  w.reset();
  if (message.type === MessageType.TopicData || message.type === MessageType.Addressed) {
    message.wire = out;
    message.data.adoptEncoding(out, dataStart, dataEnd);
  }
  return out;
}

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

function readMapHeader(r: MsgpackReader, what: string): number {
  const b = r.u8();
  if (b >= 0x80 && b <= 0x8f) return b & 0x0f;
  if (b === 0xde) return r.u16();
  if (b === 0xdf) return r.u32();
  r.pos--;
  return r.fail(`${what} is not a map`);
}

function readArrayHeader(r: MsgpackReader, what: string): number {
  const b = r.u8();
  let n: number;
  if (b >= 0x90 && b <= 0x9f) n = b & 0x0f;
  else if (b === 0xdc) n = r.u16();
  else if (b === 0xdd) n = r.u32();
  else {
    r.pos--;
    return r.fail(`${what} is not an array`);
  }
  if (n > r.end - r.pos) r.fail(`${what} has more elements than the input has bytes`);
  return n;
}

function readKey(r: MsgpackReader): string {
  const b = r.u8();
  if (b >= 0xa0 && b <= 0xbf) return r.str(b & 0x1f);
  if (b === 0xd9) return r.str(r.u8());
  r.pos--;
  return r.fail('message key is not a short string');
}

function readUint(r: MsgpackReader, what: string): number | bigint {
  const b = r.u8();
  if (b < 0x80) return b;
  switch (b) {
    case 0xcc: return r.u8();
    case 0xcd: return r.u16();
    case 0xce: return r.u32();
    case 0xcf: return r.u64();
  }
  r.pos--;
  return r.fail(`${what} is not an unsigned integer`);
}

function readId(r: MsgpackReader, what: string): Id {
  return readUint(r, what);
}

function readPort(r: MsgpackReader): number {
  const port = readUint(r, 'port');
  if (typeof port !== 'number') r.fail('port out of range');
  return port as number;
}

function readCost(r: MsgpackReader): number {
  const cost = readUint(r, 'cost');
  if (!isCost(cost)) r.fail(`cost ${String(cost)} out of range`);
  return cost as number;
}

function readBool(r: MsgpackReader): boolean {
  const b = r.u8();
  if (b === 0xc3) return true;
  if (b === 0xc2) return false;
  // Python peers (pydantic) also take the numbers 0 and 1 as booleans. Only a
  // number is read to find out: a container, string or bin here is rejected
  // from its first byte, never decoded.
  r.pos--;
  if (!isNumberByte(b)) return r.fail('paused is not a boolean');
  const start = r.pos;
  const v = r.value(1);
  if (v === 0 || v === 1) return v === 1;
  r.pos = start;
  return r.fail('paused is not a boolean');
}

/** True for the first byte of a MessagePack integer or float (fixints, 0xca–0xd3). */
function isNumberByte(b: number): boolean {
  return b < 0x80 || b >= 0xe0 || (b >= 0xca && b <= 0xd3);
}

/**
 * Reads the `data` bin as a payload that refers to its range of the input:
 * no bytes are copied and no view is made until someone asks for them (a
 * switch forwarding the message sends its wire bytes and never does).
 */
function readData(r: MsgpackReader): RawData {
  const b = r.u8();
  let n: number;
  if (b === 0xc4) n = r.u8();
  else if (b === 0xc5) n = r.u16();
  else if (b === 0xc6) n = r.u32();
  else {
    r.pos--;
    return r.fail('data is not a bin');
  }
  r.need(n);
  const start = r.pos;
  r.pos = start + n;
  return RawData.fromRange(r.buf, start, start + n);
}

function readIds(r: MsgpackReader, what: string): Id[] {
  const n = readArrayHeader(r, what);
  const out = new Array<Id>(n);
  for (let i = 0; i < n; i++) out[i] = readId(r, what);
  return out;
}

function readPricedIds(r: MsgpackReader, what: string): PricedId[] {
  const n = readArrayHeader(r, what);
  const out = new Array<PricedId>(n);
  for (let i = 0; i < n; i++) {
    const size = readMapHeader(r, `${what} entry`);
    let id: Id | undefined;
    let cost: number | undefined;
    for (let j = 0; j < size; j++) {
      const k = readKey(r);
      if (k === 'id') id = readId(r, 'id');
      else if (k === 'cost') cost = readCost(r);
      else r.skip(3);
    }
    if (id === undefined || cost === undefined) r.fail(`${what} entry needs id and cost`);
    out[i] = { id: id!, cost: cost! };
  }
  return out;
}

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
  try {
    // Decoding never re-enters itself (it runs no user code): one reader serves every call.
    const r = reader.reset(bytes);
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
function takeKey(r: MsgpackReader, key: Uint8Array): boolean {
  const b = r.buf;
  const p = r.pos;
  if (p + key.length > r.end) return false;
  for (let i = 0; i < key.length; i++) if (b[p + i] !== key[i]) return false;
  r.pos = p + key.length;
  return true;
}

/** Reads an unsigned integer if one is at `r.pos`; undefined (position unchanged) otherwise. */
function tryUint(r: MsgpackReader): number | bigint | undefined {
  if (r.pos >= r.end) return undefined;
  const b = r.buf[r.pos]!;
  if (b < 0x80 || b === 0xcc || b === 0xcd || b === 0xce || b === 0xcf) return readUint(r, 'id');
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
  if (head === 0x83) {
    r.pos = 1;
    if (!takeKey(r, K_TOPIC)) return undefined;
    const topic = tryUint(r);
    if (topic === undefined || !takeKey(r, K_DATA)) return undefined;
    const b = r.buf[r.pos];
    if (b !== 0xc4 && b !== 0xc5 && b !== 0xc6) return undefined;
    const data = readData(r);
    if (!takeKey(r, K_TYPE) || r.pos + 1 !== r.end || r.buf[r.pos] !== MessageType.TopicData) return undefined;
    const message = new TopicDataMessage(topic, data);
    message.wire = r.buf;
    return message;
  }
  if (head === 0x84) {
    r.pos = 1;
    if (!takeKey(r, K_ADDRESS)) return undefined;
    const address = tryUint(r);
    if (address === undefined || !takeKey(r, K_PORT)) return undefined;
    const port = tryUint(r);
    if (typeof port !== 'number' || !takeKey(r, K_DATA)) return undefined;
    const b = r.buf[r.pos];
    if (b !== 0xc4 && b !== 0xc5 && b !== 0xc6) return undefined;
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
    r.skip(1);
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

/** Checks an outgoing message object's ids and costs; throws {@link InvalidMessageError}. */
export function validateMessage(message: Message): void {
  switch (message.type) {
    case MessageType.TopicData:
    case MessageType.TopicControl:
      if (!isId(message.topic)) invalid(message, 'topic');
      return;
    case MessageType.Addressed:
      if (!isId(message.address)) invalid(message, 'address');
      if (!Number.isSafeInteger(message.port) || message.port < 0) invalid(message, 'port');
      return;
    case MessageType.InTopicsChanged:
      for (const id of message.add) if (!isId(id)) invalid(message, 'topic');
      for (const id of message.remove) if (!isId(id)) invalid(message, 'topic');
      return;
    default:
      for (const p of message.add) if (!isId(p.id) || !isCost(p.cost)) invalid(message, 'priced id');
      for (const p of message.remove) if (!isId(typeof p === 'object' ? p.id : p)) invalid(message, 'id');
  }
}

// Not a closure inside validateMessage: that would be created for every message checked.
function invalid(message: Message, what: string): never {
  throw new InvalidMessageError(`invalid ${what} in message type ${message.type}`);
}
