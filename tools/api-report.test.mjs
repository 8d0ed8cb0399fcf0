// Proves that tools/api-report.mjs sees a change of the public API (and only
// of the public API) in the built declarations.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { reportOf } from './api-report.mjs';

function pkg(t, files) {
  const dir = mkdtempSync(path.join(tmpdir(), 'api-report-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  mkdirSync(path.join(dir, 'dist'));
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, 'dist', name), text);
  const exports = {
    '.': { import: { types: './dist/index.d.ts' } },
    './internal': { import: { types: './dist/internal.d.ts' } },
  };
  return { dir, json: { name: '@streamtasks/demo', exports } };
}

const base = {
  'index.d.ts': "export { Thing, type Options } from './thing.js';\nexport declare const LIMIT = 10;\n",
  'thing.d.ts': '/** A thing. */\nexport interface Options { size?: number }\nexport declare class Thing {\n  constructor(options?: Options);\n  /** Its size. */\n  get size(): number;\n}\n',
  'internal.d.ts': 'export declare function helper(): void;\n',
};

test('the report lists every public export with its declaration, without comments or internal entries', (t) => {
  const report = reportOf(pkg(t, base));
  assert.match(report, /## `@streamtasks\/demo` \(3 exports\)/);
  assert.match(report, /const LIMIT = 10;/);
  assert.match(report, /class Thing \{\n {4}constructor\(options\?: Options\);\n {4}get size\(\): number;\n\}/);
  assert.match(report, /interface Options \{\n {4}size\?: number;\n\}/);
  assert.doesNotMatch(report, /helper|A thing|Its size/);
});

test('a changed signature or a new export changes the report; a changed comment does not', (t) => {
  const before = reportOf(pkg(t, base));
  const signature = reportOf(pkg(t, { ...base, 'thing.d.ts': base['thing.d.ts'].replace('size?: number', 'size: number') }));
  const added = reportOf(pkg(t, { ...base, 'index.d.ts': `${base['index.d.ts']}export declare const MORE = 1;\n` }));
  const comment = reportOf(pkg(t, { ...base, 'thing.d.ts': base['thing.d.ts'].replace('A thing.', 'Another text.') }));
  const internal = reportOf(pkg(t, { ...base, 'internal.d.ts': 'export declare function other(): void;\n' }));
  assert.notEqual(signature, before);
  assert.notEqual(added, before);
  assert.equal(comment, before);
  assert.equal(internal, before);
});
