// Proves the lint step enforces the layer table: a source file that imports a
// package its layer may not use is an `@nx/enforce-module-boundaries` error.
// The probes are linted from stdin under a made-up file name inside a real
// package, so nothing is written to the tree.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import { layers } from './layers.mjs';
import { loadPackages } from './check-deps.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const env = { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true' };
const RULE = '@nx/enforce-module-boundaries';
const packages = new Map(loadPackages(root).map((p) => [p.dirName, p]));
const tagOf = (dir) => packages.get(dir)?.json.nx?.tags?.find((t) => t.startsWith('scope:'));
const probe = (from, to) => ({
  filePath: path.join(root, 'packages', from, 'src', '__layer_probe.ts'),
  code: `import * as m from '@streamtasks/${to}';\nexport const x = m;\n`,
});

let eslint;
before(() => {
  // The rule reads Nx's cached project graph: bring it up to date with the
  // packages on disk first.
  const res = spawnSync('npx', ['nx', 'show', 'projects'], { cwd: root, env, encoding: 'utf8' });
  assert.equal(res.status, 0, res.stderr);
  eslint = new ESLint({ cwd: root });
});

async function boundaryErrors(from, to) {
  const { filePath, code } = probe(from, to);
  const [result] = await eslint.lintText(code, { filePath });
  return result.messages.filter((m) => m.ruleId === RULE);
}

test('eslint on stdin reports link importing client (wrong way)', { skip: !packages.has('client') && 'packages/client does not exist yet' }, () => {
  const { code } = probe('link', 'client');
  const res = spawnSync('npx', ['eslint', '--stdin', '--stdin-filename', 'packages/link/src/__layer_probe.ts'], {
    cwd: root,
    env,
    input: code,
    encoding: 'utf8',
  });
  assert.notEqual(res.status, 0, 'eslint accepted a wrong-way import');
  assert.match(res.stdout, /@nx\/enforce-module-boundaries/);
});

test('a sideways import is a tag-constraint violation', { skip: !(packages.has('transports') && packages.has('client')) && 'needs packages/transports and packages/client' }, async () => {
  const errors = await boundaryErrors('transports', 'client');
  assert.ok(
    errors.some((e) => e.messageId === 'onlyTagsConstraintViolation' && e.message.includes('"scope:transports"')),
    JSON.stringify(errors, null, 2),
  );
});

test('every import the layer table forbids is an error, among the packages that exist', async () => {
  const dirs = [...packages.keys()].filter((d) => tagOf(d) in layers);
  let probed = 0;
  for (const from of dirs) {
    for (const to of dirs) {
      if (from === to || layers[tagOf(from)].includes(tagOf(to))) continue;
      const errors = await boundaryErrors(from, to);
      assert.ok(errors.length > 0, `${from} may not import @streamtasks/${to}, but eslint accepted it`);
      probed++;
    }
  }
  if (probed === 0) console.log('# no forbidden pair among the packages that exist yet');
});

test('imports the layer table allows, and the package declares, pass', async () => {
  let probed = 0;
  for (const [from, pkg] of packages) {
    for (const dep of Object.keys(pkg.json.dependencies ?? {})) {
      const to = dep.replace('@streamtasks/', '');
      if (!dep.startsWith('@streamtasks/') || !packages.has(to)) continue;
      if (!layers[tagOf(from)]?.includes(tagOf(to))) continue;
      assert.deepEqual(await boundaryErrors(from, to), [], `${from} -> ${to}`);
      probed++;
    }
  }
  if (probed === 0) console.log('# no allowed pair among the packages that exist yet');
});
