import { toId, type Id } from '@streamtasks/link';
import { ValidationError } from './errors.js';

/**
 * Checks an untrusted value (a decoded payload) and returns it typed, or
 * throws {@link ValidationError}. `path` names the value in the error
 * (default `"body"`).
 */
export type Check<T> = (value: unknown, path?: string) => T;

/** The type a {@link Check} returns. */
export type Infer<C> = C extends Check<infer T> ? T : never;

/** The argument of {@link check.object}: a {@link Check} per key. */
export type Shape = Record<string, Check<unknown>>;

/** The type {@link check.object} returns for a {@link Shape}: each key's checked type. */
export type ObjectOf<S extends Shape> = { [K in keyof S]: Infer<S[K]> };

function isPlainRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    && !(value instanceof Uint8Array) && !(value instanceof Map);
}

const unknownCheck: Check<unknown> = (value) => value;

/**
 * Small composable body checks for route handlers (and for answers, see
 * `fetchAs`). Objects ignore keys they do not list; integers are safe
 * `number`s; ids accept `number` or `bigint` and come back in canonical form.
 *
 * @example
 * ```ts
 * const Body = check.object({ count: check.integer({ min: 1 }), name: check.optional(check.string()) });
 * server.route('make', { validate: Body }, ({ body }) => make(body.count, body.name));
 * ```
 */
export const check = {
  /** Accepts anything. */
  unknown(): Check<unknown> {
    return unknownCheck;
  },

  string(): Check<string> {
    return (value, path = 'body') => {
      if (typeof value !== 'string') throw new ValidationError(path, 'a string');
      return value;
    };
  },

  boolean(): Check<boolean> {
    return (value, path = 'body') => {
      if (typeof value !== 'boolean') throw new ValidationError(path, 'a boolean');
      return value;
    };
  },

  /** A safe integer, optionally within `[min, max]`. */
  integer(range: { min?: number; max?: number } = {}): Check<number> {
    const { min = Number.MIN_SAFE_INTEGER, max = Number.MAX_SAFE_INTEGER } = range;
    const expected = range.min === undefined && range.max === undefined ? 'an integer'
      : range.max === undefined ? `an integer >= ${min}`
        : range.min === undefined ? `an integer <= ${max}`
          : `an integer from ${min} to ${max}`;
    return (value, path = 'body') => {
      if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max) {
        throw new ValidationError(path, expected);
      }
      return value;
    };
  },

  /** A topic id or address: an unsigned integer below 2^64 (`number` or `bigint`). */
  id(): Check<Id> {
    return (value, path = 'body') => {
      if (typeof value === 'number' || typeof value === 'bigint') {
        try {
          return toId(value);
        } catch {
          // reported below
        }
      }
      throw new ValidationError(path, 'an unsigned integer below 2^64');
    };
  },

  /** An array whose items all pass `item`; at most `maxLength` items. */
  array<T>(item: Check<T>, options: { maxLength?: number } = {}): Check<T[]> {
    const maxLength = options.maxLength ?? Infinity;
    return (value, path = 'body') => {
      if (!Array.isArray(value)) throw new ValidationError(path, 'an array');
      if (value.length > maxLength) throw new ValidationError(path, `at most ${maxLength} items`);
      return value.map((v, i) => item(v, `${path}[${i}]`));
    };
  },

  /** A map with string keys holding (at least) the listed fields. */
  object<S extends Shape>(shape: S): Check<ObjectOf<S>> {
    const keys = Object.keys(shape);
    return (value, path = 'body') => {
      if (!isPlainRecord(value)) throw new ValidationError(path, 'a map');
      const out: Record<string, unknown> = {};
      for (const key of keys) {
        const has = Object.prototype.hasOwnProperty.call(value, key);
        out[key] = shape[key]!(has ? value[key] : undefined, `${path}.${key}`);
      }
      return out as ObjectOf<S>;
    };
  },

  /** A map with string keys whose values all pass `item`. */
  record<T>(item: Check<T>): Check<Record<string, T>> {
    return (value, path = 'body') => {
      if (!isPlainRecord(value)) throw new ValidationError(path, 'a map');
      const out: Record<string, T> = {};
      for (const key of Object.keys(value)) {
        // defineProperty: a "__proto__" key stays an ordinary property.
        Object.defineProperty(out, key, { value: item(value[key], `${path}.${key}`), enumerable: true, writable: true, configurable: true });
      }
      return out;
    };
  },

  /** `undefined` (a missing field) or a value that passes `inner`. */
  optional<T>(inner: Check<T>): Check<T | undefined> {
    return (value, path) => (value === undefined ? undefined : inner(value, path));
  },

  /** `null` (MessagePack nil) or a value that passes `inner`. A missing field counts as `null`. */
  nullable<T>(inner: Check<T>): Check<T | null> {
    return (value, path) => (value === null || value === undefined ? null : inner(value, path));
  },
} as const;
