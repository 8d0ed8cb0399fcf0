import { PieceLostError } from './errors.js';
import { isNodeId } from './subjects.js';

/**
 * Header on each piece of a message too large for one NATS message:
 * `<sender node> <message number> <piece index> <piece count> <total bytes>`.
 * NATS keeps the order of one publisher's messages on one subject, so the
 * pieces of a message arrive in order, unless one is lost.
 */
export const PIECE_HEADER = 'Streamtasks-Piece';

/** Where one piece belongs, as read from its header. */
export interface PieceInfo {
  readonly sender: string;
  readonly message: number;
  readonly index: number;
  readonly count: number;
  readonly total: number;
}

/** Splits `bytes` into pieces of at most `size` bytes (views, no copies). */
export function splitIntoPieces(bytes: Uint8Array, size: number): Uint8Array[] {
  const pieces: Uint8Array[] = [];
  for (let at = 0; at < bytes.length; at += size) pieces.push(bytes.subarray(at, Math.min(at + size, bytes.length)));
  return pieces;
}

export function formatPieceHeader(info: PieceInfo): string {
  return `${info.sender} ${info.message} ${info.index} ${info.count} ${info.total}`;
}

/** Parses a piece header; undefined when it is not one. */
export function parsePieceHeader(value: string, maxTotal: number): PieceInfo | undefined {
  const parts = value.split(' ');
  if (parts.length !== 5 || !isNodeId(parts[0])) return undefined;
  const [message, index, count, total] = parts.slice(1).map((p) => (/^\d{1,15}$/.test(p) ? Number(p) : NaN)) as [number, number, number, number];
  if (!(count >= 2 && index < count && total >= count && total <= maxTotal && message >= 0)) return undefined;
  return { sender: parts[0]!, message, index, count, total };
}

interface Partial {
  readonly key: string;
  readonly sender: string;
  readonly info: PieceInfo;
  readonly bytes: Uint8Array;
  filled: number;
  next: number;
  lastPieceAt: number;
}

/**
 * Puts split messages together again, with bounded memory: each sender may
 * keep at most `perSenderLimit` bytes of unfinished messages, and all senders
 * together `totalLimit`; the oldest unfinished message goes first. A piece
 * out of order, a message that a newer one on the same subject overtakes,
 * or one left waiting longer than `timeout` is dropped and counted.
 */
export class Reassembler {
  /** Split messages that were dropped unfinished. */
  dropped = 0;
  private readonly partials = new Map<string, Partial>();
  private readonly senderBytes = new Map<string, number>();
  private totalBytes = 0;

  constructor(
    private readonly options: {
      readonly maxMessageSize: number;
      readonly perSenderLimit: number;
      readonly totalLimit: number;
      readonly timeout: number;
      readonly onDrop: (error: PieceLostError) => void;
    },
  ) {}

  /** Takes one piece; returns the whole message once its last piece arrived. */
  accept(subject: string, header: string, data: Uint8Array, now = Date.now()): Uint8Array | undefined {
    const info = parsePieceHeader(header, this.options.maxMessageSize);
    if (!info) {
      this.drop(`a piece on ${subject} with a malformed header`);
      return undefined;
    }
    const key = `${info.sender} ${subject}`;
    let partial = this.partials.get(key);
    if (partial && (partial.info.message !== info.message || info.index !== partial.next)) {
      this.remove(partial);
      this.drop(`message ${partial.info.message} from ${info.sender} on ${subject} lost a piece`);
      partial = undefined;
    }
    if (!partial) {
      if (info.index !== 0) {
        this.drop(`message ${info.message} from ${info.sender} on ${subject} arrived without its first piece`);
        return undefined;
      }
      if (info.total > this.options.perSenderLimit) {
        this.drop(`message of ${info.total} bytes from ${info.sender} exceeds the reassembly limit`);
        return undefined;
      }
      this.makeRoom(info.sender, info.total);
      partial = { key, sender: info.sender, info, bytes: new Uint8Array(info.total), filled: 0, next: 0, lastPieceAt: now };
      this.partials.set(key, partial);
      this.senderBytes.set(info.sender, (this.senderBytes.get(info.sender) ?? 0) + info.total);
      this.totalBytes += info.total;
    }
    const last = info.index === info.count - 1;
    if (partial.filled + data.length > info.total || (last && partial.filled + data.length !== info.total)) {
      this.remove(partial);
      this.drop(`message ${info.message} from ${info.sender} on ${subject}: pieces do not add up to ${info.total} bytes`);
      return undefined;
    }
    partial.bytes.set(data, partial.filled);
    partial.filled += data.length;
    partial.next++;
    partial.lastPieceAt = now;
    if (!last) return undefined;
    this.remove(partial);
    return partial.bytes;
  }

  /** Drops what waited longer than the timeout. */
  sweep(now = Date.now()): void {
    for (const partial of [...this.partials.values()]) {
      if (now - partial.lastPieceAt > this.options.timeout) {
        this.remove(partial);
        this.drop(`message ${partial.info.message} from ${partial.sender} waited too long for its next piece`);
      }
    }
  }

  /** Forgets a sender that left (its unfinished messages count as dropped). */
  forget(sender: string): void {
    for (const partial of [...this.partials.values()]) {
      if (partial.sender !== sender) continue;
      this.remove(partial);
      this.drop(`message ${partial.info.message} from ${sender} was unfinished when the sender left`);
    }
  }

  /** Bytes held for unfinished messages. */
  get bufferedBytes(): number {
    return this.totalBytes;
  }

  clear(): void {
    this.partials.clear();
    this.senderBytes.clear();
    this.totalBytes = 0;
  }

  private makeRoom(sender: string, bytes: number): void {
    for (const partial of [...this.partials.values()]) {
      const senderFull = (this.senderBytes.get(sender) ?? 0) + bytes > this.options.perSenderLimit;
      const totalFull = this.totalBytes + bytes > this.options.totalLimit;
      if (!senderFull && !totalFull) return;
      if (totalFull || partial.sender === sender) {
        this.remove(partial);
        this.drop(`message ${partial.info.message} from ${partial.sender} was dropped to make room`);
      }
    }
  }

  private remove(partial: Partial): void {
    this.partials.delete(partial.key);
    const left = (this.senderBytes.get(partial.sender) ?? 0) - partial.info.total;
    if (left > 0) this.senderBytes.set(partial.sender, left);
    else this.senderBytes.delete(partial.sender);
    this.totalBytes -= partial.info.total;
  }

  private drop(why: string): void {
    this.dropped++;
    this.options.onDrop(new PieceLostError(why));
  }
}
