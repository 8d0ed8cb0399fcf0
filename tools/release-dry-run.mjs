#!/usr/bin/env node
// `npm run release:dry-run` (after a build): for every non-private package,
// checks that the tarball holds every file its package.json points at
// (exports, main, module, types, bin) and runs `npm publish --dry-run --access public`.
// Nothing is uploaded. Exits 1 if any package fails.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { pointers, publicPackages } from './package-files.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

const npm = (args, cwd) => spawnSync('npm', args, { cwd, encoding: 'utf8' });
let failed = 0;
const packages = publicPackages(root);
for (const pkg of packages) {
  const id = `${pkg.json.name}@${pkg.json.version}`;
  const pack = npm(['pack', '--dry-run', '--json', '--ignore-scripts'], pkg.dir);
  if (pack.status !== 0) {
    console.error(`✗ ${id}: npm pack failed\n${pack.stderr}`);
    failed++;
    continue;
  }
  const files = new Set(JSON.parse(pack.stdout)[0].files.map((f) => f.path));
  const missing = pointers(pkg.json).filter((p) => !files.has(p));
  if (missing.length) {
    console.error(`✗ ${id}: the tarball lacks ${missing.join(', ')} (built? listed in "files"?)`);
    failed++;
    continue;
  }
  const publish = npm(['publish', '--dry-run', '--access', 'public', '--ignore-scripts'], pkg.dir);
  if (publish.status !== 0) {
    console.error(`✗ ${id}: npm publish --dry-run failed\n${publish.stderr}`);
    failed++;
    continue;
  }
  console.log(`✓ ${id}: ${files.size} files`);
}
console.log(`release:dry-run: ${packages.length - failed} of ${packages.length} package(s) ready`);
process.exitCode = failed ? 1 : 0;
