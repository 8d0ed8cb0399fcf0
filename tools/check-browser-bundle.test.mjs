// Proves tools/check-browser-bundle.mjs catches Node modules in a browser
// graph, and passes a browser-safe one.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { bundleForBrowser } from './check-browser-bundle.mjs';

function files(t, contents) {
  const dir = mkdtempSync(path.join(tmpdir(), 'browser-bundle-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  for (const [name, text] of Object.entries(contents)) writeFileSync(path.join(dir, name), text);
  return dir;
}

test('a module importing net, fs or ws (directly or through another file) is reported', async (t) => {
  const dir = files(t, {
    'entry.js': "import { helper } from './helper.js';\nexport const run = () => helper();\n",
    'helper.js': "import net from 'node:net';\nimport { readFileSync } from 'fs';\nimport WebSocket from 'ws';\nexport const helper = () => [net, readFileSync, WebSocket];\n",
  });
  const { problems } = await bundleForBrowser(path.join(dir, 'entry.js'));
  assert.equal(problems.length, 3, problems.join('\n'));
  assert.match(problems.join('\n'), /helper\.js imports 'node:net'/);
  assert.match(problems.join('\n'), /helper\.js imports 'fs'/);
  assert.match(problems.join('\n'), /helper\.js imports 'ws'/);
});

test('a module without Node imports bundles cleanly', async (t) => {
  const dir = files(t, { 'entry.js': 'export const x = new TextEncoder().encode("hi");\n' });
  const { problems, bytes } = await bundleForBrowser(path.join(dir, 'entry.js'));
  assert.deepEqual(problems, []);
  assert.ok(bytes > 0);
});
