import type { Id } from '@streamtasks/link';
import { ValidationError, check, type Check } from '@streamtasks/fetch';

/** Fetch descriptors of the discovery service (port 100). */
export const DiscoveryDescriptors = {
  REQUEST_TOPICS: 'request_topics',
  REQUEST_ADDRESSES: 'request_addresses',
  RESOLVE_ADDRESS_NAME: 'resolve_address_name',
  REGISTER_ADDRESS_NAME: 'register_address_name',
  REGISTER_TOPIC_SPACE: 'register_topic_space',
  GET_TOPIC_SPACE: 'get_topic_space',
  GET_TOPIC_SPACE_TRANSLATION: 'get_topic_space_translation',
  DELETE_TOPIC_SPACE: 'delete_topic_space',
  /** `{}` → `{address_names: [[name, address], ...]}`; not in the Python discovery. */
  LIST_ADDRESS_NAMES: 'list_address_names',
} as const;

/** Signal descriptors of the discovery service (port 103). */
export const DiscoverySignals = {
  /** `{count, request_id}`; the answer `{addresses, request_id}` is published on topic 1. */
  REQUEST_ADDRESSES: 'request_addresses',
  /** `{address_name}`. */
  UNREGISTER_ADDRESS_NAME: 'unregister_address_name',
} as const;

/** Broadcast namespace of name registrations: `{address_name, address}` (`address` nil when removed). */
export const ADDRESS_NAME_REGISTERED = 'address-name/registered';

/** First address handed out by discovery. */
export const ADDRESS_COUNTER_START = 10_000;
/** First topic id handed out by discovery. */
export const TOPIC_COUNTER_START = 100_000;
/** First topic space id. */
export const TOPIC_SPACE_COUNTER_START = 1;
/** Most addresses, topic ids or topic-space entries one request may ask for. */
export const MAX_IDS_PER_REQUEST = 10_000;

const count = check.integer({ min: 0, max: MAX_IDS_PER_REQUEST });
const ids = check.array(check.id(), { maxLength: MAX_IDS_PER_REQUEST });

/** A `[from, to]` pair of a topic space map. */
const idPair: Check<[Id, Id]> = (value, path = 'body') => {
  const pair = check.array(check.id())(value, path);
  if (pair.length !== 2) throw new ValidationError(path, 'a pair of ids');
  return [pair[0]!, pair[1]!];
};

/** A `[name, address]` pair of a name list. */
const namePair: Check<[string, Id]> = (value, path = 'body') => {
  if (!Array.isArray(value) || value.length !== 2) throw new ValidationError(path, 'a [name, address] pair');
  return [check.string()(value[0], `${path}[0]`), check.id()(value[1], `${path}[1]`)];
};

export const Bodies = {
  count: check.object({ count }),
  signalAddressRequest: check.object({ count, request_id: check.id() }),
  addresses: check.object({ addresses: ids }),
  addressesCreated: check.object({ addresses: ids, request_id: check.id() }),
  topics: check.object({ topics: ids }),
  addressName: check.object({ address_name: check.string() }),
  registerAddressName: check.object({
    address_name: check.string(),
    address: check.nullable(check.id()),
    /** Not sent by Python clients: take a name another reachable address holds. */
    replace: check.optional(check.boolean()),
  }),
  resolvedAddress: check.object({ address: check.nullable(check.id()) }),
  nameAnnouncement: check.object({ address_name: check.string(), address: check.nullable(check.id()) }),
  topicSpaceId: check.object({ id: check.id() }),
  registerTopicSpace: check.object({ topic_ids: ids }),
  topicSpace: check.object({ id: check.id(), topic_id_map: check.array(idPair) }),
  translationRequest: check.object({ topic_space_id: check.id(), topic_id: check.id() }),
  translation: check.object({ topic_id: check.id() }),
  nameList: check.object({ address_names: check.array(namePair) }),
} as const;

/** Runs a check, returning undefined instead of throwing. */
export function tryCheck<T>(validate: Check<T>, value: unknown): T | undefined {
  try {
    return validate(value);
  } catch {
    return undefined;
  }
}
