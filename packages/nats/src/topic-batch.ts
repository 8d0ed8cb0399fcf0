// What a topic subject carries (subject layout version 2): the topic is in
// the subject, so a message on it is no streamtasks frame but a run of
// entries, each one MessagePack value:
//
//   bin          the payload of one data message (its MessagePack bytes)
//   true/false   a control message: the topic is paused / resumed
//
// The data and control messages that a node publishes on one subject in a
// row travel as one NATS message: the per-message costs of NATS (a protocol
// line with the subject, its parsing at the server and at every receiver,
// one delivery per subscriber) are paid once per batch, not per message.
import { DecodeError } from '@streamtasks/link';
import { MsgpackWriter } from '@streamtasks/link/internal';

const FALSE = 0xc2;
const TRUE = 0xc3;
const BIN8 = 0xc4;
const BIN16 = 0xc5;
const BIN32 = 0xc6;

/** A writer that grew beyond this for one large message is replaced by a small one, so that it does not keep the memory. */
const KEEP_WRITER_BYTES = 256 * 1024;

/** The entries waiting to be published on one subject. */
export class TopicBatch {
  /** The subject the entries are for; undefined while empty. */
  subject: string | undefined;
  private w = new MsgpackWriter(16 * 1024);

  /** Bytes of the entries so far. */
  get size(): number {
    return this.w.pos;
  }

  /** Adds a data message's payload; returns the bytes it added. */
  data(subject: string, payload: Uint8Array): number {
    this.subject = subject;
    const before = this.w.pos;
    this.w.bin(payload);
    return this.w.pos - before;
  }

  /** Adds a control message; returns the bytes it added. */
  control(subject: string, paused: boolean): number {
    this.subject = subject;
    this.w.bool(paused);
    return 1;
  }

  /** The batch's bytes (a copy); the batch is empty afterwards. */
  take(): Uint8Array {
    const bytes = this.w.finish();
    if (this.w.buf.length > KEEP_WRITER_BYTES) this.w = new MsgpackWriter(16 * 1024);
    else this.w.reset();
    this.subject = undefined;
    return bytes;
  }
}

/** In the result of {@link readTopicEntries}: the start of a control entry (its end is 1 for paused, 0 for resumed). */
export const CONTROL = -1;

/**
 * Reads the entries of a message received on a topic subject, in linear
 * time, as flat pairs: `[start, end)` of each payload in `bytes`, or
 * {@link CONTROL} and the paused state. The whole message is checked before
 * anything is returned, so a malformed one ({@link DecodeError}) delivers
 * nothing.
 */
export function readTopicEntries(bytes: Uint8Array): number[] {
  const entries: number[] = [];
  const n = bytes.length;
  if (n === 0) throw new DecodeError('an empty message on a topic subject');
  let p = 0;
  while (p < n) {
    const head = bytes[p]!;
    if (head === TRUE || head === FALSE) {
      entries.push(CONTROL, head === TRUE ? 1 : 0);
      p++;
      continue;
    }
    let length: number;
    let start: number;
    if (head === BIN8 && p + 2 <= n) {
      length = bytes[p + 1]!;
      start = p + 2;
    } else if (head === BIN16 && p + 3 <= n) {
      length = (bytes[p + 1]! << 8) | bytes[p + 2]!;
      start = p + 3;
    } else if (head === BIN32 && p + 5 <= n) {
      length = bytes[p + 1]! * 0x1000000 + ((bytes[p + 2]! << 16) | (bytes[p + 3]! << 8) | bytes[p + 4]!);
      start = p + 5;
    } else {
      throw new DecodeError(`byte ${p} of a topic message is neither a payload (bin) nor a control state (bool)`);
    }
    const end = start + length;
    if (end > n) throw new DecodeError(`a payload of ${length} bytes at byte ${p} of a topic message runs past its end`);
    entries.push(start, end);
    p = end;
  }
  return entries;
}
