import { StreamtasksError } from '@streamtasks/link';

/** A `nats://` URL or option that cannot be used. */
export class InvalidNatsUrlError extends StreamtasksError {
  override readonly name = 'InvalidNatsUrlError';
  constructor(url: string, problem: string, options?: ErrorOptions) {
    super(`invalid NATS URL ${JSON.stringify(redact(url))}: ${problem}`, 'ERR_INVALID_URL', options);
  }
}

/** Connecting to the NATS servers failed (refused, unreachable, rejected credentials). */
export class NatsConnectError extends StreamtasksError {
  override readonly name = 'NatsConnectError';
  constructor(message: string, options?: ErrorOptions) {
    super(message, 'ERR_CONNECT', options);
  }
}

/** Something published on the network's subjects that is not what the subject carries; it was dropped. */
export class RoguePublishError extends StreamtasksError {
  override readonly name = 'RoguePublishError';
  readonly subject: string;
  constructor(subject: string, problem: string, options?: ErrorOptions) {
    super(`dropped a message on ${subject}: ${problem}`, 'ERR_DECODE', options);
    this.subject = subject;
  }
}

/** A message split into pieces could not be put together again; it was dropped. */
export class PieceLostError extends StreamtasksError {
  override readonly name = 'PieceLostError';
  constructor(message: string, options?: ErrorOptions) {
    super(message, 'ERR_PIECE_LOST', options);
  }
}

/** The URL without a password or token, for messages. */
export function redact(url: string): string {
  return url.replace(/\/\/([^@/?#]*)@/, (_, user: string) => `//${user.split(':')[0]}:***@`).replace(/([?&]token=)[^&#]*/g, '$1***');
}
