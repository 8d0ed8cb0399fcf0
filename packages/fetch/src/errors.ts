import { StreamtasksError } from '@streamtasks/link';
import type { FetchErrorCode } from '@streamtasks/client';

/**
 * Thrown by a route handler to answer with a built-in error: the requester
 * receives `[code, message]` with `error: true` and raises a `FetchError`
 * with the same `code` and message.
 *
 * @example
 * ```ts
 * server.route('get', ({ body }) => {
 *   const item = items.get(body.id);
 *   if (item === undefined) throw FetchRequestError.notFound(String(body.id));
 *   return item;
 * });
 * ```
 */
export class FetchRequestError extends StreamtasksError {
  override readonly name = 'FetchRequestError';
  declare readonly code: 'ERR_FETCH_REQUEST';
  /** The error kind the requester receives (its `FetchError.fetchCode`). */
  readonly fetchCode: FetchErrorCode;

  constructor(fetchCode: FetchErrorCode, message: string, options?: ErrorOptions) {
    super(message, 'ERR_FETCH_REQUEST', options);
    this.fetchCode = fetchCode;
  }

  /** The request is invalid (the requester gets `["bad_request", message]`). */
  static badRequest(message: string, options?: ErrorOptions): FetchRequestError {
    return new FetchRequestError('bad_request', message, options);
  }

  /** What was asked for does not exist (`["not_found", message]`). */
  static notFound(message: string, options?: ErrorOptions): FetchRequestError {
    return new FetchRequestError('not_found', message, options);
  }

  /** Any other failure (`["general", message]`). */
  static general(message: string, options?: ErrorOptions): FetchRequestError {
    return new FetchRequestError('general', message, options);
  }
}

/**
 * Thrown by a route handler to answer with an error body of its own shape
 * (`{body, error: true}`); the requester's `FetchError` has code `custom`
 * and carries the body.
 */
export class CustomFetchError extends StreamtasksError {
  override readonly name = 'CustomFetchError';
  declare readonly code: 'ERR_FETCH_REQUEST';
  /** What the requester's `FetchError.fetchCode` will be. */
  readonly fetchCode = 'custom';
  /** The error body sent to the requester. */
  readonly body: unknown;

  constructor(body: unknown, options?: ErrorOptions) {
    super('fetch answered with a custom error body', 'ERR_FETCH_REQUEST', options);
    this.body = body;
  }
}

/**
 * A payload on a fetch port that could not be served: not valid MessagePack,
 * or not a request (no return address). It cannot be answered; the server
 * reports it and keeps serving.
 */
export class MalformedRequestError extends StreamtasksError {
  override readonly name = 'MalformedRequestError';
  constructor(message: string, options?: ErrorOptions) {
    super(message, 'ERR_MALFORMED_REQUEST', options);
  }
}

/** A value that does not have the expected shape. `path` locates the offending part (e.g. `body.count`). */
export class ValidationError extends StreamtasksError {
  override readonly name = 'ValidationError';
  readonly path: string;

  constructor(path: string, expected: string, options?: ErrorOptions) {
    super(`${path}: expected ${expected}`, 'ERR_VALIDATION', options);
    this.path = path;
  }
}

/** Defined beside the requester in `@streamtasks/client` (the fetch's `validate` option); the same class. */
export { InvalidResponseError } from '@streamtasks/client';
