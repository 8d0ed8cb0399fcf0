import { StreamtasksError } from '@streamtasks/link';

/** A connection URL that cannot be used (unknown scheme, missing port or path, bad cost). */
export class InvalidUrlError extends StreamtasksError {
  override readonly name = 'InvalidUrlError';
  readonly url: string;
  constructor(url: string, problem: string, options?: ErrorOptions) {
    super(`invalid connection URL ${JSON.stringify(redact(url))}: ${problem}`, 'ERR_INVALID_URL', options);
    this.url = redact(url);
  }
}

/** A frame announced a length above the configured maximum; the connection is closed. */
export class FrameTooLargeError extends StreamtasksError {
  override readonly name = 'FrameTooLargeError';
  readonly size: number;
  readonly maxSize: number;
  constructor(size: number, maxSize: number, options?: ErrorOptions) {
    super(`frame of ${size} bytes exceeds the maximum of ${maxSize} bytes`, 'ERR_FRAME_TOO_LARGE', options);
    this.size = size;
    this.maxSize = maxSize;
  }
}

/**
 * Bytes that were not part of any frame were skipped before a sync word.
 * Reported as a survivable problem (the link's `error` event); the connection
 * stays open.
 */
export class SkippedBytesError extends StreamtasksError {
  override readonly name = 'SkippedBytesError';
  readonly count: number;
  constructor(count: number, options?: ErrorOptions) {
    super(`skipped ${count} bytes that did not belong to a frame`, 'ERR_SKIPPED_BYTES', options);
    this.count = count;
  }
}

/** The peer's handshake was not a well-formed handshake map. */
export class HandshakeError extends StreamtasksError {
  override readonly name = 'HandshakeError';
  constructor(message: string, options?: ErrorOptions) {
    super(message, 'ERR_HANDSHAKE', options);
  }
}

/** Why a handshake was rejected. */
export type RejectReason =
  /** The versions differ. */
  | 'version'
  /** The client's `auth` differs from the server's. */
  | 'auth'
  /** The server has no room for another connection. */
  | 'capacity'
  /** The server said no without saying why (what a client sees for auth failures). */
  | 'refused';

/**
 * A handshake was rejected: on the client, the server refused the
 * connection; on the server (in `connection-rejected` events), the client
 * was refused.
 */
export class HandshakeRejectedError extends StreamtasksError {
  override readonly name = 'HandshakeRejectedError';
  readonly reason: RejectReason;
  /** The version the peer announced, if any. */
  readonly peerVersion: unknown;
  constructor(reason: RejectReason, message: string, peerVersion?: unknown, options?: ErrorOptions) {
    super(message, 'ERR_HANDSHAKE_REJECTED', options);
    this.reason = reason;
    this.peerVersion = peerVersion;
  }
}

/** Drops user info (credentials) from a URL before it goes into a message. */
export function redact(url: string): string {
  return url.replace(/^([a-zA-Z][a-zA-Z0-9+.-]*:\/\/)[^/?#@]*@/, '$1***@');
}
