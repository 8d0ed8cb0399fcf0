import { DecodeError, type Id, type PricedId } from '@streamtasks/link';
import { decodeValue, encodeValue, isCost, isId } from '@streamtasks/link/internal';
import { isNodeId } from './subjects.js';

/** Changes to the routes of one node (or, in a full state, everything it has). */
export interface RouteChanges {
  /** Topics the node now provides, with their cost at that node. */
  readonly provide: readonly PricedId[];
  readonly unprovide: readonly Id[];
  /** Addresses the node now reaches, with their cost at that node. */
  readonly reach: readonly PricedId[];
  readonly unreach: readonly Id[];
  /** Topics the node now requests, each from one provider node. */
  readonly request: ReadonlyArray<readonly [topic: Id, provider: string]>;
  readonly unrequest: readonly Id[];
}

/**
 * What a node publishes about itself. `seq` counts its changes: a receiver
 * that sees a gap asks for the full state.
 */
export type StateMessage =
  | { readonly kind: 'change'; readonly node: string; readonly seq: number; readonly changes: RouteChanges }
  | { readonly kind: 'full'; readonly node: string; readonly seq: number; readonly changes: RouteChanges }
  | { readonly kind: 'beat'; readonly node: string; readonly seq: number }
  | { readonly kind: 'bye'; readonly node: string; readonly seq: number };

export const NO_CHANGES: RouteChanges = { provide: [], unprovide: [], reach: [], unreach: [], request: [], unrequest: [] };

/**
 * Encodes a state message as one MessagePack map: `kind`, `node`, `seq` and,
 * for `change` and `full`, the flat arrays `provide` and `reach`
 * (`[id, cost, id, cost, …]`), `request` (`[topic, provider node, …]`) and
 * `unprovide`, `unreach`, `unrequest` (`[id, …]`).
 */
export function encodeState(message: StateMessage): Uint8Array {
  const out: Record<string, unknown> = { kind: message.kind, node: message.node, seq: message.seq };
  if (message.kind === 'change' || message.kind === 'full') {
    const c = message.changes;
    out.provide = c.provide.flatMap((p) => [p.id, p.cost]);
    out.unprovide = c.unprovide;
    out.reach = c.reach.flatMap((p) => [p.id, p.cost]);
    out.unreach = c.unreach;
    out.request = c.request.flatMap(([topic, provider]) => [topic, provider]);
    out.unrequest = c.unrequest;
  }
  return encodeValue(out);
}

/** Decodes and validates a state message; throws {@link DecodeError} for anything else. Unknown keys are ignored. */
export function decodeState(bytes: Uint8Array): StateMessage {
  const value = decodeValue(bytes);
  if (typeof value !== 'object' || value === null || value instanceof Map || Array.isArray(value) || value instanceof Uint8Array) {
    throw new DecodeError('a state message must be a map with string keys');
  }
  const v = value as Record<string, unknown>;
  const { kind, node, seq } = v;
  if (!isNodeId(node)) throw new DecodeError('state message without a valid node id');
  if (typeof seq !== 'number' || !Number.isSafeInteger(seq) || seq < 0) throw new DecodeError('state message without a valid seq');
  switch (kind) {
    case 'beat':
    case 'bye':
      return { kind, node, seq };
    case 'change':
    case 'full':
      return { kind, node, seq, changes: decodeChanges(v) };
    default:
      throw new DecodeError(`unknown state message kind ${JSON.stringify(kind)}`);
  }
}

function decodeChanges(v: Record<string, unknown>): RouteChanges {
  return {
    provide: pricedIds(v.provide, 'provide'),
    unprovide: ids(v.unprovide, 'unprovide'),
    reach: pricedIds(v.reach, 'reach'),
    unreach: ids(v.unreach, 'unreach'),
    request: requests(v.request),
    unrequest: ids(v.unrequest, 'unrequest'),
  };
}

function list(value: unknown, field: string, stride: number): unknown[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || value.length % stride !== 0) throw new DecodeError(`state field ${field} is not a list of ${stride === 1 ? 'ids' : 'pairs'}`);
  return value;
}

function ids(value: unknown, field: string): Id[] {
  const items = list(value, field, 1);
  for (const id of items) if (!isId(id)) throw new DecodeError(`state field ${field} holds an invalid id`);
  return items as Id[];
}

function pricedIds(value: unknown, field: string): PricedId[] {
  const items = list(value, field, 2);
  const out: PricedId[] = [];
  for (let i = 0; i < items.length; i += 2) {
    const id = items[i];
    const cost = items[i + 1];
    if (!isId(id) || !isCost(cost)) throw new DecodeError(`state field ${field} holds an invalid id or cost`);
    out.push({ id, cost });
  }
  return out;
}

function requests(value: unknown): Array<[Id, string]> {
  const items = list(value, 'request', 2);
  const out: Array<[Id, string]> = [];
  for (let i = 0; i < items.length; i += 2) {
    const topic = items[i];
    const provider = items[i + 1];
    if (!isId(topic) || !isNodeId(provider)) throw new DecodeError('state field request holds an invalid topic or node id');
    out.push([topic, provider]);
  }
  return out;
}
