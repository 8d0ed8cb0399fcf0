/**
 * The bottom layer of the streamtasks network: the wire messages and their
 * codec, payloads ({@link RawData}), links and the {@link Switch} that routes
 * between them. Every other `@streamtasks/*` package builds on this one.
 *
 * @example
 * ```ts
 * import { Switch, createQueueLinkPair, TopicDataMessage, InTopicsChangedMessage,
 *   OutTopicsChangedMessage, RawData } from '@streamtasks/link';
 *
 * const hub = new Switch();
 * const [pubSide, pub] = createQueueLinkPair();
 * const [subSide, sub] = createQueueLinkPair({ serialize: true });
 * hub.addLink(pubSide);
 * hub.addLink(subSide);
 *
 * pub.send(new OutTopicsChangedMessage([{ id: 100, cost: 0 }], []));
 * sub.send(new InTopicsChangedMessage([100], []));
 * await pub.recv(); // the switch asks the provider for topic 100
 * pub.send(new TopicDataMessage(100, RawData.from({ timestamp: Date.now(), value: 1 })));
 * ```
 *
 * @packageDocumentation
 */
export { MAX_COST, MAX_ID, toId, type Id, type PricedId } from './ids.js';
export {
  AbortError,
  ConnectionClosedError,
  DecodeError,
  EncodeError,
  InvalidMessageError,
  SlowConsumerError,
  StreamtasksError,
  TimeoutError,
} from './errors.js';
export {
  AddressedMessage,
  AddressesChangedMessage,
  AddressesChangedRecvMessage,
  InTopicsChangedMessage,
  MessageType,
  OutTopicsChangedMessage,
  OutTopicsChangedRecvMessage,
  TopicControlMessage,
  TopicDataMessage,
  type Message,
  type TopicMessage,
  type WireMessage,
} from './messages.js';
export { RawData } from './raw-data.js';
export { decodeMessage } from './codec/decode.js';
export { encodeMessage } from './codec/encode.js';
export { MAX_DECODE_DEPTH } from './msgpack/decoder.js';
export { MAX_ENCODE_DEPTH } from './msgpack/encoder.js';
export { Emitter, type EventMap } from './emitter.js';
export type { WaitOptions } from './wait.js';
export { LinkStats, SwitchStats, WIRE_TYPE_COUNT, type TopicCounters } from './stats.js';
export { Link, type LinkEvents, type LinkOptions, type MessageReceiver } from './link.js';
export { QueueLink, createQueueLinkPair, type QueueLinkOptions } from './queue-link.js';
export { addLocalLink } from './local-link.js';
export { TopicRemappingLink } from './remapping-link.js';
export { Switch, type SwitchAddressInfo, type SwitchEvents, type SwitchOptions, type SwitchTopicInfo } from './switch.js';
