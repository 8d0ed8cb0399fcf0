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

// Where each group of per-type counters starts in `LinkStats.counts`.
const MESSAGES_IN = 0;
const MESSAGES_OUT = WIRE_TYPE_COUNT;
const BYTES_IN = 2 * WIRE_TYPE_COUNT;
const BYTES_OUT = 3 * WIRE_TYPE_COUNT;

/** A packed array of `4 × WIRE_TYPE_COUNT` zeros (pushed one by one: `new Array(n)` would be holey). */
function zeroCounts(): number[] {
  const counts: number[] = [];
  for (let i = 0; i < 4 * WIRE_TYPE_COUNT; i++) counts.push(0);
  return counts;
}

/**
 * The counters of one link, kept where the work happens: plain number fields
 * and one array, so counting a message is an increment and allocates nothing.
 * Counters only grow; readers compute rates from two snapshots.
 *
 * `messagesIn`/`messagesOut` and `bytesIn`/`bytesOut` are indexed by wire
 * message type (`MessageType.TopicData` … `MessageType.OutTopicsChanged`).
 * Bytes are counted only by links that serialize (connections, serializing
 * queue links); in-process links that pass objects leave them at 0.
 * Connections count each message as it is written or read; in-process queue
 * links count a whole batch, on both ends, when it is delivered (right after
 * the sender's turn).
 */
export class LinkStats {
  /** `Date.now()` when the link was created. */
  readonly openedAt = Date.now();
  // TopicData, the message of the hot path, is counted in plain number
  // fields: incrementing one costs a fraction of an array element, and
  // on in-process pub/sub every instruction per message shows
  // (bench/stats-overhead.mjs).
  private topicDataIn = 0;
  private topicDataOut = 0;
  // Every other counter by type, in one plain array (messages in, messages
  // out, bytes in, bytes out; see the offsets above): a node keeps one
  // LinkStats per connection, and four typed arrays cost three times the
  // memory of this one (bench/README.md, "Many clients: memory per connection").
  private readonly counts = zeroCounts();

  /** Messages received from the other end, by wire type (a snapshot). */
  get messagesIn(): Float64Array {
    const counts = this.snapshot(MESSAGES_IN);
    counts[0] = this.topicDataIn;
    return counts;
  }

  /** Messages sent to the other end, by wire type (a snapshot). */
  get messagesOut(): Float64Array {
    const counts = this.snapshot(MESSAGES_OUT);
    counts[0] = this.topicDataOut;
    return counts;
  }

  /** Encoded bytes received, by wire type (frame payloads, without framing; a snapshot). */
  get bytesIn(): Float64Array {
    return this.snapshot(BYTES_IN);
  }

  /** Encoded bytes sent, by wire type (a snapshot). */
  get bytesOut(): Float64Array {
    return this.snapshot(BYTES_OUT);
  }

  /** @internal Counts one received message of `type`. */
  countIn(type: MessageType): void {
    if (type === MessageType.TopicData) this.topicDataIn++;
    else this.counts[MESSAGES_IN + WIRE_TYPE[type]!]!++;
  }

  /** @internal Counts one sent message of `type`. */
  countOut(type: MessageType): void {
    if (type === MessageType.TopicData) this.topicDataOut++;
    else this.counts[MESSAGES_OUT + WIRE_TYPE[type]!]!++;
  }

  /** @internal Counts `n` received TopicData messages at once (a delivered batch). */
  countTopicDataIn(n: number): void {
    this.topicDataIn += n;
  }

  /** @internal Counts `n` sent TopicData messages at once (a delivered batch). */
  countTopicDataOut(n: number): void {
    this.topicDataOut += n;
  }

  /** Counts `bytes` encoded bytes received in a message of `type` (for links that serialize: a frame's payload). */
  countBytesIn(type: MessageType, bytes: number): void {
    this.counts[BYTES_IN + WIRE_TYPE[type]!]! += bytes;
  }

  /** Counts `bytes` encoded bytes sent in a message of `type` (for links that serialize). */
  countBytesOut(type: MessageType, bytes: number): void {
    this.counts[BYTES_OUT + WIRE_TYPE[type]!]! += bytes;
  }

  /** Messages meant for this link that were lost (e.g. a payload with no wire form). */
  dropped = 0;
  /** Received frames that were not valid messages. */
  decodeErrors = 0;
  /** Times a send found the outgoing buffer above its high-water mark (backpressure began). */
  backpressure = 0;
  /** Times the other end was too slow and a send exceeded the hard buffer limit. */
  slowConsumer = 0;

  /** The counters of one group, from `offset`, as a fresh array. */
  private snapshot(offset: number): Float64Array {
    const out = new Float64Array(WIRE_TYPE_COUNT);
    for (let t = 0; t < WIRE_TYPE_COUNT; t++) out[t] = this.counts[offset + t]!;
    return out;
  }
}

/** Counters of one topic a switch forwards. */
export interface TopicCounters {
  /** TopicData messages received for the topic and forwarded to its subscribers. */
  messages: number;
  /** Their encoded size, where known (messages that arrived serialized). */
  bytes: number;
}

/**
 * @internal The counters of one topic as a switch keeps them. Forwarding a
 * message adds to `messages` (and `bytes` when it arrived serialized) and
 * nothing else: the copies handed out are derived from the messages counted
 * since the number of subscribers last changed.
 */
export class TopicTally implements TopicCounters {
  messages = 0;
  bytes = 0;
  private deliveredBefore = 0;
  private messagesBefore = 0;
  private fanout = 0;

  /** TopicData copies handed to subscriber links (each message once per subscriber it went to). */
  get deliveries(): number {
    return this.deliveredBefore + (this.messages - this.messagesBefore) * this.fanout;
  }

  /** The topic now has `subscribers` subscriber links: later messages are delivered that many times. */
  setFanout(subscribers: number): void {
    this.deliveredBefore = this.deliveries;
    this.messagesBefore = this.messages;
    this.fanout = subscribers;
  }
}

/**
 * Totals of a switch (see {@link Switch.stats}); they only grow. The topic
 * totals are summed on each read from the per-topic counters (and those of
 * topics that are gone), so forwarding a message updates one counter, not
 * four.
 */
export class SwitchStats {
  /** TopicControl messages received. */
  controls = 0;
  /** Addressed messages delivered to the link reaching their address. */
  addressed = 0;
  /** Addressed messages dropped because no link reaches their address. */
  unroutable = 0;
  /** Message copies lost for one destination (no wire form for it). */
  dropped = 0;
  private retiredMessages = 0;
  private retiredBytes = 0;
  private retiredDeliveries = 0;

  /** @internal `topics`: the live per-topic counters of the switch. */
  constructor(private readonly topics: ReadonlyMap<unknown, TopicTally>) {}

  /** TopicData messages forwarded (counted once, however many subscribers got them). */
  get topicMessages(): number {
    let n = this.retiredMessages;
    for (const t of this.topics.values()) n += t.messages;
    return n;
  }

  /** Their encoded bytes, where known. */
  get topicBytes(): number {
    let n = this.retiredBytes;
    for (const t of this.topics.values()) n += t.bytes;
    return n;
  }

  /** TopicData copies handed to subscriber links. */
  get topicDeliveries(): number {
    let n = this.retiredDeliveries;
    for (const t of this.topics.values()) n += t.deliveries;
    return n;
  }

  /** @internal Keeps the counts of a topic whose counters the switch drops. */
  retire(t: TopicTally): void {
    this.retiredMessages += t.messages;
    this.retiredBytes += t.bytes;
    this.retiredDeliveries += t.deliveries;
  }
}
