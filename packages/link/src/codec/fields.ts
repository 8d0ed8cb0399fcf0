import { isCost, type Id, type PricedId } from '../ids.js';
import type { MsgpackReader } from '../msgpack/decoder.js';
import {
  ARRAY16, ARRAY32, BIN16, BIN32, BIN8, FALSE, FIXARRAY, FIXCONTAINER_MAX, FIXMAP, FIXSTR, FIXSTR_MAX, FLOAT32, INT64, MAP16, MAP32,
  NEGATIVE_FIXINT, POSITIVE_FIXINT_END, STR8, TRUE, UINT16, UINT32, UINT64, UINT8,
} from '../msgpack/format.js';
import { RawData } from '../raw-data.js';

/** Depth of the values inside an `add` entry (message map, add array, entry map): for the depth limit. */
const PRICED_ID_DEPTH = 3;
/** Depth of a field value (inside the message map): for the depth limit. */
export const FIELD_DEPTH = 1;

// The readers of the message fields. Each one looks at the first byte of its
// value and rejects any other type there and then: nothing is decoded to find
// out what a value is, so a hostile value costs one byte, whatever its shape.

export function readMapHeader(r: MsgpackReader, what: string): number {
  const b = r.u8();
  if (b >= FIXMAP && b <= FIXMAP + FIXCONTAINER_MAX) return b & FIXCONTAINER_MAX;
  if (b === MAP16) return r.u16();
  if (b === MAP32) return r.u32();
  r.pos--;
  return r.fail(`${what} is not a map`);
}

export function readArrayHeader(r: MsgpackReader, what: string): number {
  const b = r.u8();
  let n: number;
  if (b >= FIXARRAY && b <= FIXARRAY + FIXCONTAINER_MAX) n = b & FIXCONTAINER_MAX;
  else if (b === ARRAY16) n = r.u16();
  else if (b === ARRAY32) n = r.u32();
  else {
    r.pos--;
    return r.fail(`${what} is not an array`);
  }
  if (n > r.end - r.pos) r.fail(`${what} has more elements than the input has bytes`);
  return n;
}

export function readKey(r: MsgpackReader): string {
  const b = r.u8();
  if (b >= FIXSTR && b <= FIXSTR + FIXSTR_MAX) return r.str(b & FIXSTR_MAX);
  if (b === STR8) return r.str(r.u8());
  r.pos--;
  return r.fail('message key is not a short string');
}

export function readUint(r: MsgpackReader, what: string): number | bigint {
  const b = r.u8();
  if (b < POSITIVE_FIXINT_END) return b;
  switch (b) {
    case UINT8: return r.u8();
    case UINT16: return r.u16();
    case UINT32: return r.u32();
    case UINT64: return r.u64();
  }
  r.pos--;
  return r.fail(`${what} is not an unsigned integer`);
}

/** An id (topic or address): an unsigned 64-bit integer. */
export function readId(r: MsgpackReader, what: string): Id {
  return readUint(r, what);
}

export function readPort(r: MsgpackReader): number {
  const port = readUint(r, 'port');
  if (typeof port !== 'number') r.fail('port out of range');
  return port as number;
}

export function readCost(r: MsgpackReader): number {
  const cost = readUint(r, 'cost');
  if (!isCost(cost)) r.fail(`cost ${String(cost)} out of range`);
  return cost as number;
}

export function readBool(r: MsgpackReader): boolean {
  const b = r.u8();
  if (b === TRUE) return true;
  if (b === FALSE) return false;
  // Python peers (pydantic) also take the numbers 0 and 1 as booleans. Only a
  // number is read to find out: a container, string or bin here is rejected
  // from its first byte, never decoded.
  r.pos--;
  if (!isNumberByte(b)) return r.fail('paused is not a boolean');
  const start = r.pos;
  const v = r.value(FIELD_DEPTH);
  if (v === 0 || v === 1) return v === 1;
  r.pos = start;
  return r.fail('paused is not a boolean');
}

/** True for the first byte of a MessagePack integer or float (fixints, float32 to int64). */
export function isNumberByte(b: number): boolean {
  return b < POSITIVE_FIXINT_END || b >= NEGATIVE_FIXINT || (b >= FLOAT32 && b <= INT64);
}

/**
 * Reads the `data` bin as a payload that refers to its range of the input:
 * no bytes are copied and no view is made until someone asks for them (a
 * switch forwarding the message sends its wire bytes and never does).
 */
export function readData(r: MsgpackReader): RawData {
  const b = r.u8();
  let n: number;
  if (b === BIN8) n = r.u8();
  else if (b === BIN16) n = r.u16();
  else if (b === BIN32) n = r.u32();
  else {
    r.pos--;
    return r.fail('data is not a bin');
  }
  r.need(n);
  const start = r.pos;
  r.pos = start + n;
  // A reader over bytes of their own (a received frame) lets the payload's bins be views of them.
  return RawData.fromRange(r.buf, start, start + n, r.binViews);
}

export function readIds(r: MsgpackReader, what: string): Id[] {
  const n = readArrayHeader(r, what);
  const out = new Array<Id>(n);
  for (let i = 0; i < n; i++) out[i] = readId(r, what);
  return out;
}

export function readPricedIds(r: MsgpackReader, what: string): PricedId[] {
  const n = readArrayHeader(r, what);
  const out = new Array<PricedId>(n);
  for (let i = 0; i < n; i++) {
    const size = readMapHeader(r, `${what} entry`);
    let id: Id | undefined;
    let cost: number | undefined;
    for (let j = 0; j < size; j++) {
      const k = readKey(r);
      if (k === 'id') id = readId(r, 'id');
      else if (k === 'cost') cost = readCost(r);
      else r.skip(PRICED_ID_DEPTH);
    }
    if (id === undefined || cost === undefined) r.fail(`${what} entry needs id and cost`);
    out[i] = { id: id!, cost: cost! };
  }
  return out;
}
