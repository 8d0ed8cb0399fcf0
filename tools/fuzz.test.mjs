// The fuzzer's short run (the long one is `npm run fuzz -- --count N`), the
// replay of its regression corpus, and the places where this codec and
// msgpackr differ on purpose, each shown. Runs on the built packages.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { URL, fileURLToPath } from 'node:url';
import { Buffer } from 'node:buffer';
import { Packr, Unpackr } from 'msgpackr';
import { BOUND_RATIO, makeChecks, makeDifferential, makeTiming, prng, sameValue } from './fuzz-core.mjs';

// The public entries and the internal ones (the reader, writer and framing helpers).
const link = { ...(await import('@streamtasks/link')), ...(await import('@streamtasks/link/internal')) };
const transports = { ...(await import('@streamtasks/transports')), ...(await import('@streamtasks/transports/internal')) };
const { DecodeError, decodeValue, encodeValue } = link;
const corpus = JSON.parse(readFileSync(new URL('./fuzz-corpus.json', import.meta.url), 'utf8'));
const fromHex = (hex) => Uint8Array.from(Buffer.from(hex, 'hex'));
const unpackr = new Unpackr({ useRecords: false, mapsAsObjects: true, int64AsType: 'auto' });

test('a short fuzz run passes every check', () => {
  const fuzz = fileURLToPath(new URL('./fuzz.mjs', import.meta.url));
  const run = spawnSync(process.execPath, [fuzz, '--count', '600', '--workers', '1', '--seed', '20261201'], { encoding: 'utf8', timeout: 120_000 });
  assert.equal(run.status, 0, `${run.stdout}\n${run.stderr}`);
  assert.match(run.stdout, /fuzz: 600 of 600 inputs/);
  assert.match(run.stdout, /msgpackr agreed on [1-9]\d* valid values/);
});

test('every input of the regression corpus passes every check, within the time bound', () => {
  const { checkMessage, checkValue, checkFrames } = makeChecks(link, transports);
  const timing = makeTiming(link);
  timing.warmUp();
  assert.ok(corpus.inputs.length >= 4);
  for (const entry of corpus.inputs) {
    const bytes = fromHex(entry.hex);
    checkMessage(bytes);
    checkValue(bytes);
    checkFrames(prng(bytes.length), bytes);
    const { ratio } = timing.measure(bytes, 7);
    assert.ok(ratio <= BOUND_RATIO, `${entry.name}: ${ratio.toFixed(1)}× a plain payload per byte (bound ${BOUND_RATIO}×)`);
  }
});

test('the differential check fails on a disagreement', () => {
  assert.equal(sameValue({ a: 1, b: [Uint8Array.of(1)] }, { b: [Buffer.from([1])], a: 1 }), true);
  assert.equal(sameValue({ a: 1 }, { a: 2 }), false);
  assert.equal(sameValue([NaN], [NaN]), true);
  assert.equal(sameValue(0, -0), false);
  const { check } = makeDifferential(link);
  // A valid value with a feature on which the two differ on purpose, declared or not.
  const proto = Uint8Array.from([0x81, 0xa9, ...Buffer.from('__proto__'), 0xc3]);
  assert.throws(() => check(proto, new Set()), /another value/);
  check(proto, new Set(['proto']));
});

// ---- where the two differ on purpose -------------------------------------------------

test('__proto__: an own property here, renamed by msgpackr', () => {
  const bytes = Uint8Array.from([0x81, 0xa9, ...Buffer.from('__proto__'), 0x81, 0xa1, 0x78, 0x01]);
  const ours = decodeValue(bytes);
  assert.deepEqual(Object.keys(ours), ['__proto__']);
  assert.equal(Object.getPrototypeOf(ours), Object.prototype);
  assert.deepEqual(Object.keys(unpackr.unpack(bytes)), ['__proto_']);
});

test('invalid UTF-8: rejected here (as Python peers reject it), replaced by msgpackr', () => {
  const bytes = Uint8Array.from([0xa2, 0xc3, 0x28]);
  assert.throws(() => decodeValue(bytes), DecodeError);
  assert.equal(unpackr.unpack(bytes), '\ufffd(');
});

test('non-string keys: a Map here (keys kept), strings in msgpackr objects', () => {
  const bytes = Uint8Array.from([0x82, 0x01, 0xa1, 0x61, 0xa1, 0x31, 0xa1, 0x62]);
  const ours = decodeValue(bytes);
  assert.ok(ours instanceof Map);
  assert.deepEqual([...ours], [[1, 'a'], ['1', 'b']]);
  assert.deepEqual(unpackr.unpack(bytes), { 1: 'b' });
});

test('exact 64-bit integers: written as uint64 here, as float64 by msgpackr; read as numbers only while safe', () => {
  const now = 1_764_547_200_000; // a Date.now() timestamp
  assert.equal(encodeValue(now)[0], 0xcf);
  assert.equal(new Packr({ useRecords: false }).pack(now)[0], 0xcb);
  // 2^53 + 1 cannot be a number: a bigint here, a rounded number in msgpackr by default.
  const bytes = Uint8Array.from([0xcf, 0x00, 0x20, 0, 0, 0, 0, 0, 0x01]);
  assert.equal(decodeValue(bytes), 2n ** 53n + 1n);
  assert.equal(new Unpackr({ useRecords: false, int64AsType: 'number' }).unpack(bytes), 2 ** 53);
  // And a small uint64: a number here, a bigint in msgpackr's default reader.
  const small = Uint8Array.from([0xcf, 0, 0, 0, 0, 0, 0, 0, 0x05]);
  assert.equal(decodeValue(small), 5);
  assert.equal(new Unpackr({ useRecords: false }).unpack(small), 5n);
});

test('extension types: rejected here, decoded by msgpackr where it knows them', () => {
  const timestamp = Uint8Array.from([0xd6, 0xff, 0x00, 0x00, 0x00, 0x01]);
  assert.throws(() => decodeValue(timestamp), DecodeError);
  assert.ok(unpackr.unpack(timestamp) instanceof Date);
  assert.throws(() => decodeValue(Uint8Array.from([0xd4, 0x01, 0x00])), DecodeError);
});
