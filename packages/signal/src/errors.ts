import { StreamtasksError } from '@streamtasks/link';

/**
 * A payload on a signal port that could not be handled: not valid
 * MessagePack, or not a `{descriptor, body}` map. The server reports it and
 * keeps serving.
 */
export class MalformedSignalError extends StreamtasksError {
  override readonly name = 'MalformedSignalError';
  constructor(message: string, options?: ErrorOptions) {
    super(message, 'ERR_MALFORMED_SIGNAL', options);
  }
}
