import type { Id } from '@streamtasks/link';
import { DISCOVERY_ADDRESS, Topics, validateAddressName, type Client } from '@streamtasks/client';
import { FetchRequestError, type FetchServer } from '@streamtasks/fetch';
import type { SignalServer } from '@streamtasks/signal';
import type { BroadcastingServer } from '@streamtasks/broadcast';
import { ADDRESS_NAME_REGISTERED, Bodies, DiscoveryDescriptors as D, DiscoverySignals as S } from './protocol.js';
import type { DiscoveryState, TopicSpace } from './state.js';

/** The services a discovery route may use. */
export interface RouteContext {
  readonly client: Client;
  readonly state: DiscoveryState;
  readonly broadcasts: BroadcastingServer;
}

/**
 * Whether the address holding a name can still be reached: discovery's link
 * knows a route to it. Address 0 (discovery itself) is always reachable.
 */
function isReachable(ctx: RouteContext, address: Id): boolean {
  return address === DISCOVERY_ADDRESS || ctx.client.link.addresses.has(address);
}

/**
 * Drops every name `address` holds and announces each release, so caches
 * that follow the announcements forget them. Called when the network
 * withdraws the address (its holder closed its link, crashed or moved).
 */
export function releaseNamesOf(ctx: RouteContext, address: Id): void {
  for (const [name, holder] of [...ctx.state.names]) {
    if (holder !== address) continue;
    ctx.state.names.delete(name);
    announceName(ctx, name, null);
  }
}

function topicSpaceAnswer(space: TopicSpace): { id: Id; topic_id_map: Array<[Id, Id]> } {
  return { id: space.id, topic_id_map: [...space.map] };
}

function checkedName(name: string): string {
  try {
    return validateAddressName(name);
  } catch (cause) {
    throw FetchRequestError.badRequest((cause as Error).message, { cause });
  }
}

/** Announces a name's (new) address — nil when it was removed — so every cache can follow. */
function announceName(ctx: RouteContext, name: string, address: Id | null): void {
  ctx.broadcasts.broadcast(ADDRESS_NAME_REGISTERED, { address_name: name, address });
}

/** Installs the fetch routes of discovery (SPEC §8) on `server`. */
export function installFetchRoutes(server: FetchServer, ctx: RouteContext): void {
  const { state } = ctx;
  server
    .route(D.REQUEST_TOPICS, { validate: Bodies.count }, ({ body }) => ({ topics: state.allocateTopics(body.count) }))
    .route(D.REQUEST_ADDRESSES, { validate: Bodies.count }, ({ body }) => ({ addresses: state.allocateAddresses(body.count) }))
    .route(D.RESOLVE_ADDRESS_NAME, { validate: Bodies.addressName }, ({ body }) => ({
      address: state.names.get(body.address_name) ?? null,
    }))
    .route(D.REGISTER_ADDRESS_NAME, { validate: Bodies.registerAddressName }, ({ body, returnAddress }) => {
      const name = checkedName(body.address_name);
      const holder = state.names.get(name);
      // A name moves only when its holder asks, when the holder is gone, or when the
      // registration says `replace`: a second service never takes it silently.
      if (
        body.address !== null && holder !== undefined && holder !== body.address && holder !== returnAddress
        && body.replace !== true && isReachable(ctx, holder)
      ) {
        throw FetchRequestError.badRequest(
          `address name ${JSON.stringify(name)} is held by address ${String(holder)}, which is reachable; `
          + 'unregister it first or register with replace',
        );
      }
      if (body.address === null) state.names.delete(name);
      else state.names.set(name, body.address);
      announceName(ctx, name, body.address);
    })
    .route(D.LIST_ADDRESS_NAMES, () => ({ address_names: [...state.names] }))
    .route(D.REGISTER_TOPIC_SPACE, { validate: Bodies.registerTopicSpace }, ({ body }) =>
      topicSpaceAnswer(state.registerTopicSpace(body.topic_ids)))
    .route(D.GET_TOPIC_SPACE, { validate: Bodies.topicSpaceId }, ({ body }) => {
      const space = state.topicSpaces.get(body.id);
      if (!space) throw FetchRequestError.notFound(String(body.id));
      return topicSpaceAnswer(space);
    })
    .route(D.GET_TOPIC_SPACE_TRANSLATION, { validate: Bodies.translationRequest }, ({ body }) => {
      const space = state.topicSpaces.get(body.topic_space_id);
      if (!space) throw FetchRequestError.notFound(String(body.topic_space_id));
      const topic = space.map.get(body.topic_id);
      if (topic === undefined) throw FetchRequestError.notFound(String(body.topic_id));
      return { topic_id: topic };
    })
    .route(D.DELETE_TOPIC_SPACE, { validate: Bodies.topicSpaceId }, ({ body }) => {
      if (!state.topicSpaces.delete(body.id)) throw FetchRequestError.badRequest(String(body.id));
      return 'OK';
    });
}

/** Installs the signal routes of discovery on `server`. */
export function installSignalRoutes(server: SignalServer, ctx: RouteContext): void {
  const { state, client } = ctx;
  server
    .route(S.REQUEST_ADDRESSES, { validate: Bodies.signalAddressRequest }, (body) => {
      const addresses = state.allocateAddresses(body.count);
      client.sendToTopic(Topics.ADDRESSES_CREATED, { addresses, request_id: body.request_id });
    })
    .route(S.UNREGISTER_ADDRESS_NAME, { validate: Bodies.addressName }, (body) => {
      if (state.names.delete(body.address_name)) announceName(ctx, body.address_name, null);
    });
}
