import type { Id } from '@streamtasks/link';

/** Events of a client (`client.events`). */
export interface ClientEvents {
  start: [];
  stop: [];
  /**
   * The link closed (the node went, the connection dropped, or `close()`);
   * `reason` is the failure, if any. Every wait has already ended with
   * `ConnectionClosedError`.
   */
  close: [reason: Error | undefined];
  /** A problem the client survived: an undecodable payload, a throwing listener. */
  error: [error: Error];
  'address-changed': [address: Id | undefined];
}
