import { StreamtasksError } from '@streamtasks/link';

/** The receiver was stopped (or its client was): no more data will come. */
export class ReceiverStoppedError extends StreamtasksError {
  override readonly name = 'ReceiverStoppedError';
  constructor(message = 'the broadcast receiver is stopped', options?: ErrorOptions) {
    super(message, 'ERR_RECEIVER_STOPPED', options);
  }
}

/** The topic allocator of a broadcasting server failed or returned the wrong number of ids. */
export class TopicAllocationError extends StreamtasksError {
  override readonly name = 'TopicAllocationError';
  constructor(message: string, options?: ErrorOptions) {
    super(message, 'ERR_TOPIC_ALLOCATION', options);
  }
}
