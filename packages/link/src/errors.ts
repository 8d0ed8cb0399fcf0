/**
 * Every error raised by the `@streamtasks/*` packages extends
 * {@link StreamtasksError} and carries a stable `code` string (always
 * `ERR_…`), so callers can tell failures apart with `err.code === 'ERR_…'`,
 * `err.name` or `instanceof` without relying on message text. Every class
 * takes `ErrorOptions`; the original error, if any, is kept in `cause`.
 *
 * Each class names itself with a string literal (`name = 'TimeoutError'`),
 * not with its constructor's name, which a minifier renames.
 */
export class StreamtasksError extends Error {
  override name: string = 'StreamtasksError';
  readonly code: string;

  constructor(message: string, code: string, options?: ErrorOptions) {
    super(message, options);
    this.code = code;
  }
}

/** A link or connection was used after it closed, or closed while waited on. */
export class ConnectionClosedError extends StreamtasksError {
  override readonly name = 'ConnectionClosedError';
  constructor(message = 'connection closed', options?: ErrorOptions) {
    super(message, 'ERR_CONNECTION_CLOSED', options);
  }
}

/** Bytes that are not a valid message or payload. */
export class DecodeError extends StreamtasksError {
  override readonly name = 'DecodeError';
  constructor(message: string, options?: ErrorOptions) {
    super(message, 'ERR_DECODE', options);
  }
}

/** A value that has no MessagePack form understood by the network. */
export class EncodeError extends StreamtasksError {
  override readonly name = 'EncodeError';
  constructor(message: string, options?: ErrorOptions) {
    super(message, 'ERR_ENCODE', options);
  }
}

/** A message object whose fields are out of range (e.g. a negative topic id). */
export class InvalidMessageError extends StreamtasksError {
  override readonly name = 'InvalidMessageError';
  constructor(message: string, options?: ErrorOptions) {
    super(message, 'ERR_INVALID_MESSAGE', options);
  }
}

/** A link's outgoing buffer is full: the peer does not keep up. */
export class SlowConsumerError extends StreamtasksError {
  override readonly name = 'SlowConsumerError';
  constructor(message: string, options?: ErrorOptions) {
    super(message, 'ERR_SLOW_CONSUMER', options);
  }
}

/** A wait ran out of time. `what` names what was waited for. */
export class TimeoutError extends StreamtasksError {
  override readonly name = 'TimeoutError';
  readonly what: string;
  constructor(what: string, ms: number, options?: ErrorOptions) {
    super(`timed out after ${ms} ms waiting for ${what}`, 'ERR_TIMEOUT', options);
    this.what = what;
  }
}

/** A wait was cancelled through its AbortSignal. `what` names what was waited for. */
export class AbortError extends StreamtasksError {
  override readonly name = 'AbortError';
  readonly what: string;
  constructor(what: string, options?: ErrorOptions) {
    super(`aborted while waiting for ${what}`, 'ERR_ABORTED', options);
    this.what = what;
  }
}
