import { SYNC_WORD } from './constants.js';
import { HandshakeError } from './errors.js';

/** How an HTTP request or response starts: a method or the version of a status line. */
const HTTP_START = /^(GET|POST|PUT|HEAD|DELETE|OPTIONS|PATCH|CONNECT|TRACE|HTTP\/)/;

/**
 * Checks the first bytes of a byte stream: a peer that speaks this protocol
 * (TypeScript or Python) opens with the sync word of its handshake frame.
 * Anything else — an HTTP request sent to a TCP port, an HTTP server behind
 * a `tcp://` URL — is refused as soon as the first differing byte arrives,
 * instead of waiting out the handshake timeout for a sync word that never
 * comes. Feed it chunks until {@link StreamStartCheck.done}.
 */
export class StreamStartCheck {
  private checked = 0;
  private head = '';

  /** True once the whole sync word was seen. */
  get done(): boolean {
    return this.checked === SYNC_WORD.length;
  }

  /** Throws a {@link HandshakeError} when `chunk` does not continue the sync word. */
  feed(chunk: Uint8Array, description: string): void {
    for (let i = 0; i < chunk.length && this.checked < SYNC_WORD.length; i++) {
      if (chunk[i] === SYNC_WORD[this.checked]) {
        this.checked++;
        continue;
      }
      const head = this.head + String.fromCharCode(...chunk.subarray(i, i + 8));
      throw new HandshakeError(`${description} is not a streamtasks peer: ${describe(head)}`);
    }
  }
}

function describe(head: string): string {
  if (head.startsWith('HTTP/')) return 'it answered with HTTP (a WebSocket server needs a ws:// URL)';
  if (HTTP_START.test(head)) return 'it sent an HTTP request (WebSocket clients need a ws:// server)';
  return 'its first bytes are not the sync word of a frame';
}
