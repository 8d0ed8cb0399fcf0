// Proves tools/check-deps.mjs catches what it is meant to catch, on small
// workspaces written to a temporary directory.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { URL, fileURLToPath } from 'node:url';
import { caretIncludes, checkWorkspace, findCycles } from './check-deps.mjs';

const checker = fileURLToPath(new URL('./check-deps.mjs', import.meta.url));

/**
 * Writes a workspace: `packages` maps a directory name to
 * `{ deps?, devDeps?, tag?, version?, files? }` where files maps src-relative
 * paths to contents.
 */
function workspace(t, packages) {
  const root = mkdtempSync(path.join(tmpdir(), 'check-deps-'));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  for (const [dir, p] of Object.entries(packages)) {
    const pkgDir = path.join(root, 'packages', dir);
    mkdirSync(path.join(pkgDir, 'src'), { recursive: true });
    const json = {
      name: `@streamtasks/${dir}`,
      version: p.version ?? '0.1.0',
      type: 'module',
      exports: p.exports ?? { '.': './dist/index.js' },
      dependencies: p.deps ?? {},
      ...(p.devDeps ? { devDependencies: p.devDeps } : {}),
      ...(p.private ? { private: true } : {}),
      nx: { tags: [p.tag ?? `scope:${dir}`] },
    };
    writeFileSync(path.join(pkgDir, 'package.json'), JSON.stringify(json, null, 2));
    for (const [file, text] of Object.entries(p.files ?? { 'index.ts': 'export const x = 1;\n' })) {
      mkdirSync(path.dirname(path.join(pkgDir, 'src', file)), { recursive: true });
      writeFileSync(path.join(pkgDir, 'src', file), text);
    }
  }
  return root;
}

const layers = { 'scope:link': [], 'scope:client': ['scope:link'], 'scope:transports': ['scope:link'] };

function healthy() {
  return {
    link: { deps: { msgpackr: '^2.1.4' }, files: { 'index.ts': "import { pack } from 'msgpackr';\nimport { EventEmitter } from 'node:events';\nimport 'fs';\nexport { pack, EventEmitter };\n" } },
    client: {
      deps: { '@streamtasks/link': '^0.1.0' },
      files: {
        'index.ts': "export { Switch } from '@streamtasks/link';\nexport * from './sub/a.js';\n",
        'sub/a.ts': "import type { Message } from '@streamtasks/link';\nexport type M = Message;\n",
        // Only shipped sources count: a spec may import what it likes.
        'index.spec.ts': "import { WebSocket } from 'ws';\nexport const w = WebSocket;\n",
        // Imports in comments are not imports.
        'doc.ts': "/**\n * @example\n * import { Server } from '@streamtasks/transports';\n */\nexport const y = 2;\n",
      },
    },
  };
}

test('a healthy workspace passes', (t) => {
  const { errors, packages } = checkWorkspace(workspace(t, healthy()), { layers });
  assert.deepEqual(errors, []);
  assert.equal(packages.length, 2);
});

test('a wrong-way dependency is reported', (t) => {
  const ws = healthy();
  ws.link.deps['@streamtasks/client'] = '^0.1.0';
  ws.link.files['up.ts'] = "export { Client } from '@streamtasks/client';\n";
  const { errors } = checkWorkspace(workspace(t, ws), { layers });
  assert.ok(
    errors.some((e) => /@streamtasks\/link \(scope:link\) depends on @streamtasks\/client \(scope:client\)/.test(e)),
    errors.join('\n'),
  );
});

test('a sideways dependency is reported', (t) => {
  const ws = healthy();
  ws.transports = { deps: { '@streamtasks/link': '^0.1.0', '@streamtasks/client': '^0.1.0' } };
  const { errors } = checkWorkspace(workspace(t, ws), { layers });
  assert.ok(errors.some((e) => /scope:transports\) depends on @streamtasks\/client/.test(e)), errors.join('\n'));
});

test('a cycle is reported, even where the layer table would allow every edge', (t) => {
  const ws = healthy();
  ws.link.deps['@streamtasks/client'] = '^0.1.0';
  const permissive = { 'scope:link': ['scope:client'], 'scope:client': ['scope:link'] };
  // The permissive table is itself cyclic: that is reported as well.
  const { errors } = checkWorkspace(workspace(t, ws), { layers: permissive });
  assert.ok(errors.some((e) => e.startsWith('dependency cycle: @streamtasks/client -> @streamtasks/link -> @streamtasks/client')), errors.join('\n'));
  assert.ok(errors.some((e) => e.startsWith('layer table: cycle')), errors.join('\n'));
});

test('a cycle through devDependencies counts too', (t) => {
  const ws = healthy();
  ws.link.devDeps = { '@streamtasks/client': '^0.1.0' };
  const { errors } = checkWorkspace(workspace(t, ws), { layers: { 'scope:link': ['scope:client'], 'scope:client': ['scope:link'] } });
  assert.ok(errors.some((e) => e.startsWith('dependency cycle:')), errors.join('\n'));
});

test('findCycles returns each cycle as a closed path', () => {
  const graph = new Map([['a', ['b']], ['b', ['c']], ['c', ['a']], ['d', ['a']]]);
  assert.deepEqual(findCycles(graph), [['a', 'b', 'c', 'a']]);
  assert.deepEqual(findCycles(new Map([['a', ['b']], ['b', []]])), []);
});

test('an undeclared import is reported, and a dev-only one says so', (t) => {
  const ws = healthy();
  ws.client.files['net.ts'] = "import WebSocket from 'ws';\nimport { decode } from 'msgpackr/unpack';\nexport { WebSocket, decode };\n";
  ws.client.devDeps = { ws: '^8.0.0' };
  const { errors } = checkWorkspace(workspace(t, ws), { layers });
  assert.ok(errors.some((e) => /net\.ts: imports 'ws', but ws is only in devDependencies/.test(e)), errors.join('\n'));
  assert.ok(errors.some((e) => /net\.ts: imports 'msgpackr\/unpack', but msgpackr is not in "dependencies"/.test(e)), errors.join('\n'));
});

test('sibling ranges must be a caret range the current version satisfies', (t) => {
  for (const range of ['*', 'workspace:*', '^0.0.9', '^0.1.1', '^0.2.0', '0.1.0', '~0.1.0', '>=0.1.0']) {
    const ws = healthy();
    ws.client.deps['@streamtasks/link'] = range;
    const { errors } = checkWorkspace(workspace(t, ws), { layers });
    assert.ok(errors.some((e) => e.includes(`dependencies.@streamtasks/link is ${JSON.stringify(range)}; use "^0.1.0"`)), `${range}: ${errors.join('\n')}`);
  }
  // A patch of the sibling stays inside the dependent's range (changesets leaves it).
  const ws = healthy();
  ws.link.version = '0.1.3';
  const { errors } = checkWorkspace(workspace(t, ws), { layers });
  assert.deepEqual(errors, []);
});

test('caretIncludes follows npm carets', () => {
  const cases = [
    ['^1.2.3', '1.2.3', true], ['^1.2.3', '1.9.0', true], ['^1.2.3', '2.0.0', false], ['^1.2.3', '1.2.2', false],
    ['^0.1.0', '0.1.5', true], ['^0.1.0', '0.2.0', false], ['^0.1.2', '0.1.1', false],
    ['^0.0.3', '0.0.3', true], ['^0.0.3', '0.0.4', false],
    ['^1.0.0-rc.1', '1.0.0-rc.1', true], ['^1.0.0', '1.0.1-rc.1', false], ['1.0.0', '1.0.0', false],
  ];
  for (const [range, version, want] of cases) assert.equal(caretIncludes(range, version), want, `${range} ${version}`);
});

test('internal paths of a sibling are refused; exported subpaths are fine', (t) => {
  const ws = healthy();
  ws.link.exports = { '.': './dist/index.js', './internal': './dist/internal.js' };
  ws.client.files['deep.ts'] =
    "export { Switch } from '@streamtasks/link/src/switch.js';\nexport { x } from '@streamtasks/link/internal';\nexport { y } from '../../link/src/index.js';\n";
  const { errors } = checkWorkspace(workspace(t, ws), { layers });
  assert.ok(errors.some((e) => /deep\.ts: imports '@streamtasks\/link\/src\/switch\.js', an internal path/.test(e)), errors.join('\n'));
  assert.ok(!errors.some((e) => e.includes("'@streamtasks/link/internal'")), errors.join('\n'));
  assert.ok(errors.some((e) => /deep\.ts: relative import '\.\.\/\.\.\/link\/src\/index\.js' leaves the package/.test(e)), errors.join('\n'));
});

test('only @streamtasks packages import an internal entry; examples and docs may not', (t) => {
  const ws = healthy();
  ws.link.exports = { '.': './dist/index.js', './internal': './dist/internal.js' };
  ws.link.files['internal.ts'] = '/** For siblings only: no semver promise. */\nexport const z = 1;\n';
  ws.client.files['uses.ts'] = "export { z } from '@streamtasks/link/internal';\n";
  const root = workspace(t, ws);
  assert.deepEqual(checkWorkspace(root, { layers }).errors, []);
  mkdirSync(path.join(root, 'examples'));
  writeFileSync(path.join(root, 'examples', 'demo.ts'), "import { z } from '@streamtasks/link/internal';\nconsole.log(z);\n");
  mkdirSync(path.join(root, 'docs'));
  writeFileSync(path.join(root, 'docs', 'guide.md'), "Prose may name `@streamtasks/link/internal`.\n\n```ts\nimport { z } from '@streamtasks/link/internal';\n```\n");
  writeFileSync(path.join(root, 'packages', 'client', 'README.md'), "```ts\nimport { Switch } from '@streamtasks/link';\n```\n");
  const { errors } = checkWorkspace(root, { layers });
  assert.ok(errors.some((e) => e.startsWith("examples/demo.ts: imports '@streamtasks/link/internal'")), errors.join('\n'));
  assert.ok(errors.some((e) => e.startsWith("docs/guide.md: imports '@streamtasks/link/internal'")), errors.join('\n'));
  assert.equal(errors.length, 2, errors.join('\n'));
});

test('src/internal.ts and the "./internal" export come together, documented as without semver promise', (t) => {
  const ws = healthy();
  ws.link.exports = { '.': './dist/index.js', './internal': './dist/internal.js' };
  ws.client.files['internal.ts'] = 'export const z = 1;\n';
  const { errors } = checkWorkspace(workspace(t, ws), { layers });
  assert.ok(errors.includes('packages/link: exports "./internal" but has no src/internal.ts'), errors.join('\n'));
  assert.ok(errors.includes('packages/client: has src/internal.ts but its exports map has no "./internal"'), errors.join('\n'));
  ws.client.exports = { '.': './dist/index.js', './internal': './dist/internal.js' };
  ws.link.files['internal.ts'] = '/** For siblings only: no semver promise. */\nexport const z = 1;\n';
  const again = checkWorkspace(workspace(t, ws), { layers }).errors;
  assert.deepEqual(again, ['packages/client/src/internal.ts: its doc comment must say that it carries no semver promise']);
});

test('a published package may use a private sibling only as a devDependency', (t) => {
  const ws = healthy();
  ws.testing = { private: true, deps: { '@streamtasks/link': '^0.1.0' } };
  ws.client.devDeps = { '@streamtasks/testing': '^0.1.0' };
  const table = { ...layers, 'scope:testing': ['scope:link'], 'scope:client': ['scope:link', 'scope:testing'] };
  assert.deepEqual(checkWorkspace(workspace(t, ws), { layers: table }).errors, []);
  ws.client.deps['@streamtasks/testing'] = '^0.1.0';
  const { errors } = checkWorkspace(workspace(t, ws), { layers: table });
  assert.ok(errors.some((e) => e.includes('dependencies lists @streamtasks/testing, which is private')), errors.join('\n'));
});

test('typedoc.json must leave out exactly the private packages', (t) => {
  const ws = healthy();
  ws.testing = { private: true };
  const root = workspace(t, ws);
  const table = { ...layers, 'scope:testing': [] };
  writeFileSync(path.join(root, 'typedoc.json'), JSON.stringify({ exclude: ['packages/client'] }));
  const { errors } = checkWorkspace(root, { layers: table });
  assert.ok(errors.some((e) => e.includes('private package packages/testing is missing from "exclude"')), errors.join('\n'));
  assert.ok(errors.some((e) => e.includes('leaves out packages/client, which is published')), errors.join('\n'));
  writeFileSync(path.join(root, 'typedoc.json'), JSON.stringify({ exclude: ['packages/testing/'] }));
  assert.deepEqual(checkWorkspace(root, { layers: table }).errors, []);
});

test('a package without a known layer tag is reported', (t) => {
  const ws = healthy();
  ws.client.tag = 'scope:nowhere';
  const { errors } = checkWorkspace(workspace(t, ws), { layers });
  assert.ok(errors.some((e) => e.includes('tag scope:nowhere is not in the layer table')), errors.join('\n'));
});

test('the command exits non-zero with a clear message on a wrong-way dependency', (t) => {
  const ws = healthy();
  ws.link.deps['@streamtasks/client'] = '^0.1.0';
  const root = workspace(t, ws);
  const res = spawnSync(process.execPath, [checker, '--root', root], { encoding: 'utf8' });
  assert.equal(res.status, 1, res.stdout + res.stderr);
  assert.match(res.stderr, /check-deps: packages\/link\/package.json: @streamtasks\/link \(scope:link\) depends on @streamtasks\/client/);
  const ok = spawnSync(process.execPath, [checker, '--root', workspace(t, healthy())], { encoding: 'utf8' });
  assert.equal(ok.status, 0, ok.stdout + ok.stderr);
});
