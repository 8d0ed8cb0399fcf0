// The command line's JSON reader takes time linear in its input and bounds
// its nesting and its integer literals: each hostile family is read at 1 KiB
// and at 64 KiB, and the CPU time per character may grow by at most 2×
// (a ratio measured in one run, the best of several batches; no wall-clock
// time is asserted).
import process from 'node:process';
import { MAX_INTEGER_DIGITS, MAX_JSON_DEPTH, parseJson } from '../src/json.js';

function cpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

/** CPU nanoseconds per character of `text`, the fastest of several batches after a warm-up. */
function nsPerChar(text: string): number {
  const run = () => {
    try {
      parseJson(text);
    } catch (err) {
      if (!(err instanceof SyntaxError)) throw err;
    }
  };
  let reps = 1;
  for (;;) {
    const t0 = cpuMs();
    for (let i = 0; i < reps; i++) run();
    const took = cpuMs() - t0;
    if (took >= 4) break;
    reps = Math.min(reps * 4, Math.ceil((reps * 6) / Math.max(took, 0.01)));
  }
  let best = Infinity;
  for (let r = 0; r < 4; r++) {
    const t0 = cpuMs();
    for (let i = 0; i < reps; i++) run();
    best = Math.min(best, (cpuMs() - t0) / reps);
  }
  return (best * 1e6) / text.length;
}

const repeat = (unit: string, size: number) => unit.repeat(Math.ceil(size / unit.length));
const list = (unit: string, size: number) => `[${repeat(`${unit},`, size)}0]`;

const families: Record<string, (size: number) => string> = {
  'big integers': (size) => list('18446744073709551615', size),
  'integer literals at the digit limit': (size) => list('9'.repeat(MAX_INTEGER_DIGITS), size),
  'one integer literal far beyond the digit limit': (size) => `[${'9'.repeat(size)}]`,
  'nesting at the depth limit': (size) => list(`${'['.repeat(MAX_JSON_DEPTH - 1)}${']'.repeat(MAX_JSON_DEPTH - 1)}`, size),
  'nesting beyond the depth limit': (size) => '['.repeat(size),
  'strings of escapes': (size) => `["${repeat('\\"\\\\\\u0041', size)}"]`,
  'an unterminated string': (size) => `["${repeat('a\\"', size)}`,
  'bin forms': (size) => list('{"$bin":"00ff00ff00ff00ff"}', size),
  'keys repeated': (size) => `{${repeat('"a":1,', size)}"b":2}`,
  'floats': (size) => list('-1.5e-300', size),
};

describe.each(Object.entries(families))('%s', (_name, make) => {
  test('CPU time per character stays flat from 1 KiB to 64 KiB', () => {
    const small = make(1024);
    const large = make(64 * 1024);
    let ratio = Infinity;
    for (let attempt = 0; attempt < 3 && ratio > 1.5; attempt++) ratio = Math.min(ratio, nsPerChar(large) / nsPerChar(small));
    expect(ratio).toBeLessThanOrEqual(2);
  });
});

test('nesting deeper than the limit is a SyntaxError, before anything is parsed', () => {
  expect(() => parseJson('['.repeat(MAX_JSON_DEPTH + 1) + ']'.repeat(MAX_JSON_DEPTH + 1))).toThrow(
    new SyntaxError(`JSON nested deeper than ${MAX_JSON_DEPTH} at position ${MAX_JSON_DEPTH}`),
  );
  const atLimit = '['.repeat(MAX_JSON_DEPTH) + ']'.repeat(MAX_JSON_DEPTH);
  expect(() => parseJson(atLimit)).not.toThrow();
  // Brackets inside strings do not count.
  expect(parseJson(`"${'['.repeat(MAX_JSON_DEPTH + 1)}"`)).toBe('['.repeat(MAX_JSON_DEPTH + 1));
});

test('an integer literal of more digits than the limit is a SyntaxError', () => {
  expect(parseJson(`-${'9'.repeat(MAX_INTEGER_DIGITS)}`)).toBe(-(10n ** BigInt(MAX_INTEGER_DIGITS) - 1n));
  expect(() => parseJson(`[1, ${'9'.repeat(MAX_INTEGER_DIGITS + 1)}]`)).toThrow(
    new SyntaxError(`integer literal at position 4 has more than ${MAX_INTEGER_DIGITS} digits`),
  );
});
