/**
 * Topic ids and addresses are unsigned 64-bit integers on the wire. In memory
 * an id is a `number` whenever it is a safe integer and a `bigint` only above
 * 2^53 - 1, so that one id has exactly one representation and can be used as
 * a `Map`/`Set` key. {@link toId} normalizes user input to that form.
 */
export type Id = number | bigint;

/** A topic id or address together with the cost of the route to it. */
export interface PricedId {
  readonly id: Id;
  readonly cost: number;
}

/** Largest unsigned 64-bit integer. */
export const MAX_ID = 0xffff_ffff_ffff_ffffn;

/**
 * Largest route cost accepted on receipt. Costs add up along a path, so they
 * are kept far below 2^53 (exact in a `number`) and sums saturate here.
 */
export const MAX_COST = 0xffff_ffff;

/** Returns the canonical form of an id, or throws a `RangeError`. */
export function toId(value: number | bigint): Id {
  if (typeof value === 'number') {
    if (Number.isSafeInteger(value) && value >= 0) return value;
    throw new RangeError(`invalid id ${value}: ids are unsigned integers below 2^64`);
  }
  if (typeof value === 'bigint' && value >= 0n && value <= MAX_ID) {
    return value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value;
  }
  throw new RangeError(`invalid id ${String(value)}: ids are unsigned integers below 2^64`);
}

/** True when `value` is an id in canonical form. */
export function isId(value: unknown): value is Id {
  if (typeof value === 'number') return Number.isSafeInteger(value) && value >= 0;
  return typeof value === 'bigint' && value > BigInt(Number.MAX_SAFE_INTEGER) && value <= MAX_ID;
}

/** True when `value` is a valid route cost (an integer from 0 to {@link MAX_COST}). */
export function isCost(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= MAX_COST;
}

/** Adds two costs without ever exceeding {@link MAX_COST}. */
export function addCost(a: number, b: number): number {
  const sum = a + b;
  return sum > MAX_COST ? MAX_COST : sum;
}
