// Decoding a large frame that arrived in pieces (socket reads) without joining
// them: a switch routes a data or addressed message on its header alone, and
// forwards the pieces as they are.
import { joinBytes } from '../bytes.js';
import { AddressedMessage, MessageType, TopicDataMessage, type Message, type WireMessage } from '../messages.js';
import { MsgpackReader } from '../msgpack/decoder.js';
import { BIN16, BIN32, BIN8 } from '../msgpack/format.js';
import { RawData } from '../raw-data.js';
import { decodeOwnedMessage, takeKey, tryUint } from './decode.js';
import { K_ADDRESS, K_DATA, K_PORT, K_TOPIC, K_TYPE, fixmap } from './keys.js';

/** What follows the data bin of a canonical message: the `_id` key and the type (a fixint). */
const TRAILER = K_TYPE.length + 1;

// Reads the header in the first piece; never re-entered (it runs no user code).
const reader = new MsgpackReader(new Uint8Array(0));

/**
 * Decodes the message whose bytes are the concatenation of `parts` (`length`
 * bytes in all; pieces nobody writes to again). A data or addressed message
 * laid out as this codec and Python peers write it, whose header lies in the
 * first piece and whose `_id` in the last, is checked exactly as
 * {@link decodeOwnedMessage} checks it and keeps the pieces
 * (`wireParts`); its payload refers to them and is joined only when read.
 * Anything else is joined and decoded as one buffer, with the same errors.
 * @internal
 */
export function decodeOwnedParts(parts: readonly Uint8Array[], length: number): WireMessage {
  let message: WireMessage | undefined;
  try {
    message = canonical(parts, length);
  } catch {
    // A header cut short by the end of the first piece (or malformed): the
    // general decoder reads the joined bytes and reports what is wrong.
    message = undefined;
  }
  return message ?? decodeOwnedMessage(joinBytes(parts, 0, length));
}

function canonical(parts: readonly Uint8Array[], length: number): WireMessage | undefined {
  const first = parts[0];
  const last = parts[parts.length - 1];
  if (first === undefined || last === undefined || last.length < TRAILER) return undefined;
  const r = reader.reset(first);
  const head = first[0];
  r.pos = 1;
  let topic: number | bigint | undefined;
  let address: number | bigint | undefined;
  let port: number | bigint | undefined;
  if (head === fixmap(3)) {
    if (!takeKey(r, K_TOPIC)) return undefined;
    topic = tryUint(r);
    if (topic === undefined) return undefined;
  } else if (head === fixmap(4)) {
    if (!takeKey(r, K_ADDRESS)) return undefined;
    address = tryUint(r);
    if (address === undefined || !takeKey(r, K_PORT)) return undefined;
    port = tryUint(r);
    if (typeof port !== 'number') return undefined;
  } else {
    return undefined;
  }
  if (!takeKey(r, K_DATA)) return undefined;
  const b = r.u8();
  const n = b === BIN32 ? r.u32() : b === BIN16 ? r.u16() : b === BIN8 ? r.u8() : -1;
  const start = r.pos;
  const end = start + n;
  if (n < 0 || end + TRAILER !== length) return undefined;
  const type = topic !== undefined ? MessageType.TopicData : MessageType.Addressed;
  const at = last.length - TRAILER;
  for (let i = 0; i < K_TYPE.length; i++) if (last[at + i] !== K_TYPE[i]) return undefined;
  if (last[at + K_TYPE.length] !== type) return undefined;
  const data = RawData.fromParts(parts, start, end);
  const message = topic !== undefined ? new TopicDataMessage(topic, data) : new AddressedMessage(address!, port as number, data);
  message.wireParts = parts;
  return message;
}

/**
 * The pieces of a data or addressed message that {@link decodeOwnedParts}
 * kept, while nobody joined them into its `wire`; undefined for any other.
 * @internal
 */
export function largeFrameParts(message: Message): readonly Uint8Array[] | undefined {
  if (message.type !== MessageType.TopicData && message.type !== MessageType.Addressed) return undefined;
  return message.wire === undefined ? message.wireParts : undefined;
}
