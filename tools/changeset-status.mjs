#!/usr/bin/env node
// `npm run changeset:status`: the release plan of the pending changesets, and
// the changed packages that still lack one, relative to origin/main. Without
// a remote (a fresh local repo, a CI checkout without refs) it compares with
// the local `main` branch instead, and with no usable base at all it says so
// and exits 0 rather than failing on a missing ref.
//
// usage: node tools/changeset-status.mjs [extra changeset status args]
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const hasRef = (ref) => spawnSync('git', ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`], { cwd: root, stdio: 'ignore' }).status === 0;

const base = ['origin/main', 'main'].find(hasRef);
if (!base) {
  console.log('changeset:status: neither origin/main nor main exists here; nothing to compare with.');
  process.exit(0);
}
if (base !== 'origin/main') console.log(`changeset:status: no origin/main (no remote?); comparing with the local ${base} branch.`);
const res = spawnSync(path.join(root, 'node_modules', '.bin', 'changeset'), ['status', `--since=${base}`, ...process.argv.slice(2)], {
  cwd: root,
  stdio: 'inherit',
});
process.exit(res.status ?? 1);
