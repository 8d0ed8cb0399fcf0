import { StreamtasksError } from '@streamtasks/link';

/** A topic object was used (or waited on) after it was closed. */
export class TopicClosedError extends StreamtasksError {
  override readonly name = 'TopicClosedError';
  constructor(message = 'the topic is closed', options?: ErrorOptions) {
    super(message, 'ERR_TOPIC_CLOSED', options);
  }
}
