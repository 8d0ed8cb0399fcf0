// Whether an answer certainly has a MessagePack form, judged by its shape
// alone. A fetch server must know before it sends: an answer that cannot be
// encoded would otherwise be dropped by the first serialized link on the way
// (a switch forwards it from an in-process link, the requester waits for its
// timeout) instead of being answered as an error. Encoding every answer at
// once tells, but costs more than the rest of an in-process round trip; the
// shapes answers have (plain objects, arrays, strings, numbers, bytes) are
// vouched for here without writing a byte, and anything else is still
// encoded at once by the caller.

/** Nesting beyond which a value is left to the encoder (it allows far more, and catches cycles). */
const MAX_DEPTH = 32;

/**
 * True when `value` is made only of what the encoder always accepts: `null`,
 * `undefined`, booleans, numbers, strings, `Uint8Array`s, arrays and plain
 * objects (prototype `Object.prototype` or `null`) of those. False means
 * "not known", not "cannot be encoded".
 */
export function surelyEncodable(value: unknown, depth = 0): boolean {
  switch (typeof value) {
    case 'number':
    case 'string':
    case 'boolean':
    case 'undefined':
      return true;
    case 'object': {
      if (value === null || value instanceof Uint8Array) return true;
      if (depth >= MAX_DEPTH) return false;
      if (Array.isArray(value)) {
        for (let i = 0; i < value.length; i++) if (!surelyEncodable(value[i], depth + 1)) return false;
        return true;
      }
      const proto = Object.getPrototypeOf(value);
      if (proto !== Object.prototype && proto !== null) return false;
      const record = value as Record<string, unknown>;
      // for-in needs no key array; it may also visit inherited enumerable keys, which only makes it stricter.
      for (const key in record) if (!surelyEncodable(record[key], depth + 1)) return false;
      return true;
    }
    default:
      // bigint (range-checked by the encoder), symbol, function.
      return false;
  }
}
