import { StreamtasksError } from '@streamtasks/link';

/** A usage mistake on the command line; reported with the command's usage, exit code 1. */
export class UsageError extends StreamtasksError {
  override readonly name = 'UsageError';
  constructor(message: string, options?: ErrorOptions) {
    super(message, 'ERR_USAGE', options);
  }
}
