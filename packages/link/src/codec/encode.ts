// The message encoder: a message object to the bytes a Python peer writes for it.
import { joinBytes, totalLength } from '../bytes.js';
import { InvalidMessageError } from '../errors.js';
import type { Id, PricedId } from '../ids.js';
import { MessageType, type Message } from '../messages.js';
import { MsgpackWriter } from '../msgpack/encoder.js';
import { BIN8 } from '../msgpack/format.js';
import type { RawData } from '../raw-data.js';
import { K_ADD, K_ADDRESS, K_COST, K_DATA, K_ID, K_PAUSED, K_PORT, K_REMOVE, K_TOPIC, K_TYPE, fixmap } from './keys.js';
import { validateMessage } from './validate.js';

/** Header sizes of bin16 and bin32: the type byte and a 2- or 4-byte length. */
const BIN16_HEADER = 3;
const BIN32_HEADER = 5;

// Messages are small: a 16 KiB buffer holds many, each handed out as a view
// of it (the writer grows for a large payload and hands that one its own buffer).
const writer = new MsgpackWriter(16 * 1024);

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
    w.byte(fixmap(2));
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
 * then be copied. Returns where the payload's bytes start, counted from the
 * start of the message (`w.start`: the buffer may grow while the payload is
 * written).
 */
function writeData(w: MsgpackWriter, data: RawData): number {
  const known = data.knownBytes;
  if (known !== undefined) {
    w.binHeader(known.length);
    const start = w.pos - w.start;
    w.bytes(known);
    return start;
  }
  // Room for a bin8 header (type byte and 1-byte length), the common case.
  w.ensure(2);
  const headerAt = w.pos - w.start;
  w.pos += 2;
  w.value(data.value);
  const at = w.start + headerAt;
  const length = w.pos - at - 2;
  const buf = w.buf;
  if (length <= 0xff) {
    buf[at] = BIN8;
    buf[at + 1] = length;
    return headerAt + 2;
  }
  // Too long for bin8 (1-byte length): a bin16 (3-byte) or bin32 (5-byte) header takes its place.
  const header = length <= 0xffff ? BIN16_HEADER : BIN32_HEADER;
  w.ensure(header - 2);
  const from = w.start + headerAt;
  w.buf.copyWithin(from + header, from + 2, w.pos);
  const end = w.pos + header - 2;
  w.pos = from;
  w.binHeader(length);
  w.pos = end;
  return headerAt + header;
}

/**
 * Encodes a message into the bytes a Python peer sends for it: one map with
 * the fields in declaration order and `_id` last; `data` is a bin holding the
 * payload's own MessagePack encoding. Throws {@link InvalidMessageError} for
 * out-of-range ids, ports or costs and `EncodeError` for a payload that has no
 * MessagePack form.
 *
 * Data, addressed and route announcement messages keep their bytes
 * (`wire`), and a payload encoded here keeps its range of them: a message
 * sent on several links, or a payload published again, is not encoded twice.
 */
export function encodeMessage(message: Message): Uint8Array {
  // A message that arrived as bytes (or was encoded before) leaves as the same bytes (it was validated then).
  const { type } = message;
  if (
    (type === MessageType.TopicData || type === MessageType.Addressed || type === MessageType.OutTopicsChanged || type === MessageType.AddressesChanged) &&
    message.wire !== undefined
  ) {
    return message.wire;
  }
  if ((type === MessageType.TopicData || type === MessageType.Addressed) && message.wireParts !== undefined) {
    // A large frame that arrived in pieces, sent where pieces cannot go: joined once, kept joined.
    message.wire = joinBytes(message.wireParts, 0, totalLength(message.wireParts));
    return message.wire;
  }
  // Out-of-range ids or costs would otherwise be written as other numbers.
  validateMessage(message);
  const w = writer;
  let dataStart = -1;
  let dataEnd = -1;
  try {
    switch (message.type) {
      case MessageType.TopicData:
        w.byte(fixmap(3));
        w.bytes(K_TOPIC);
        writeId(w, message.topic);
        w.bytes(K_DATA);
        dataStart = writeData(w, message.data);
        dataEnd = w.pos - w.start;
        break;
      case MessageType.TopicControl:
        w.byte(fixmap(3));
        w.bytes(K_TOPIC);
        writeId(w, message.topic);
        w.bytes(K_PAUSED);
        w.bool(message.paused);
        break;
      case MessageType.Addressed:
        w.byte(fixmap(4));
        w.bytes(K_ADDRESS);
        writeId(w, message.address);
        w.bytes(K_PORT);
        w.uint(message.port);
        w.bytes(K_DATA);
        dataStart = writeData(w, message.data);
        dataEnd = w.pos - w.start;
        break;
      case MessageType.AddressesChanged:
      case MessageType.OutTopicsChanged:
        w.byte(fixmap(3));
        w.bytes(K_ADD);
        writePricedIds(w, message.add);
        w.bytes(K_REMOVE);
        writeIds(w, message.remove);
        break;
      case MessageType.InTopicsChanged:
        w.byte(fixmap(3));
        w.bytes(K_ADD);
        writeIds(w, message.add);
        w.bytes(K_REMOVE);
        writeIds(w, message.remove);
        break;
      default:
        throw new InvalidMessageError(`message type ${(message as Message).type} is not sent on the wire`);
    }
  } catch (err) {
    w.reset();
    throw err;
  }
  w.bytes(K_TYPE);
  w.byte(message.type);
  const out = w.take();
  if (message.type === MessageType.TopicData || message.type === MessageType.Addressed) {
    message.wire = out;
    message.data.adoptEncoding(out, dataStart, dataEnd);
  } else if (message.type === MessageType.OutTopicsChanged || message.type === MessageType.AddressesChanged) {
    message.wire = out;
  }
  return out;
}
