// docs/KNOWN-FAULTS.md against the test suites: every one of the eleven
// known faults of the Python implementation has at least one test titled
// `Known fault N: …`, and every row of the table names a test that exists
// in the file it names.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const FAULTS = 11;

/** Rows of the table: fault number, test file, test title. */
function rows() {
  const text = readFileSync(path.join(root, 'docs', 'KNOWN-FAULTS.md'), 'utf8');
  return text.split('\n')
    .filter((line) => /^\| \d+ \|/.test(line))
    .map((line) => {
      const cells = line.split('|').slice(1, -1).map((c) => c.trim());
      return { fault: Number(cells[0]), file: cells[3], title: cells[4] };
    });
}

/** Every test source file under packages/<p>/test. */
function testFiles() {
  const out = [];
  for (const pkg of readdirSync(path.join(root, 'packages'))) {
    const dir = path.join(root, 'packages', pkg, 'test');
    if (!existsSync(dir)) continue;
    for (const f of readdirSync(dir)) if (f.endsWith('.ts')) out.push(path.join('packages', pkg, 'test', f));
  }
  return out;
}

test('every row names a test that exists, titled after its fault', () => {
  const table = rows();
  assert.ok(table.length > 0, 'the table has rows');
  for (const { fault, file, title } of table) {
    assert.ok(title.startsWith(`Known fault ${fault}: `), `"${title}" is titled after fault ${fault}`);
    assert.ok(existsSync(path.join(root, file)), `${file} exists`);
    const source = readFileSync(path.join(root, file), 'utf8');
    assert.ok(source.includes(`'${title}'`) || source.includes(`"${title}"`), `${file} has a test "${title}"`);
  }
});

test('each of the eleven faults has a test, and every such test is in the table', () => {
  const table = rows();
  for (let n = 1; n <= FAULTS; n++) assert.ok(table.some((r) => r.fault === n), `fault ${n} has a row`);
  const listed = new Set(table.map((r) => `${r.file}|${r.title}`));
  for (const file of testFiles()) {
    const source = readFileSync(path.join(root, file), 'utf8');
    for (const m of source.matchAll(/['"](Known fault (\d+): [^'"]+)['"]/g)) {
      if (source.slice(Math.max(0, m.index - 9), m.index) === 'describe(') continue; // a group, not a test
      assert.ok(listed.has(`${file}|${m[1]}`), `"${m[1]}" (${file}) is listed in docs/KNOWN-FAULTS.md`);
    }
  }
});
