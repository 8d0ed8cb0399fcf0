#!/usr/bin/env node
// `npm run changeset:status` (and a step of .ci/run):
//
//   1. `changeset status --since=<base>`: the release plan of the changesets
//      added since the base, failing when a package changed since the base
//      and no changeset came with it. The base is origin/main; without a
//      remote (a fresh local repo, a CI checkout without refs) the local
//      `main` branch, and with no usable base at all it says so and exits 0
//      rather than failing on a missing ref.
//   2. The whole pending release plan — every changeset in .changeset/, with
//      each package's version now and after `npm run version-packages`
//      (dependents whose sibling ranges move included). Informational.
//
// usage: node tools/changeset-status.mjs [extra changeset status args]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const changeset = path.join(root, 'node_modules', '.bin', 'changeset');
const hasRef = (ref) => spawnSync('git', ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`], { cwd: root, stdio: 'ignore' }).status === 0;

/** Prints every pending changeset's effect; returns false when the plan could not be made. */
export function printPendingPlan() {
  const dir = mkdtempSync(path.join(tmpdir(), 'changeset-plan-'));
  try {
    const file = path.join(dir, 'plan.json');
    const res = spawnSync(changeset, ['status', `--output=${file}`], { cwd: root, encoding: 'utf8' });
    if (res.status !== 0) return false;
    const { changesets, releases } = JSON.parse(readFileSync(file, 'utf8'));
    const byPackage = new Map();
    for (const cs of changesets) for (const r of cs.releases) byPackage.set(r.name, [...(byPackage.get(r.name) ?? []), cs.id]);
    console.log(`\npending release plan: ${changesets.length} changeset(s) in .changeset/`);
    if (releases.length === 0) console.log('  nothing to release');
    const width = Math.max(0, ...releases.map((r) => r.name.length));
    for (const r of releases.filter((x) => x.type !== 'none').sort((a, b) => a.name.localeCompare(b.name))) {
      const why = byPackage.get(r.name)?.join(', ') ?? 'a dependency moves';
      console.log(`  ${r.name.padEnd(width)}  ${r.oldVersion} -> ${r.newVersion}  ${r.type.padEnd(5)}  (${why})`);
    }
    return true;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const base = ['origin/main', 'main'].find(hasRef);
  if (!base) {
    console.log('changeset:status: neither origin/main nor main exists here; nothing to compare with.');
    process.exit(0);
  }
  if (base !== 'origin/main') console.log(`changeset:status: no origin/main (no remote?); comparing with the local ${base} branch.`);
  const res = spawnSync(changeset, ['status', `--since=${base}`, ...process.argv.slice(2)], { cwd: root, stdio: 'inherit' });
  if (res.status === 0 && !printPendingPlan()) console.log('changeset:status: the pending release plan could not be made (see `npx changeset status`).');
  process.exit(res.status ?? 1);
}
