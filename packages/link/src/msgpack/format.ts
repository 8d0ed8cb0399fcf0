/**
 * The first bytes of MessagePack's formats that the message codec writes or
 * recognises by name (the full table is in the MessagePack specification,
 * https://github.com/msgpack/msgpack/blob/master/spec.md#formats). A "fix"
 * format carries its small length or value in the low bits of this byte.
 */

/** 0x00–0x7f: positive fixint, the value itself (0–127). */
export const POSITIVE_FIXINT_END = 0x80;
/** 0x80–0x8f: fixmap, up to 15 entries in the low 4 bits. */
export const FIXMAP = 0x80;
/** Most entries of a fixmap and elements of a fixarray (their low 4 bits). */
export const FIXCONTAINER_MAX = 0x0f;
/** 0x90–0x9f: fixarray, up to 15 elements in the low 4 bits. */
export const FIXARRAY = 0x90;
/** 0xa0–0xbf: fixstr, up to 31 bytes in the low 5 bits. */
export const FIXSTR = 0xa0;
/** Longest string a fixstr holds. */
export const FIXSTR_MAX = 0x1f;
/** 0xe0–0xff: negative fixint (-32 to -1). */
export const NEGATIVE_FIXINT = 0xe0;

export const NIL = 0xc0;
export const FALSE = 0xc2;
export const TRUE = 0xc3;
/** bin with a 1-, 2- or 4-byte length. */
export const BIN8 = 0xc4;
export const BIN16 = 0xc5;
export const BIN32 = 0xc6;
/** float32, float64. */
export const FLOAT32 = 0xca;
export const FLOAT64 = 0xcb;
/** Unsigned integers of 1, 2, 4 and 8 bytes. */
export const UINT8 = 0xcc;
export const UINT16 = 0xcd;
export const UINT32 = 0xce;
export const UINT64 = 0xcf;
/** Signed integers of 1 to 8 bytes (0xd0–0xd3). */
export const INT8 = 0xd0;
export const INT64 = 0xd3;
/** str with a 1-byte length. */
export const STR8 = 0xd9;
/** array and map with a 2- or 4-byte length. */
export const ARRAY16 = 0xdc;
export const ARRAY32 = 0xdd;
export const MAP16 = 0xde;
export const MAP32 = 0xdf;
