#!/usr/bin/env node
// `npm run release:dry-run` (after a build): what `npm run release`
// (`changeset publish`) would do, without uploading anything. For every
// non-private package whose version is not on the registry yet (those are
// the ones changeset publish publishes; `--all` checks every package), it
// checks that the tarball holds every file its package.json points at
// (exports, main, module, types, bin) and the metadata users need, and runs
// `npm publish --dry-run --access public`. Exits 1 if any package fails.
//
// usage: node tools/release-dry-run.mjs [--all]
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { manifestProblems, pointers, publicPackages } from './package-files.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

const npm = (args, cwd) => spawnSync('npm', args, { cwd, encoding: 'utf8' });
const all = process.argv.includes('--all');

/** 'published', 'unpublished', or 'unknown' (the registry could not be asked). */
function registryState(id) {
  const view = npm(['view', id, 'version', '--json'], root);
  if (view.status === 0 && view.stdout.trim()) return 'published';
  if (/E404|is not in this registry|404 Not Found/i.test(`${view.stdout}${view.stderr}`)) return 'unpublished';
  return view.status === 0 ? 'unpublished' : 'unknown';
}

let failed = 0;
let checked = 0;
const packages = publicPackages(root);
for (const pkg of packages) {
  const id = `${pkg.json.name}@${pkg.json.version}`;
  const state = all ? 'unpublished' : registryState(id);
  if (state === 'published') {
    console.log(`- ${id}: already on the registry; changeset publish skips it`);
    continue;
  }
  if (state === 'unknown') console.log(`? ${id}: the registry could not be asked; checking it as if it were unpublished`);
  checked++;
  const manifest = manifestProblems(pkg.json);
  if (manifest.length) {
    console.error(`✗ ${id}: package.json: ${manifest.join('; ')}`);
    failed++;
    continue;
  }
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
console.log(`release:dry-run: ${checked - failed} of ${checked} package(s) to publish are ready (${packages.length - checked} already published)`);
process.exitCode = failed ? 1 : 0;
