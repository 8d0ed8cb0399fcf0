import { FIXMAP, FIXSTR } from '../msgpack/format.js';

/**
 * The message keys as MessagePack fixstr bytes: the encoder writes them
 * without encoding the strings each time, and the decoder's fast path
 * compares them byte by byte.
 */
const key = (s: string) => Uint8Array.from([FIXSTR | s.length, ...Array.from(s, (c) => c.charCodeAt(0))]);

export const K_TOPIC = key('topic');
export const K_DATA = key('data');
export const K_PAUSED = key('paused');
export const K_ADDRESS = key('address');
export const K_PORT = key('port');
export const K_ADD = key('add');
export const K_REMOVE = key('remove');
export const K_ID = key('id');
export const K_COST = key('cost');
/** The message type's key (`_id`): written last, as Python peers write it. */
export const K_TYPE = key('_id');

/** A fixmap header of `entries` entries (every message map has at most 4). */
export const fixmap = (entries: number): number => FIXMAP | entries;
