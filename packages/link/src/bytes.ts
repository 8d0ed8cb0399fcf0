/** Size of each shared slab small byte arrays are cut from. */
const SLAB_SIZE = 16 * 1024;
/** Arrays up to this size come from a slab; larger ones get their own buffer. */
export const MAX_POOLED = 2 * 1024;

let slab = new ArrayBuffer(SLAB_SIZE);
let used = 0;

/**
 * A new zero-filled byte array of `length` bytes. Small ones are cut from a
 * shared slab (as Node's `Buffer.allocUnsafe` does, but zeroed): V8 gives
 * every typed array above 64 bytes its own off-heap buffer, which costs
 * several times more than a view of an existing one. The array never shares
 * bytes with any other array returned here, but its `.buffer` is the whole
 * slab: always read it through the array (`byteOffset`, `byteLength`).
 */
export function allocBytes(length: number): Uint8Array {
  if (length > MAX_POOLED || length === 0) return new Uint8Array(length);
  if (used + length > SLAB_SIZE) {
    slab = new ArrayBuffer(SLAB_SIZE);
    used = 0;
  }
  const out = new Uint8Array(slab, used, length);
  used += length;
  return out;
}

/** A copy of `src[start, end)` in memory of its own (see {@link allocBytes}). */
export function copyBytes(src: Uint8Array, start: number, end: number): Uint8Array {
  const n = end - start;
  const out = allocBytes(n);
  if (n <= 16) {
    // A loop beats creating the subarray that `set` needs, for a few bytes.
    for (let i = 0; i < n; i++) out[i] = src[start + i]!;
  } else {
    out.set(src.subarray(start, end));
  }
  return out;
}

/**
 * A copy of bytes `[start, end)` of the concatenation of `parts`, in memory
 * of its own (see {@link allocBytes}): one pass, each byte copied once.
 */
export function joinBytes(parts: readonly Uint8Array[], start: number, end: number): Uint8Array {
  const out = allocBytes(end - start);
  let offset = 0; // where the current part starts in the concatenation
  let at = 0;
  for (let i = 0; i < parts.length && offset < end; i++) {
    const p = parts[i]!;
    const from = Math.max(start - offset, 0);
    const to = Math.min(end - offset, p.length);
    if (from < to) {
      out.set(from === 0 && to === p.length ? p : p.subarray(from, to), at);
      at += to - from;
    }
    offset += p.length;
  }
  return out;
}

/** The number of bytes in all of `parts`. */
export function totalLength(parts: readonly Uint8Array[]): number {
  let n = 0;
  for (let i = 0; i < parts.length; i++) n += parts[i]!.length;
  return n;
}
