import type { Id, PricedId } from './ids.js';
import type { RawData } from './raw-data.js';

/**
 * Numeric message types. 0–5 travel on the wire as `_id`; the two `…Recv`
 * types exist only after a link received an announcement and applied its cost.
 */
export const MessageType = {
  TopicData: 0,
  TopicControl: 1,
  Addressed: 2,
  AddressesChanged: 3,
  InTopicsChanged: 4,
  OutTopicsChanged: 5,
  OutTopicsChangedRecv: 6,
  AddressesChangedRecv: 7,
} as const;
export type MessageType = (typeof MessageType)[keyof typeof MessageType];

/** A payload published on a topic. */
export class TopicDataMessage<T = unknown> {
  readonly type = MessageType.TopicData;
  /**
   * The bytes of this message, once it was decoded from them or encoded.
   * Messages are never modified, so a switch forwarding it to another
   * serialized link sends these bytes again instead of encoding the message
   * anew.
   */
  wire: Uint8Array | undefined = undefined;
  /**
   * The bytes of this message as the pieces of a large frame that arrived in
   * several socket reads, while {@link TopicDataMessage.wire} is not set: a
   * connection that can send a frame in pieces forwards them as they are,
   * never joined. @internal
   */
  wireParts: readonly Uint8Array[] | undefined = undefined;
  constructor(
    readonly topic: Id,
    readonly data: RawData<T>,
  ) {}
}

/** The state of a topic: paused or running. */
export class TopicControlMessage {
  readonly type = MessageType.TopicControl;
  constructor(
    readonly topic: Id,
    readonly paused: boolean,
  ) {}
}

/** A payload sent to one address and port. */
export class AddressedMessage<T = unknown> {
  readonly type = MessageType.Addressed;
  /** The bytes of this message, once it was decoded from them or encoded (see {@link TopicDataMessage.wire}). */
  wire: Uint8Array | undefined = undefined;
  /** See {@link TopicDataMessage.wireParts}. @internal */
  wireParts: readonly Uint8Array[] | undefined = undefined;
  constructor(
    readonly address: Id,
    readonly port: number,
    readonly data: RawData<T>,
  ) {}
}

/** The sender can now reach (`add`, with costs) or no longer reach (`remove`) these addresses. */
export class AddressesChangedMessage {
  readonly type = MessageType.AddressesChanged;
  /**
   * The bytes of this message, once it was encoded: a switch sends one
   * announcement to many links, and each serialized link sends these bytes
   * instead of encoding it anew (see {@link TopicDataMessage.wire}).
   */
  wire: Uint8Array | undefined = undefined;
  constructor(
    readonly add: readonly PricedId[],
    readonly remove: readonly Id[],
  ) {}
}

/** The sender now wants (`add`) or no longer wants (`remove`) these topics. */
export class InTopicsChangedMessage {
  readonly type = MessageType.InTopicsChanged;
  constructor(
    readonly add: readonly Id[],
    readonly remove: readonly Id[],
  ) {}
}

/** The sender now provides (`add`, with costs) or no longer provides (`remove`) these topics. */
export class OutTopicsChangedMessage {
  readonly type = MessageType.OutTopicsChanged;
  /**
   * The bytes of this message, once it was encoded: a switch sends one
   * announcement to many links, and each serialized link sends these bytes
   * instead of encoding it anew (see {@link TopicDataMessage.wire}).
   */
  wire: Uint8Array | undefined = undefined;
  constructor(
    readonly add: readonly PricedId[],
    readonly remove: readonly Id[],
  ) {}
}

/** A received {@link OutTopicsChangedMessage}: costs include the link's cost; removals carry their previous cost. */
export class OutTopicsChangedRecvMessage {
  readonly type = MessageType.OutTopicsChangedRecv;
  constructor(
    readonly add: readonly PricedId[],
    readonly remove: readonly PricedId[],
  ) {}
}

/** A received {@link AddressesChangedMessage}: costs include the link's cost; removals carry their previous cost. */
export class AddressesChangedRecvMessage {
  readonly type = MessageType.AddressesChangedRecv;
  constructor(
    readonly add: readonly PricedId[],
    readonly remove: readonly PricedId[],
  ) {}
}

/** The six messages that travel on the wire. */
export type WireMessage =
  | TopicDataMessage
  | TopicControlMessage
  | AddressedMessage
  | AddressesChangedMessage
  | InTopicsChangedMessage
  | OutTopicsChangedMessage;

/** Any message a link sends or delivers. */
export type Message = WireMessage | OutTopicsChangedRecvMessage | AddressesChangedRecvMessage;

/** Messages that carry a topic id and go to the topic's subscribers. */
export type TopicMessage = TopicDataMessage | TopicControlMessage;
