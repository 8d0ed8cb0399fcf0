import { toId, type Id, type WaitOptions } from '@streamtasks/link';
import { boundedWait } from '@streamtasks/link/internal';
import { ClientStoppedError, DISCOVERY_ADDRESS, Ports, Topics, type Client } from '@streamtasks/client';
import { InvalidResponseError, fetchAs } from '@streamtasks/fetch';
import { sendSignal } from '@streamtasks/signal';
import { Bodies, DiscoveryDescriptors, DiscoverySignals, tryCheck } from './protocol.js';
import { DEFAULT_WAIT_TIMEOUT, failWithoutDiscovery } from './wait.js';

const DISCOVERY_FETCH = [DISCOVERY_ADDRESS, Ports.FETCH] as const;
const DISCOVERY_SIGNAL = [DISCOVERY_ADDRESS, Ports.SIGNAL] as const;

/** A random unsigned 64-bit request id. */
export function randomRequestId(): bigint {
  return globalThis.crypto.getRandomValues(new BigUint64Array(1))[0]!;
}

function expectCount(ids: Id[], count: number, what: string): Id[] {
  if (ids.length !== count) throw new InvalidResponseError(`discovery returned ${ids.length} ${what} instead of ${count}`);
  return ids;
}

/**
 * Asks discovery for `count` fresh addresses. A client without an address
 * sends the signal `request_addresses` — as soon as its link knows a route
 * to discovery and to topic 1 — and waits for the answer on topic 1
 * (bounded by `options`, default 10 s); a client with an address uses the
 * fetch `request_addresses`. Either way, when the client's link has heard
 * of no discovery (neither address 0 nor the lighthouse topic 0) within its
 * route grace period (`client.routeGrace`, 500 ms by default), the request
 * fails with `NoDiscoveryError`.
 */
export async function requestAddresses(client: Client, count: number, options?: WaitOptions): Promise<Id[]> {
  if (client.address !== undefined) {
    const answer = await fetchAs(client, DISCOVERY_FETCH, DiscoveryDescriptors.REQUEST_ADDRESSES, { count }, Bodies.addresses, options);
    return expectCount(answer.addresses, count, 'addresses');
  }
  return expectCount(await requestAddressesBySignal(client, count, options), count, 'addresses');
}

function requestAddressesBySignal(client: Client, count: number, options?: WaitOptions): Promise<Id[]> {
  if (!client.isRunning) return Promise.reject(new ClientStoppedError());
  const requestId = randomRequestId();
  const what = `${count} address(es) from discovery (request ${requestId}, answered on topic ${Topics.ADDRESSES_CREATED})`;
  return boundedWait<Id[]>(what, options, (resolve, reject) => {
    const offListen = client.listenTopic(Topics.ADDRESSES_CREATED, {
      data: (data) => {
        let value: unknown;
        try {
          value = data.value;
        } catch {
          return; // not ours to report: the client reports undecodable payloads it cannot route
        }
        const answer = tryCheck(Bodies.addressesCreated, value);
        if (answer && BigInt(answer.request_id) === requestId) resolve(answer.addresses);
      },
    });
    const offStop = client.onStop(reject);
    client.registerInTopics([Topics.ADDRESSES_CREATED]);
    // The signal is a datagram: sent before the link knows a route to discovery and to
    // the answer topic (a link that has just connected), it would be lost. Send it once both are known.
    let sent = false;
    const sendOnceRouted = () => {
      if (sent || !client.link.addresses.has(DISCOVERY_ADDRESS) || client.topicCost(Topics.ADDRESSES_CREATED) === undefined) return;
      sent = true;
      offRoutes();
      sendSignal(client, DISCOVERY_SIGNAL, DiscoverySignals.REQUEST_ADDRESSES, { count, request_id: requestId }).catch(reject);
    };
    const offRoutes = client.addReceiver(sendOnceRouted);
    sendOnceRouted();
    // Without an address the client cannot be answered by fetch, so no route wait of a
    // fetch tells it that discovery is missing: the lighthouse routes do, after the same grace.
    const offGrace = failWithoutDiscovery(client, reject);
    return () => {
      offGrace();
      offRoutes();
      offListen();
      offStop();
      if (!client.link.isClosed) client.unregisterInTopics([Topics.ADDRESSES_CREATED]);
    };
  }, DEFAULT_WAIT_TIMEOUT);
}

export interface RequestAddressOptions extends WaitOptions {
  /** Make the new address the client's own (default true). */
  setAddress?: boolean;
}

/** Asks discovery for one fresh address and (by default) gives it to the client. */
export async function requestAddress(client: Client, options: RequestAddressOptions = {}): Promise<Id> {
  const [address] = await requestAddresses(client, 1, options);
  if (options.setAddress ?? true) client.setAddress(address!);
  return address!;
}

export interface RequestTopicIdsOptions extends WaitOptions {
  /** Register the new topics as the client's out-topics (default false). */
  provide?: boolean;
}

/** Asks discovery (fetch `request_topics`; the client needs an address) for `count` fresh topic ids. */
export async function requestTopicIds(client: Client, count: number, options: RequestTopicIdsOptions = {}): Promise<Id[]> {
  const { timeout, signal } = options;
  const answer = await fetchAs(client, DISCOVERY_FETCH, DiscoveryDescriptors.REQUEST_TOPICS, { count }, Bodies.topics, { timeout, signal });
  const topics = expectCount(answer.topics.map((t) => toId(t)), count, 'topic ids');
  if (options.provide) client.registerOutTopics(topics);
  return topics;
}
