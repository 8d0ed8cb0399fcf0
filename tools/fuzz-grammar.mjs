// Grammar-based MessagePack for the fuzzer: random *valid* values built as
// trees (so that they can be mutated structurally: nested deeper, a subtree
// swapped for another type, a length or a key corrupted), serialized by hand
// with every header width. Each generated value carries the features it uses
// on which this codec and msgpackr differ on purpose, so the differential
// check knows when the two must agree (64-bit integers are compared: msgpackr
// reads them exactly with `int64AsType: 'auto'`; its writer and its default
// reader are where it differs, tested in tools/fuzz.test.mjs):
//
//   proto      a `__proto__` key (kept as an own property here; msgpackr renames it)
//   badUtf8    invalid UTF-8 in a string (rejected here; msgpackr replaces it)
//   otherKey   a map key that is not a string (a `Map` here; msgpackr makes it a string)
//   ext        an extension type (rejected here; msgpackr decodes timestamps and fails others)

import { TextEncoder } from 'node:util';

const te = new TextEncoder();
const u16 = (n) => [(n >>> 8) & 0xff, n & 0xff];
const u32 = (n) => [(n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff];

/** A header for a string of `n` bytes: the smallest form, or sometimes a wider one. */
function strHeader(r, n) {
  const widths = [n < 32 && 'fix', n < 0x100 && 8, n < 0x10000 && 16, 32].filter(Boolean);
  const w = r.int(4) ? widths[0] : r.pick(widths);
  if (w === 'fix') return [0xa0 | n];
  if (w === 8) return [0xd9, n];
  if (w === 16) return [0xda, ...u16(n)];
  return [0xdb, ...u32(n)];
}

function binHeader(r, n) {
  const widths = [n < 0x100 && 8, n < 0x10000 && 16, 32].filter(Boolean);
  const w = r.int(4) ? widths[0] : r.pick(widths);
  if (w === 8) return [0xc4, n];
  if (w === 16) return [0xc5, ...u16(n)];
  return [0xc6, ...u32(n)];
}

function containerHeader(r, kind, n) {
  const fix = kind === 'array' ? 0x90 : 0x80;
  const [h16, h32] = kind === 'array' ? [0xdc, 0xdd] : [0xde, 0xdf];
  const widths = [n < 16 && 'fix', n < 0x10000 && 16, 32].filter(Boolean);
  const w = r.int(4) ? widths[0] : r.pick(widths);
  if (w === 'fix') return [fix | n];
  if (w === 16) return [h16, ...u16(n)];
  return [h32, ...u32(n)];
}

const KEYS = ['a', 'b', 'topic', 'data', 'id', 'cost', 'timestamp', '0', '1', '10', '-1', 'constructor', 'toString', 'hasOwnProperty', 'prototype', 'é', ''];

/** The UTF-8 bytes of a random string of `n` characters: mostly ASCII, some two-byte and some four-byte ones. */
function randomString(r, n) {
  const out = [];
  for (let i = 0; i < n; i++) {
    const k = r.int(10);
    if (k < 7) {
      out.push(32 + r.int(95));
    } else if (k < 9) {
      const c = 0xa0 + r.int(0x700); // U+00A0..U+079F: two bytes
      out.push(0xc0 | (c >> 6), 0x80 | (c & 0x3f));
    } else {
      const c = 0x10000 + r.int(0x1000); // U+10000..U+10FFF: four bytes
      out.push(0xf0 | (c >> 18), 0x80 | ((c >> 12) & 0x3f), 0x80 | ((c >> 6) & 0x3f), 0x80 | (c & 0x3f));
    }
  }
  return out;
}

/** Appends `bytes` to `out` (no spread: they can be long). */
function append(out, bytes) {
  for (let i = 0; i < bytes.length; i++) out.push(bytes[i]);
  return out;
}

const encodedKeys = new Map();
/** The UTF-8 bytes of one of the few fixed strings (keys), encoded once. */
function encodeKey(s) {
  let bytes = encodedKeys.get(s);
  if (bytes === undefined) encodedKeys.set(s, (bytes = te.encode(s)));
  return bytes;
}

/** A string leaf from a string or its UTF-8 bytes, sometimes (with `features`) made invalid UTF-8. */
function strLeaf(r, s, features) {
  let bytes = typeof s === 'string' ? encodeKey(s) : s;
  if (features && r.int(40) === 0) {
    // One byte that cannot be UTF-8 there: a lone continuation byte, an overlong lead, or 0xff.
    const at = r.int(bytes.length + 1);
    const bad = r.pick([0x80, 0xbf, 0xc0, 0xc1, 0xf5, 0xff]);
    bytes = [...bytes.slice(0, at), bad, ...bytes.slice(at)];
    features.add('badUtf8');
  }
  return { kind: 'leaf', bytes: append(strHeader(r, bytes.length), bytes) };
}

function intLeaf(r) {
  switch (r.int(9)) {
    case 0: return [r.int(0x80)];
    case 1: return [0xe0 | r.int(32)];
    case 2: return [0xcc, r.int(256)];
    case 3: return [0xcd, ...u16(r.int(0x10000))];
    case 4: return [0xce, ...u32(r.int(0x1_0000_0000))];
    case 5: return [0xd0, r.int(256)];
    case 6: return [0xd1, ...u16(r.int(0x10000))];
    case 7: return [0xd2, ...u32(r.int(0x1_0000_0000))];
    default: {
      // 64-bit forms: mostly within 2^53, sometimes beyond.
      const big = r.int(3) === 0;
      const hi = big ? 0x20_0000 + r.int(0xffe0_0000) : r.int(0x20_0000);
      const signed = r.int(2) === 0;
      if (signed && big) {
        // Negative beyond -2^53 (top bit set) or positive beyond 2^53.
        return [0xd3, ...u32(r.int(2) ? hi | 0x8000_0000 : hi & 0x7fff_ffff), ...u32(r.int(0x1_0000_0000))];
      }
      if (signed) {
        const neg = r.int(2) === 0;
        // A negative within 2^53: the two's complement of a small magnitude.
        return neg ? [0xd3, 0xff, 0xff, 0xff, 0xff, ...u32(r.int(0x1_0000_0000))] : [0xd3, ...u32(hi), ...u32(r.int(0x1_0000_0000))];
      }
      return [0xcf, ...u32(hi), ...u32(r.int(0x1_0000_0000))];
    }
  }
}

function leaf(r, features) {
  switch (r.int(10)) {
    case 0: return { kind: 'leaf', bytes: [r.pick([0xc0, 0xc2, 0xc3])] };
    case 1:
    case 2: return { kind: 'leaf', bytes: intLeaf(r) };
    case 3: {
      const f = new Float64Array([r.int(2) ? (r.next() - 0.5) * 10 ** r.int(20) : r.pick([0, -0, Infinity, -Infinity, NaN, 1e-310])]);
      return { kind: 'leaf', bytes: [0xcb, ...new Uint8Array(f.buffer).reverse()] };
    }
    case 4: return { kind: 'leaf', bytes: [0xca, ...Array.from({ length: 4 }, () => r.int(256))] };
    case 5:
    case 6: return strLeaf(r, randomString(r, r.int(4) ? r.int(12) : r.int(300)), features);
    case 7: {
      const n = r.int(4) ? r.int(16) : r.int(600);
      const bytes = binHeader(r, n);
      for (let i = 0; i < n; i++) bytes.push(r.int(256));
      return { kind: 'leaf', bytes };
    }
    case 8:
      if (r.int(6) === 0) {
        features.add('ext');
        const size = r.pick([1, 2, 4, 8, 16]);
        const fix = { 1: 0xd4, 2: 0xd5, 4: 0xd6, 8: 0xd7, 16: 0xd8 }[size];
        return { kind: 'leaf', bytes: r.int(2) ? [fix, r.int(256), ...Array(size).fill(0)] : [0xc7, size, r.int(256), ...Array(size).fill(0)] };
      }
      return { kind: 'leaf', bytes: [r.int(0x80)] };
    default: return strLeaf(r, r.pick(KEYS), features);
  }
}

/**
 * A random valid value as a tree; `features` collects what it uses (see the
 * top of this file). At most about `budget.nodes` nodes (400 by default).
 */
export function tree(r, features, depth = 0, budget = { nodes: 400 }) {
  // Containers get rarer with depth and stop at 8 levels (mutations nest deeper).
  const k = depth >= 8 || budget.nodes <= 0 ? 4 : r.int(depth > 3 ? 14 : 7);
  budget.nodes--;
  if (k >= 4) return leaf(r, features);
  const n = r.int(k === 3 ? 40 : 6);
  if (k % 2 === 0) return { kind: 'array', items: Array.from({ length: n }, () => tree(r, features, depth + 1, budget)) };
  const entries = [];
  for (let i = 0; i < n; i++) {
    let key;
    const pick = r.int(30);
    if (pick === 0) {
      key = strLeaf(r, '__proto__');
      features.add('proto');
    } else if (pick <= 2) {
      key = r.int(3) ? { kind: 'leaf', bytes: intLeaf(r) } : tree(r, features, depth + 1, budget);
      features.add('otherKey');
    } else {
      key = strLeaf(r, r.int(3) ? r.pick(KEYS) : randomString(r, r.int(8)), features);
    }
    entries.push([key, tree(r, features, depth + 1, budget)]);
  }
  return { kind: 'map', entries };
}

/** The bytes of a tree; `counts` overrides the element count a container announces (for corrupted lengths). */
export function serialize(r, node, out = []) {
  if (node.kind === 'leaf') {
    for (const b of node.bytes) out.push(b);
  } else if (node.kind === 'array') {
    out.push(...containerHeader(r, 'array', node.count ?? node.items.length));
    for (const item of node.items) serialize(r, item, out);
  } else {
    out.push(...containerHeader(r, 'map', node.count ?? node.entries.length));
    for (const [k, v] of node.entries) {
      serialize(r, k, out);
      serialize(r, v, out);
    }
  }
  return out;
}

function nodes(node, out = []) {
  out.push(node);
  if (node.kind === 'array') for (const item of node.items) nodes(item, out);
  if (node.kind === 'map') {
    for (const [k, v] of node.entries) {
      nodes(k, out);
      nodes(v, out);
    }
  }
  return out;
}

/**
 * Structural mutations of a tree, in place: nest a subtree deeper, swap one
 * for another of a different type, corrupt a container's length, corrupt a
 * key (a non-string, an invalid string, a duplicate), or cut a leaf short.
 */
export function mutateTree(r, root) {
  const features = new Set();
  for (let n = 1 + r.int(3); n > 0; n--) {
    const all = nodes(root);
    const node = all[r.int(all.length)];
    switch (r.int(6)) {
      case 0: {
        // Nest: wrap the node in arrays or maps, up to several hundred levels.
        const levels = r.int(4) ? 1 + r.int(4) : 100 + r.int(500);
        let inner = { ...node };
        for (let i = 0; i < levels; i++) inner = r.int(2) ? { kind: 'array', items: [inner] } : { kind: 'map', entries: [[r.int(3) ? strLeaf(r, 'a') : { kind: 'leaf', bytes: [0x01] }, inner], [{ kind: 'leaf', bytes: [0x01] }, { kind: 'leaf', bytes: [0xc0] }]] };
        Object.keys(node).forEach((k) => delete node[k]);
        Object.assign(node, inner);
        break;
      }
      case 1: {
        const other = tree(r, features);
        Object.keys(node).forEach((k) => delete node[k]);
        Object.assign(node, other);
        break;
      }
      case 2:
        if (node.kind !== 'leaf') node.count = r.pick([0, 1, (node.items ?? node.entries).length + 1, 0xffff, 0xffff_ffff, r.int(100)]);
        break;
      case 3:
        if (node.kind === 'map' && node.entries.length > 0) {
          const e = node.entries[r.int(node.entries.length)];
          e[0] = r.pick([
            { kind: 'leaf', bytes: [0xc0] },
            { kind: 'leaf', bytes: [0xa2, 0xc3, 0x28] },
            { kind: 'leaf', bytes: [0x93, 0x01, 0x02, 0x03] },
            node.entries[0][0],
          ]);
        }
        break;
      case 4:
        if (node.kind === 'leaf' && node.bytes.length > 1) node.bytes = node.bytes.slice(0, r.int(node.bytes.length));
        break;
      default:
        if (node.kind === 'leaf') node.bytes = [r.pick([0xc1, 0xd4, 0xc7, 0xdb, 0xdf, 0xdd])];
    }
  }
  return root;
}
