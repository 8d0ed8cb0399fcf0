#!/usr/bin/env node
// `npm test`: build, lint (eslint with the layering rule + tools/check-deps.mjs),
// the public API against api/*.api.md (tools/api-report.mjs), typecheck, the
// code of the READMEs and examples (tools/check-readme-examples.mjs), the
// READMEs' API sections against the doc comments (tools/readme-api.mjs),
// the browser bundles (tools/check-browser-bundle.mjs), the API reference
// (typedoc, warnings are errors), the packed packages installed into empty
// projects (tools/check-packages.mjs), the tests of tools/ (node:test: the
// tools' own tests, the examples, the browser page in headless Chromium) and
// every package's jest tests (through Nx). Every phase runs even when an
// earlier one failed, so one run shows every problem; the exit code is
// non-zero when any phase failed.
//
// The last line is the test count, alone: `<passed> passed, <failed> failed`.
//
// usage: node tools/run-tests.mjs [--only build,lint,api,typecheck,readme,readme-api,browser,docs,packages,tools,unit]
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { setTimeout, clearTimeout } from 'node:timers';
import { loadPackages } from './check-deps.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const bin = (name) => path.join(root, 'node_modules', '.bin', name);
const scratch = mkdtempSync(path.join(tmpdir(), 'streamtasks-test-'));
const jestResults = path.join(scratch, 'jest');
const toolsTap = path.join(scratch, 'tools.tap');

const phases = [
  { id: 'build', title: 'build', cmd: ['npm', 'run', '-s', 'build'] },
  { id: 'lint', title: 'lint', cmd: ['npm', 'run', '-s', 'lint'] },
  { id: 'api', title: 'api report', cmd: [process.execPath, 'tools/api-report.mjs'] },
  { id: 'typecheck', title: 'typecheck', cmd: ['npm', 'run', '-s', 'typecheck'] },
  { id: 'readme', title: 'readme code', cmd: [process.execPath, 'tools/check-readme-examples.mjs'] },
  { id: 'readme-api', title: 'readme api sections', cmd: [process.execPath, 'tools/readme-api.mjs'] },
  { id: 'browser', title: 'browser', cmd: [process.execPath, 'tools/check-browser-bundle.mjs'] },
  { id: 'docs', title: 'docs', cmd: [bin('typedoc'), '--treatWarningsAsErrors', '--logLevel', 'Warn'] },
  { id: 'packages', title: 'packages', cmd: [process.execPath, 'tools/check-packages.mjs'] },
  {
    id: 'tools',
    title: 'tools tests',
    cmd: [
      process.execPath, '--test',
      '--test-reporter=spec', '--test-reporter-destination=stdout',
      '--test-reporter=tap', `--test-reporter-destination=${toolsTap}`,
      'tools/',
    ],
    count: countToolsTests,
  },
  {
    id: 'unit',
    title: 'unit tests',
    cmd: [
      bin('nx'), 'run-many', '-t', 'test', '--output-style=static', '--',
      '--reporters=default', `--reporters=${path.join(root, 'tools', 'jest-results-reporter.cjs')}`,
    ],
    env: { STREAMTASKS_TEST_RESULTS: jestResults },
    count: countJestTests,
  },
];

// A phase that runs longer than this is stopped and fails (a test stuck in a
// loop must not hold CI forever). STREAMTASKS_PHASE_TIMEOUT is in seconds.
const PHASE_TIMEOUT_MS = Number(process.env.STREAMTASKS_PHASE_TIMEOUT ?? 20 * 60) * 1000;
let current;
let timedOut = false;
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, () => {
    if (current) killGroup(current, 'SIGTERM');
    process.exit(130);
  });
}

function killGroup(child, signal) {
  try {
    process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
}

function run(cmd, env) {
  return new Promise((resolve) => {
    // Its own process group, so a timeout stops everything the phase started.
    const child = spawn(cmd[0], cmd.slice(1), { cwd: root, stdio: 'inherit', env: { ...process.env, ...env }, detached: true });
    current = child;
    const timer = setTimeout(() => {
      timedOut = true;
      console.error(`\nphase still running after ${PHASE_TIMEOUT_MS / 1000} s: stopping it (STREAMTASKS_PHASE_TIMEOUT)`);
      killGroup(child, 'SIGTERM');
      setTimeout(() => killGroup(child, 'SIGKILL'), 5000).unref();
    }, PHASE_TIMEOUT_MS);
    child.on('error', (err) => {
      clearTimeout(timer);
      console.error(`could not start ${cmd[0]}: ${err.message}`);
      resolve(1);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      current = undefined;
      resolve(signal ? 1 : code);
    });
  });
}

function countToolsTests() {
  if (!existsSync(toolsTap)) return { passed: 0, failed: 1, notes: ['node --test wrote no results'] };
  const tap = readFileSync(toolsTap, 'utf8');
  const total = (key) => {
    const all = [...tap.matchAll(new RegExp(`^# ${key} (\\d+)$`, 'gm'))];
    return all.length ? Number(all[all.length - 1][1]) : 0;
  };
  const failedNames = [...tap.matchAll(/^not ok \d+ - (.*)$/gm)].map((m) => `tools: ${m[1]}`);
  return { passed: total('pass'), failed: total('fail') + total('cancelled'), skipped: total('skipped') + total('todo'), failedNames };
}

function countJestTests(code) {
  const withTests = loadPackages(root).filter((p) => p.json.scripts?.test);
  const files = existsSync(jestResults) ? readdirSync(jestResults).filter((f) => f.endsWith('.json')) : [];
  const results = files.map((f) => JSON.parse(readFileSync(path.join(jestResults, f), 'utf8')));
  const reported = new Set(results.map((r) => path.resolve(r.rootDir)));
  const out = { passed: 0, failed: 0, skipped: 0, failedNames: [], notes: [], perPackage: [] };
  for (const r of results) {
    out.passed += r.passed;
    out.failed += r.failed + r.brokenSuites;
    out.skipped += r.skipped;
    const name = path.basename(r.rootDir);
    out.failedNames.push(...r.failedNames.map((n) => `${name}: ${n}`));
    out.perPackage.push(`${name} ${r.passed}${r.failed + r.brokenSuites ? `/${r.failed + r.brokenSuites} failed` : ''}`);
  }
  for (const p of withTests) {
    if (reported.has(p.dir)) continue;
    if (code !== 0) {
      // Jest did not get as far as reporting (it crashed, or found no tests).
      out.failed += 1;
      out.failedNames.push(`${p.dirName}: jest reported no results (no tests found, or it crashed)`);
    } else {
      out.notes.push(`${p.json.name}: tests passed but reported no counts (is its "test" script plain jest?)`);
    }
  }
  return out;
}

const fmt = (s) => `${s.toFixed(1)}s`.padStart(7);

async function main() {
  const i = process.argv.indexOf('--only');
  const only = i >= 0 ? new Set(process.argv[i + 1].split(',')) : undefined;
  const selected = phases.filter((p) => !only || only.has(p.id));
  const started = performance.now();
  const rows = [];
  for (const phase of selected) {
    console.log(`\n=== ${phase.title}: ${phase.cmd.map((c) => path.relative(root, c) || c).join(' ').replaceAll(scratch, '$TMP')}`);
    const t0 = performance.now();
    timedOut = false;
    const code = await run(phase.cmd, phase.env);
    const seconds = (performance.now() - t0) / 1000;
    const counts = phase.count?.(code);
    const ok = code === 0 && (!counts || counts.failed === 0);
    rows.push({ phase, code, seconds, counts, ok, timedOut });
  }
  const total = (performance.now() - started) / 1000;
  rmSync(scratch, { recursive: true, force: true });

  const counted = rows.filter((r) => r.counts);
  const passed = counted.reduce((n, r) => n + r.counts.passed, 0);
  const failed = counted.reduce((n, r) => n + r.counts.failed, 0);
  console.log('\n=== summary');
  for (const r of rows) {
    const c = r.counts;
    const detail = c ? `  ${c.passed} passed, ${c.failed} failed${c.skipped ? `, ${c.skipped} skipped` : ''}${c.perPackage?.length ? `  (${c.perPackage.join(', ')})` : ''}` : '';
    console.log(`${r.phase.title.padEnd(12)} ${r.ok ? 'ok  ' : 'FAIL'} ${fmt(r.seconds)}${detail}${r.timedOut ? '  (timed out)' : ''}`);
  }
  console.log(`${'total'.padEnd(12)}      ${fmt(total)}`);
  for (const r of counted) for (const note of r.counts.notes ?? []) console.log(`note: ${note}`);
  const failedNames = counted.flatMap((r) => r.counts.failedNames ?? []);
  if (failedNames.length) {
    console.log('failed tests:');
    for (const n of failedNames.slice(0, 50)) console.log(`  - ${n}`);
    if (failedNames.length > 50) console.log(`  … and ${failedNames.length - 50} more`);
  }
  const failedPhases = rows.filter((r) => !r.ok).map((r) => r.phase.title);
  if (failedPhases.length) console.log(`FAILED: ${failedPhases.join(', ')}`);
  if (counted.length) console.log(`${passed} passed, ${failed} failed`);
  process.exitCode = failedPhases.length ? 1 : 0;
}

await main();
