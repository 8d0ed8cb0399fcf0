import { headers, type NatsConnection } from '@nats-io/transport-node';
import { PIECE_HEADER, formatPieceHeader, splitIntoPieces } from './pieces.js';
import { PIECE_HEADROOM } from './constants.js';

/**
 * Publishes byte messages of any size up to `maxMessageSize`: a message
 * larger than the server's `max_payload` goes as numbered pieces (see
 * {@link PIECE_HEADER}). Counts the published bytes the server has not
 * confirmed yet, for backpressure.
 */
export class Publisher {
  private messageNumber = 0;
  /** Messages published to NATS (pieces count one each). */
  published = 0;

  constructor(
    private readonly nc: NatsConnection,
    private readonly sender: string,
    readonly maxMessageSize: number,
  ) {}

  /** The largest payload of one NATS message on the current server. */
  get maxPayload(): number {
    return this.nc.info?.max_payload ?? 1024 * 1024;
  }

  /** Publishes `bytes` on `subject`; returns the number of bytes handed to the client. */
  publish(subject: string, bytes: Uint8Array, reply?: string): number {
    if (bytes.length > this.maxMessageSize) {
      throw new RangeError(`message of ${bytes.length} bytes exceeds the maximum of ${this.maxMessageSize} bytes`);
    }
    const limit = this.maxPayload;
    if (bytes.length <= limit) {
      this.nc.publish(subject, bytes, reply === undefined ? undefined : { reply });
      this.published++;
      return bytes.length;
    }
    const pieces = splitIntoPieces(bytes, limit - PIECE_HEADROOM);
    const message = this.messageNumber++;
    for (let index = 0; index < pieces.length; index++) {
      const h = headers();
      h.set(PIECE_HEADER, formatPieceHeader({ sender: this.sender, message, index, count: pieces.length, total: bytes.length }));
      this.nc.publish(subject, pieces[index], reply === undefined ? { headers: h } : { headers: h, reply });
      this.published++;
    }
    return bytes.length;
  }
}
