// Proves the release settings in .changeset/config.json do what
// CONTRIBUTING.md promises, on a copy of this workspace's manifests: packages
// are versioned independently; a package whose sibling dependency leaves its
// `^x.y.z` range gets a patch bump and the range follows; a bump that stays
// inside the range moves nothing else; and the result still passes
// tools/check-deps.mjs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkWorkspace, loadPackages } from './check-deps.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const changeset = path.join(root, 'node_modules', '.bin', 'changeset');
const packages = loadPackages(root);
const version = (name) => packages.find((p) => p.json.name === name).json.version;
const dependentsOf = (name) => packages.filter((p) => Object.keys({ ...p.json.dependencies, ...p.json.devDependencies }).includes(name)).map((p) => p.json.name);

/** A git repository holding the workspace's manifests and changeset settings, and `changesets` as its only changesets. */
function workspace(t, changesets) {
  const dir = mkdtempSync(path.join(tmpdir(), 'release-plan-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  cpSync(path.join(root, 'package.json'), path.join(dir, 'package.json'));
  mkdirSync(path.join(dir, '.changeset'));
  const config = JSON.parse(readFileSync(path.join(root, '.changeset', 'config.json'), 'utf8'));
  writeFileSync(path.join(dir, '.changeset', 'config.json'), JSON.stringify({ ...config, changelog: false }, null, 2));
  for (const p of packages) {
    mkdirSync(path.join(dir, p.rel, 'src'), { recursive: true });
    cpSync(path.join(p.dir, 'package.json'), path.join(dir, p.rel, 'package.json'));
  }
  const git = (...args) => spawnSync('git', ['-c', 'user.email=ci@localhost', '-c', 'user.name=ci', ...args], { cwd: dir, encoding: 'utf8' });
  git('init', '-q', '-b', 'main');
  git('add', '-A');
  git('commit', '-q', '-m', 'workspace');
  for (const [id, releases] of Object.entries(changesets)) {
    const head = Object.entries(releases).map(([name, bump]) => `"${name}": ${bump}`).join('\n');
    writeFileSync(path.join(dir, '.changeset', `${id}.md`), `---\n${head}\n---\n\n${id}\n`);
  }
  return dir;
}

function plan(dir) {
  const res = spawnSync(changeset, ['status', '--output=plan.json'], { cwd: dir, encoding: 'utf8' });
  assert.equal(res.status, 0, res.stdout + res.stderr);
  return new Map(JSON.parse(readFileSync(path.join(dir, 'plan.json'), 'utf8')).releases.map((r) => [r.name, r]));
}

const bumped = (v, type) => {
  const [major, minor, patch] = v.split('.').map(Number);
  return type === 'minor' ? `${major}.${minor + 1}.0` : type === 'patch' ? `${major}.${minor}.${patch + 1}` : `${major + 1}.0.0`;
};

test('a minor of link (it leaves ^0.x ranges) bumps every dependent by a patch and nothing else moves further', (t) => {
  const releases = plan(workspace(t, { 'link-feature': { '@streamtasks/link': 'minor' } }));
  assert.equal(releases.get('@streamtasks/link').newVersion, bumped(version('@streamtasks/link'), 'minor'));
  for (const dependent of dependentsOf('@streamtasks/link')) {
    const r = releases.get(dependent);
    assert.ok(r, `${dependent} depends on link but is not released`);
    assert.equal(r.type, 'patch', dependent);
    assert.equal(r.newVersion, bumped(version(dependent), 'patch'), dependent);
  }
});

test('a patch of fetch stays inside its dependents\' ranges: only fetch moves', (t) => {
  const releases = plan(workspace(t, { 'fetch-fix': { '@streamtasks/fetch': 'patch' } }));
  const moved = [...releases.values()].filter((r) => r.type !== 'none').map((r) => `${r.name}@${r.newVersion}`);
  assert.deepEqual(moved, [`@streamtasks/fetch@${bumped(version('@streamtasks/fetch'), 'patch')}`]);
});

test('version-packages moves the ranges a bump leaves, so check-deps still passes', (t) => {
  const dir = workspace(t, { 'link-feature': { '@streamtasks/link': 'minor' }, 'fetch-fix': { '@streamtasks/fetch': 'patch' } });
  const res = spawnSync(changeset, ['version'], { cwd: dir, encoding: 'utf8' });
  assert.equal(res.status, 0, res.stdout + res.stderr);
  const after = new Map(loadPackages(dir).map((p) => [p.json.name, p.json]));
  const link = after.get('@streamtasks/link').version;
  assert.equal(link, bumped(version('@streamtasks/link'), 'minor'));
  for (const dependent of dependentsOf('@streamtasks/link')) {
    const json = after.get(dependent);
    const range = json.dependencies?.['@streamtasks/link'] ?? json.devDependencies?.['@streamtasks/link'];
    assert.equal(range, `^${link}`, dependent);
  }
  assert.deepEqual(checkWorkspace(dir).errors, []);
});
