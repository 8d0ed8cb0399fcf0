import { MessageType } from './messages.js';

/** Number of wire message types (TopicData … OutTopicsChanged); counters are indexed by them. */
export const WIRE_TYPE_COUNT = 6;

/**
 * The wire type of each message type: the `…Recv` forms count as the
 * announcement they were made from.
 */
const WIRE_TYPE: readonly number[] = [0, 1, 2, 3, 4, 5, MessageType.OutTopicsChanged, MessageType.AddressesChanged];

/** The wire type index (0–5) a message of `type` is counted under. */
export function wireType(type: MessageType): number {
  return WIRE_TYPE[type]!;
}

/**
 * The counters of one link, kept where the work happens: plain number fields
 * and fixed arrays, so counting a message is an increment and allocates nothing.
 * Counters only grow; readers compute rates from two snapshots.
 *
 * `messagesIn`/`messagesOut` and `bytesIn`/`bytesOut` are indexed by wire
 * message type (`MessageType.TopicData` … `MessageType.OutTopicsChanged`).
 * Bytes are counted only by links that serialize (connections, serializing
 * queue links); in-process links that pass objects leave them at 0.
 */
export class LinkStats {
  /** `Date.now()` when the link was created. */
  readonly openedAt = Date.now();
  // TopicData, the message of the hot path, is counted in plain number
  // fields: incrementing one costs a fraction of a typed-array element, and
  // on in-process pub/sub that is the difference between counting for free
  // and a tenth of the throughput (bench/stats-overhead.mjs).
  private topicDataIn = 0;
  private topicDataOut = 0;
  private readonly otherIn = new Float64Array(WIRE_TYPE_COUNT);
  private readonly otherOut = new Float64Array(WIRE_TYPE_COUNT);

  /** Messages received from the other end, by wire type (a snapshot). */
  get messagesIn(): Float64Array {
    const counts = this.otherIn.slice();
    counts[0] = this.topicDataIn;
    return counts;
  }

  /** Messages sent to the other end, by wire type (a snapshot). */
  get messagesOut(): Float64Array {
    const counts = this.otherOut.slice();
    counts[0] = this.topicDataOut;
    return counts;
  }

  /** @internal Counts one received message of `type`. */
  countIn(type: MessageType): void {
    if (type === MessageType.TopicData) this.topicDataIn++;
    else this.otherIn[WIRE_TYPE[type]!]!++;
  }

  /** @internal Counts one sent message of `type`. */
  countOut(type: MessageType): void {
    if (type === MessageType.TopicData) this.topicDataOut++;
    else this.otherOut[WIRE_TYPE[type]!]!++;
  }

  /** Encoded bytes received, by wire type (frame payloads, without framing). */
  readonly bytesIn = new Float64Array(WIRE_TYPE_COUNT);
  /** Encoded bytes sent, by wire type. */
  readonly bytesOut = new Float64Array(WIRE_TYPE_COUNT);
  /** Messages meant for this link that were lost (e.g. a payload with no wire form). */
  dropped = 0;
  /** Received frames that were not valid messages. */
  decodeErrors = 0;
  /** Times a send found the outgoing buffer above its high-water mark (backpressure began). */
  backpressure = 0;
  /** Times the other end was too slow and a send exceeded the hard buffer limit. */
  slowConsumer = 0;
}

/** Counters of one topic a switch forwards. */
export interface TopicCounters {
  /** TopicData messages received for the topic and forwarded to its subscribers. */
  messages: number;
  /** Their encoded size, where known (messages that arrived serialized). */
  bytes: number;
}

/** Totals of a switch (see {@link Switch.stats}); they only grow. */
export class SwitchStats {
  /** TopicData messages forwarded (counted once, however many subscribers got them). */
  topicMessages = 0;
  /** Their encoded bytes, where known. */
  topicBytes = 0;
  /** TopicData copies handed to subscriber links. */
  topicDeliveries = 0;
  /** TopicControl messages received. */
  controls = 0;
  /** Addressed messages delivered to the link reaching their address. */
  addressed = 0;
  /** Addressed messages dropped because no link reaches their address. */
  unroutable = 0;
  /** Message copies lost for one destination (no wire form for it). */
  dropped = 0;
}
