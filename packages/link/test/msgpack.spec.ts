/**
 * Proves that the MessagePack codec writes exactly what Python's `msgpack`
 * writes (smallest integer form, uint64/int64 beyond 32 bits, float64 for
 * every float, str8 for 32–255 bytes) and reads it back exactly; msgpackr is
 * used as an independent oracle in both directions, over fixed boundary
 * cases and over seeded random nested values.
 */
import { isDeepStrictEqual } from 'node:util';
import { Packr, Unpackr } from 'msgpackr';
import { EncodeError, MAX_DECODE_DEPTH, MAX_ENCODE_DEPTH } from '@streamtasks/link';
import { MsgpackWriter, decodeValue, encodeValue } from '@streamtasks/link/internal';
import { below, fromHex, prng, toHex } from './helpers.js';

// 'auto' (number while safe, bigint beyond) is supported by msgpackr but missing from its typings.
const oracleOptions: unknown = { useRecords: false, mapsAsObjects: true, int64AsType: 'auto' };
const oracle = new Unpackr(oracleOptions as ConstructorParameters<typeof Unpackr>[0]);
const packr = new Packr({ useRecords: false });

/** Integers as one canonical type (bigint only beyond 2^53 - 1), bytes as plain Uint8Array. */
function canonical(value: unknown): unknown {
  if (typeof value === 'number' && Number.isInteger(value) && !Number.isSafeInteger(value)) return BigInt(value);
  if (typeof value === 'bigint' && value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER)) {
    return Number(value);
  }
  if (value instanceof Uint8Array) return Uint8Array.from(value);
  if (Array.isArray(value)) return value.map(canonical);
  if (value instanceof Map) return new Map([...value].map(([k, v]) => [canonical(k), canonical(v)]));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = canonical(v);
    return out;
  }
  return value;
}

/** Deep equality that is fast on big values; falls back to `toEqual` for a readable diff. */
function expectSame(actual: unknown, expected: unknown): void {
  if (!isDeepStrictEqual(actual, expected)) expect(actual).toEqual(expected);
}

// [value, hex Python's msgpack.packb writes for it]
const integers: Array<[number | bigint, string]> = [
  [0, '00'],
  [1, '01'],
  [127, '7f'],
  [128, 'cc80'],
  [255, 'ccff'],
  [256, 'cd0100'],
  [65535, 'cdffff'],
  [65536, 'ce00010000'],
  [2 ** 32 - 1, 'ceffffffff'],
  [2 ** 32, 'cf0000000100000000'],
  [1099511627781, 'cf0000010000000005'],
  [2 ** 53 - 1, 'cf001fffffffffffff'],
  [2n ** 53n, 'cf0020000000000000'],
  [2n ** 63n, 'cf8000000000000000'],
  [2n ** 64n - 1n, 'cfffffffffffffffff'],
  [-1, 'ff'],
  [-32, 'e0'],
  [-33, 'd0df'],
  [-128, 'd080'],
  [-129, 'd1ff7f'],
  [-32768, 'd18000'],
  [-32769, 'd2ffff7fff'],
  [-(2 ** 31), 'd280000000'],
  [-(2 ** 31) - 1, 'd3ffffffff7fffffff'],
  [-123456789012, 'd3ffffffe34166e5ec'],
  [-(2 ** 53) + 1, 'd3ffe0000000000001'],
  [-(2n ** 53n), 'd3ffe0000000000000'],
  [-(2n ** 63n), 'd38000000000000000'],
];

describe('integers', () => {
  test.each(integers)('%p encodes as %s and decodes back exactly', (value, hex) => {
    const bytes = encodeValue(value);
    expect(toHex(bytes)).toBe(hex);
    expect(decodeValue(bytes)).toEqual(canonical(value));
    expect(canonical(oracle.unpack(bytes))).toEqual(canonical(value));
  });

  test('bigints in the safe range encode like numbers and decode as numbers', () => {
    expect(toHex(encodeValue(5n))).toBe('05');
    expect(toHex(encodeValue(-40n))).toBe('d0d8');
    expect(decodeValue(encodeValue(2n ** 32n))).toBe(2 ** 32);
  });

  test('integral numbers beyond 2^53 are sent as 64-bit integers, as Python sends ints', () => {
    expect(toHex(encodeValue(2 ** 60))).toBe('cf1000000000000000');
    expect(toHex(encodeValue(-(2 ** 60)))).toBe('d3f000000000000000');
  });

  test('non-canonical integer forms decode to the same value', () => {
    expect(decodeValue(fromHex('cc05'))).toBe(5);
    expect(decodeValue(fromHex('cd0005'))).toBe(5);
    expect(decodeValue(fromHex('d3fffffffffffffffb'))).toBe(-5);
    expect(decodeValue(fromHex('cf0000000000000007'))).toBe(7);
  });

  test('integers beyond 64 bits cannot be encoded', () => {
    expect(() => encodeValue(2n ** 64n)).toThrow(EncodeError);
    expect(() => encodeValue(-(2n ** 63n) - 1n)).toThrow(EncodeError);
  });
});

describe('floats', () => {
  test.each([
    [1.5, 'cb3ff8000000000000'],
    [-2.5, 'cbc004000000000000'],
    [0.1, 'cb3fb999999999999a'],
    [Infinity, 'cb7ff0000000000000'],
    [-Infinity, 'cbfff0000000000000'],
    [2 ** 64, 'cb43f0000000000000'],
    [1e300, 'cb7e37e43c8800759c'],
  ])('%p is always a float64', (value, hex) => {
    expect(toHex(encodeValue(value))).toBe(hex);
    expect(decodeValue(fromHex(hex))).toBe(value);
  });

  test('-0 stays a float, so it round-trips as Python writes -0.0', () => {
    expect(toHex(encodeValue(-0))).toBe('cb8000000000000000');
    expect(Object.is(decodeValue(fromHex('cb8000000000000000')), -0)).toBe(true);
    expect(toHex(encodeValue(0))).toBe('00');
  });

  test('NaN round-trips', () => {
    expect(encodeValue(NaN)[0]).toBe(0xcb);
    expect(decodeValue(encodeValue(NaN))).toBeNaN();
  });

  test('float32 from other encoders is read', () => {
    expect(decodeValue(fromHex('ca3fc00000'))).toBe(1.5);
  });
});

describe('nil and booleans', () => {
  test.each([
    [null, 'c0'],
    [undefined, 'c0'],
    [false, 'c2'],
    [true, 'c3'],
  ])('%p encodes as %s', (value, hex) => {
    expect(toHex(encodeValue(value))).toBe(hex);
  });
});

/** The header Python writes for a str of `n` UTF-8 bytes. */
function strHeader(n: number): string {
  if (n < 32) return (0xa0 | n).toString(16);
  if (n < 0x100) return `d9${n.toString(16).padStart(2, '0')}`;
  if (n < 0x10000) return `da${n.toString(16).padStart(4, '0')}`;
  return `db${n.toString(16).padStart(8, '0')}`;
}

describe('strings', () => {
  const cases: Array<[string, string]> = [
    ['empty', ''],
    ['31 ASCII bytes', 'a'.repeat(31)],
    ['32 ASCII bytes', 'a'.repeat(32)],
    ['255 ASCII bytes', 'b'.repeat(255)],
    ['256 ASCII bytes', 'c'.repeat(256)],
    ['65535 ASCII bytes', 'd'.repeat(65535)],
    ['65536 ASCII bytes', 'e'.repeat(65536)],
    ['31 bytes of 2-byte chars and one ASCII', 'é'.repeat(15) + 'a'],
    ['32 bytes of 2-byte chars', 'é'.repeat(16)],
    ['255 bytes of 3-byte chars', '€'.repeat(85)],
    ['258 bytes of 3-byte chars', '€'.repeat(86)],
    ['32 bytes of surrogate pairs', '😀'.repeat(8)],
    ['256 bytes of surrogate pairs', '😀'.repeat(64)],
    ['65536 bytes of surrogate pairs', '𝄞'.repeat(16384)],
    ['mixed scripts, long', 'aé€😀'.repeat(5000)],
    ['short string with a pair at the end', 'x'.repeat(20) + '😀'],
  ];

  test.each(cases)('%s: Python header, UTF-8 body, decodes back', (_name, s) => {
    const utf8 = Buffer.from(s, 'utf8');
    const bytes = encodeValue(s);
    expect(toHex(bytes)).toBe(strHeader(utf8.length) + utf8.toString('hex'));
    expect(decodeValue(bytes)).toBe(s);
    expect(oracle.unpack(bytes)).toBe(s);
  });

  test('a lone surrogate is written as U+FFFD, as TextEncoder does', () => {
    for (const s of ['\ud800', 'a\udc00b', 'x'.repeat(70) + '\ud83d']) {
      expect(decodeValue(encodeValue(s))).toBe(new TextDecoder().decode(new TextEncoder().encode(s)));
    }
  });
});

describe('bin', () => {
  test.each([
    [0, 'c400'],
    [1, 'c401'],
    [255, 'c4ff'],
    [256, 'c50100'],
    [65535, 'c5ffff'],
    [65536, 'c600010000'],
  ])('%i bytes get the header %s', (n, header) => {
    const data = Uint8Array.from({ length: n }, (_, i) => i & 0xff);
    const bytes = encodeValue(data);
    expect(toHex(bytes.subarray(0, header.length / 2))).toBe(header);
    expect(bytes.length).toBe(header.length / 2 + n);
    expect(Buffer.compare(decodeValue(bytes) as Uint8Array, data)).toBe(0);
  });

  test('a decoded bin is a copy, not a view of the input', () => {
    const input = fromHex('c403010203');
    const out = decodeValue(input) as Uint8Array;
    input[2] = 99;
    expect(Array.from(out)).toEqual([1, 2, 3]);
  });

  test('typed arrays other than Uint8Array are refused rather than guessed', () => {
    expect(() => encodeValue(new Float32Array(2))).toThrow(EncodeError);
    expect(() => encodeValue(new ArrayBuffer(2))).toThrow(EncodeError);
  });
});

describe('arrays and maps', () => {
  test.each([
    [0, '90', '80'],
    [15, '9f', '8f'],
    [16, 'dc0010', 'de0010'],
    [65535, 'dcffff', 'deffff'],
    [65536, 'dd00010000', 'df00010000'],
  ])('%i entries: array header %s, map header %s', (n, arrayHeader, mapHeader) => {
    const array = Array.from({ length: n }, (_, i) => i % 100);
    const arrayBytes = encodeValue(array);
    expect(toHex(arrayBytes.subarray(0, arrayHeader.length / 2))).toBe(arrayHeader);
    expectSame(decodeValue(arrayBytes), array);

    const map: Record<string, number> = {};
    for (let i = 0; i < n; i++) map[`k${i}`] = i % 100;
    const mapBytes = encodeValue(map);
    expect(toHex(mapBytes.subarray(0, mapHeader.length / 2))).toBe(mapHeader);
    const decodedMap = decodeValue(mapBytes) as Record<string, number>;
    expectSame(Object.keys(decodedMap), Object.keys(map));
    expectSame(decodedMap, map);
  });

  test('map keys keep their order', () => {
    expect(toHex(encodeValue({ b: 1, a: 2 }))).toBe('82a16201a16102');
    expect(Object.keys(decodeValue(fromHex('82a16201a16102')) as object)).toEqual(['b', 'a']);
  });

  test('undefined object values are left out, as JSON does', () => {
    expect(decodeValue(encodeValue({ a: 1, b: undefined }))).toEqual({ a: 1 });
  });

  test('a Map encodes its entries in order, any key type', () => {
    const m = new Map<unknown, unknown>([[1, 'a'], ['b', 2]]);
    expect(toHex(encodeValue(m))).toBe('8201a161a16202');
    expect(decodeValue(encodeValue(m))).toEqual(m);
  });

  test('a map whose keys are not all strings decodes to a Map in wire order', () => {
    // {"2": "a", "1": "b", 3: "c"}: integer-like string keys must not be reordered.
    const w = new MsgpackWriter();
    w.mapHeader(3);
    w.string('2');
    w.string('a');
    w.string('1');
    w.string('b');
    w.uint(3);
    w.string('c');
    const out = decodeValue(w.finish());
    expect(out).toBeInstanceOf(Map);
    expect([...(out as Map<unknown, unknown>)]).toEqual([['2', 'a'], ['1', 'b'], [3, 'c']]);
  });
});

describe('depth limits', () => {
  const nestedArrays = (depth: number): Uint8Array => {
    const bytes = new Uint8Array(depth + 1).fill(0x91);
    bytes[depth] = 0x00;
    return bytes;
  };

  test(`${MAX_DECODE_DEPTH} nested arrays decode, one more does not`, () => {
    expect(() => decodeValue(nestedArrays(MAX_DECODE_DEPTH))).not.toThrow();
    expect(() => decodeValue(nestedArrays(MAX_DECODE_DEPTH + 1))).toThrow(expect.objectContaining({ code: 'ERR_DECODE' }));
  });

  test('circular or too deep values cannot be encoded', () => {
    const loop: unknown[] = [];
    loop.push(loop);
    expect(() => encodeValue(loop)).toThrow(EncodeError);
    let deep: unknown = 0;
    for (let i = 0; i <= MAX_ENCODE_DEPTH; i++) deep = [deep];
    expect(() => encodeValue(deep)).toThrow(EncodeError);
  });
});

describe('unsupported values', () => {
  test.each([
    ['a function', () => 1],
    ['a symbol', Symbol('s')],
    ['a Date', new Date(0)],
    ['a Set', new Set([1])],
  ])('%s throws EncodeError', (_name, value) => {
    expect(() => encodeValue(value)).toThrow(EncodeError);
    try {
      encodeValue(value);
    } catch (err) {
      expect((err as EncodeError).code).toBe('ERR_ENCODE');
    }
  });

  test('an encode error leaves the encoder usable', () => {
    expect(() => encodeValue({ a: 'x'.repeat(100), b: () => 1 })).toThrow(EncodeError);
    expect(toHex(encodeValue({ a: 1 }))).toBe('81a16101');
  });
});

describe('encoded buffers', () => {
  test('never alias each other (the writer is reused)', () => {
    const a = encodeValue('first');
    const b = encodeValue('second');
    expect(decodeValue(a)).toBe('first');
    expect(decodeValue(b)).toBe('second');
  });

  test('stay intact while many more are written: buffer turnover, values that grow it mid-way, failed ones between', () => {
    const rand = prng(0xb0f);
    const kept: Array<[Uint8Array, string, unknown]> = [];
    for (let i = 0; i < 3000; i++) {
      let value: unknown;
      if (i % 97 === 0) {
        // More than 15 entries (the map header moves) with a value that outgrows the buffer.
        const big: Record<string, unknown> = {};
        for (let k = 0; k < 20; k++) big[`key${k}`] = k === 10 ? 'y'.repeat(20_000 + i) : k;
        value = big;
      } else if (i % 101 === 0) {
        expect(() => encodeValue(['x'.repeat(3000), { f: () => 1 }])).toThrow(EncodeError);
        continue;
      } else {
        value = randomValue(rand, { bigInts: true });
      }
      const bytes = encodeValue(value);
      kept.push([bytes, toHex(bytes), value]);
    }
    for (const [bytes, hex, value] of kept) {
      expect(toHex(bytes)).toBe(hex);
      expectSame(canonical(decodeValue(bytes)), canonical(value));
    }
  });
});

describe('objects', () => {
  test('only own enumerable string keys are written', () => {
    class Point {
      constructor(public x: number, public y: number) {}
      get length(): number {
        return Math.hypot(this.x, this.y);
      }
    }
    expect(toHex(encodeValue(new Point(1, 2)))).toBe('82a17801a17902');
    const inherited = Object.create({ inherited: 1 }) as Record<string, unknown>;
    inherited.own = 2;
    expect(toHex(encodeValue(inherited))).toBe('81a36f776e02');
    const bare = Object.create(null) as Record<string, unknown>;
    bare.a = 1;
    expect(toHex(encodeValue(bare))).toBe('81a16101');
    const hidden: Record<string | symbol, unknown> = { a: 1, [Symbol('s')]: 2 };
    Object.defineProperty(hidden, 'b', { value: 3, enumerable: false });
    expect(toHex(encodeValue(hidden))).toBe('81a16101');
  });

  test('the map header counts the entries written, not the keys', () => {
    const obj: Record<string, unknown> = {};
    for (let i = 0; i < 16; i++) obj[`k${i}`] = i;
    obj.skipped = undefined;
    expect(toHex(encodeValue(obj)).slice(0, 6)).toBe('de0010');
    obj.k0 = undefined;
    expect(toHex(encodeValue(obj)).slice(0, 2)).toBe('8f');
    expect(Object.keys(decodeValue(encodeValue(obj)) as object)).toEqual(Object.keys(obj).filter((k) => obj[k] !== undefined));
  });

  test('integer-like keys come first, in ascending order, as Object.keys lists them', () => {
    expect(toHex(encodeValue({ b: 1, 2: 2, 1: 3 }))).toBe('83a13103a13202a16201');
  });
});

// ---- seeded random values ---------------------------------------------------

interface GenOptions {
  /** Include bigints and ints beyond 2^53 (msgpackr cannot write them as ints). */
  bigInts: boolean;
}

function randomString(rand: () => number): string {
  const length = [0, 1, 2, 5, 8, 31, 32, 33, 100, 300][below(rand, 10)]!;
  let s = '';
  for (let i = 0; i < length; i++) {
    const kind = below(rand, 10);
    if (kind < 6) s += String.fromCharCode(0x20 + below(rand, 95));
    else if (kind < 8) s += String.fromCharCode(0xa0 + below(rand, 0x700));
    else if (kind < 9) s += String.fromCharCode(0x3000 + below(rand, 0x5000));
    else s += String.fromCodePoint(0x10000 + below(rand, 0xfffff));
  }
  return s;
}

function randomInt(rand: () => number, options: GenOptions): number | bigint {
  const magnitude = [0, 5, 7, 8, 15, 16, 31, 32, 33, 52, 53][below(rand, 11)]!;
  const n = Math.floor(rand() * 2 ** magnitude);
  // -0 is a float, not an integer (see the float tests).
  const signed = rand() < 0.4 && n !== 0 ? -n : n;
  if (!options.bigInts) return signed;
  const pick = below(rand, 5);
  if (pick === 0) return BigInt.asUintN(64, BigInt(Math.floor(rand() * 2 ** 32)) << 32n | BigInt(Math.floor(rand() * 2 ** 32)));
  if (pick === 1) return BigInt.asIntN(64, BigInt(Math.floor(rand() * 2 ** 32)) << 32n);
  return signed;
}

function randomValue(rand: () => number, options: GenOptions, depth = 0): unknown {
  // Containers get rarer and smaller with depth, so values stay small enough to compare quickly.
  const kind = below(rand, depth > 2 ? 7 : 10);
  // Now and then more than 15 entries, for the 16-bit container headers.
  const size = depth === 0 && rand() < 0.2 ? 20 : 5;
  switch (kind) {
    case 0: return null;
    case 1: return rand() < 0.5;
    case 2: return randomInt(rand, options);
    case 3: return (rand() - 0.5) * 10 ** below(rand, 20) + 0.25;
    case 4:
    case 5: return randomString(rand);
    case 6: return Uint8Array.from({ length: [0, 3, 300][below(rand, 3)]! }, () => below(rand, 256));
    case 7: return Array.from({ length: below(rand, size) }, () => randomValue(rand, options, depth + 1));
    default: {
      const obj: Record<string, unknown> = {};
      const n = below(rand, size);
      for (let i = 0; i < n; i++) obj[randomString(rand) || 'k'] = randomValue(rand, options, depth + 1);
      return obj;
    }
  }
}

describe('seeded random values', () => {
  test('our encoding decodes to the same value, with msgpackr too, and re-encodes identically', () => {
    const rand = prng(0x5eed);
    for (let i = 0; i < 1500; i++) {
      const value = randomValue(rand, { bigInts: true });
      const bytes = encodeValue(value);
      const decoded = decodeValue(bytes);
      expectSame(canonical(decoded), canonical(value));
      expectSame(canonical(oracle.unpack(bytes)), canonical(value));
      expect(toHex(encodeValue(decoded))).toBe(toHex(bytes));
    }
  });

  test("msgpackr's encoding decodes to the same value", () => {
    const rand = prng(0xc0ffee);
    for (let i = 0; i < 1500; i++) {
      const value = randomValue(rand, { bigInts: false });
      expectSame(canonical(decodeValue(packr.pack(value))), canonical(value));
    }
  });
});
