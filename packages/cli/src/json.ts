/**
 * JSON for the command line, without losing what MessagePack carries:
 * integers beyond 2^53 are read and written exactly (as BigInt in between),
 * bytes are written as `{"$bin": "<hex>"}` and read back from that form.
 */

const BIG_INT_LITERAL = /^-?[0-9]+$/;

/**
 * Deepest nesting of arrays and objects read (as deep as a MessagePack value
 * may be: anything deeper could not be sent). Deeper text is a SyntaxError
 * before it is parsed, so no recursion depends on the input.
 */
export const MAX_JSON_DEPTH = 512;

/**
 * Most digits of an integer literal read exactly. 2^64 has 20 digits, so
 * every id and integer the network carries fits with room to spare; a longer
 * literal is a SyntaxError, because turning digits into a `bigint` costs
 * time that grows with the square of their number.
 */
export const MAX_INTEGER_DIGITS = 40;

/**
 * Parses JSON text. Integer literals that a `number` cannot hold exactly
 * become `bigint`; `{"$bin": "<hex>"}` becomes a `Uint8Array`. Throws a
 * `SyntaxError` for invalid JSON, for nesting deeper than 512 levels and for
 * integers of more than 40 digits (`MAX_JSON_DEPTH`, `MAX_INTEGER_DIGITS`).
 * Takes time linear in the text.
 */
export function parseJson(text: string): unknown {
  const marked = markBigIntegers(text);
  return JSON.parse(marked, (_key, value: unknown) => {
    if (typeof value === 'string' && value.startsWith(BIG_MARK)) return BigInt(value.slice(BIG_MARK.length));
    if (isBinForm(value)) return hexToBytes(value.$bin);
    return value;
  });
}

const BIG_MARK = '\u0000bigint:';

/**
 * Wraps integer literals beyond 2^53 in marked strings, leaving string
 * contents untouched, and checks the nesting depth. One pass over the text.
 */
function markBigIntegers(text: string): string {
  let out = '';
  let i = 0;
  let depth = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (c === '"') {
      let j = i + 1;
      while (j < text.length && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      out += text.slice(i, j + 1);
      i = j + 1;
    } else if (c === '-' || (c >= '0' && c <= '9')) {
      let j = i + 1;
      while (j < text.length && isNumberChar(text.charCodeAt(j))) j++;
      const literal = text.slice(i, j);
      if (BIG_INT_LITERAL.test(literal) && !Number.isSafeInteger(Number(literal))) {
        if (literal.length - (literal.startsWith('-') ? 1 : 0) > MAX_INTEGER_DIGITS) {
          throw new SyntaxError(`integer literal at position ${i} has more than ${MAX_INTEGER_DIGITS} digits`);
        }
        out += JSON.stringify(BIG_MARK + literal);
      } else {
        out += literal;
      }
      i = j;
    } else {
      if (c === '[' || c === '{') {
        if (++depth > MAX_JSON_DEPTH) throw new SyntaxError(`JSON nested deeper than ${MAX_JSON_DEPTH} at position ${i}`);
      } else if (c === ']' || c === '}') {
        depth--;
      }
      out += c;
      i++;
    }
  }
  return out;
}

/** 0-9 . e E + - : what a JSON number literal is made of. */
function isNumberChar(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || c === 0x2e || c === 0x65 || c === 0x45 || c === 0x2b || c === 0x2d;
}

function isBinForm(value: unknown): value is { $bin: string } {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    && Object.keys(value).length === 1 && typeof (value as { $bin?: unknown }).$bin === 'string';
}

function hexToBytes(hex: string): Uint8Array {
  if (hex.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(hex)) throw new SyntaxError(`invalid hex in $bin: ${hex}`);
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return out;
}

/** Writes a value as one line of JSON; the inverse of {@link parseJson}. */
export function toJson(value: unknown): string {
  switch (typeof value) {
    case 'bigint':
      return value.toString();
    case 'number':
      return Number.isFinite(value) ? String(value) : 'null';
    case 'string':
      return JSON.stringify(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'undefined':
      return 'null';
    case 'object': {
      if (value === null) return 'null';
      if (value instanceof Uint8Array) return `{"$bin":"${Buffer.from(value).toString('hex')}"}`;
      if (Array.isArray(value)) return `[${value.map(toJson).join(',')}]`;
      const entries = value instanceof Map ? [...value.entries()] : Object.entries(value);
      return `{${entries
        .filter(([, v]) => v !== undefined)
        .map(([k, v]) => `${JSON.stringify(String(k))}:${toJson(v)}`)
        .join(',')}}`;
    }
    default:
      return 'null';
  }
}
