#!/usr/bin/env node
// Runs every benchmark module in bench/ (see bench/README.md for the
// contract), each measurement RUNS times (default 3), and prints one table:
// median throughput, min–max, and the ratio to the module's reference.
// Writes bench/results/latest.json and latest.md; a run limited to some
// benchmarks writes to bench/results/tmp/ instead.
//
// usage: node --expose-gc bench/run.mjs [name-filter ...]
//   BENCH_RUNS=n     runs per figure (default 3)
//   BENCH_WARMUP=n   untimed runs of each case first (default 1)
import { readdirSync, mkdirSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { performance } from 'node:perf_hooks';

const benchDir = path.dirname(fileURLToPath(import.meta.url));
const RUNS = Math.max(1, Number(process.env.BENCH_RUNS ?? 3));
const WARMUP = Math.max(0, Number(process.env.BENCH_WARMUP ?? 1));
const filters = process.argv.slice(2);

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

function formatRate(x) {
  if (x >= 1e6) return `${(x / 1e6).toFixed(2)} M`;
  if (x >= 1e3) return `${(x / 1e3).toFixed(1)} k`;
  return x.toFixed(1);
}

function machine() {
  const cpus = os.cpus();
  let commit;
  try {
    commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: benchDir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    commit = undefined;
  }
  return {
    cpu: cpus[0]?.model.trim() ?? 'unknown',
    cores: cpus.length,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    commit,
  };
}

async function measure(label, fn) {
  globalThis.gc?.();
  const t0 = performance.now();
  const r = await fn();
  if (!r || !(r.ops > 0) || !(r.seconds > 0)) throw new Error(`${label}: run() must return { ops > 0, seconds > 0 }, got ${JSON.stringify(r)}`);
  process.stderr.write(`  ${label}: ${formatRate(r.ops / r.seconds)} ${r.unit ?? 'ops/s'} (${((performance.now() - t0) / 1000).toFixed(1)} s)\n`);
  return r;
}

function summarize(benchmark, kase, samples, isReference) {
  const rates = samples.map((s) => s.ops / s.seconds);
  const out = {
    benchmark,
    case: kase,
    reference: isReference,
    unit: samples[0].unit ?? 'ops/s',
    median: median(rates),
    min: Math.min(...rates),
    max: Math.max(...rates),
    samples: rates.map((r) => Math.round(r)),
  };
  for (const key of ['p50', 'p99']) {
    const xs = samples.map((s) => s[key]).filter((x) => typeof x === 'number');
    if (xs.length) out[key] = median(xs);
  }
  return out;
}

async function main() {
  const files = readdirSync(benchDir)
    .filter((f) => f.endsWith('.mjs') && f !== 'run.mjs' && !f.startsWith('_'))
    .sort();
  const modules = [];
  for (const f of files) {
    const mod = await import(pathToFileURL(path.join(benchDir, f)).href);
    const name = mod.name ?? path.basename(f, '.mjs');
    if (filters.length && !filters.some((x) => name.includes(x) || f.includes(x))) continue;
    const cases = mod.cases ?? (mod.run ? [{ name: 'default', run: mod.run }] : []);
    if (cases.length === 0) throw new Error(`${f}: exports neither run() nor cases`);
    modules.push({ file: f, name, description: mod.description, reference: mod.reference, cases });
  }

  const info = machine();
  process.stderr.write(`${info.cpu}, ${info.cores} cores, Node ${info.node}; ${RUNS} runs per figure after ${WARMUP} warm-up run(s)\n`);
  const started = performance.now();
  const results = [];
  for (const m of modules) {
    process.stderr.write(`${m.name}${m.description ? `: ${m.description}` : ''}\n`);
    const all = [...(m.reference ? [{ ...m.reference, isReference: true }] : []), ...m.cases];
    const samples = all.map(() => []);
    // Untimed first runs, so the optimizing compiler has seen every path.
    for (let run = 0; run < WARMUP; run++) {
      for (const c of all) await measure(`${c.name} (warm-up)`, c.run);
    }
    // Interleave the runs so drift (thermal, other load) hits every case alike.
    for (let run = 0; run < RUNS; run++) {
      for (let i = 0; i < all.length; i++) samples[i].push(await measure(`${all[i].name} #${run + 1}`, all[i].run));
    }
    const ref = m.reference ? summarize(m.name, m.reference.name, samples[0], true) : undefined;
    all.forEach((c, i) => {
      const r = c.isReference ? ref : summarize(m.name, c.name, samples[i], false);
      if (ref && !c.isReference) {
        r.vsReference = r.median / ref.median;
        r.referenceName = ref.case;
      }
      results.push(r);
    });
  }
  const seconds = (performance.now() - started) / 1000;

  const latency = results.some((r) => r.p50 !== undefined || r.p99 !== undefined);
  const us = (x) => (x === undefined ? '' : `${x.toFixed(1)} µs`);
  const header = ['benchmark', 'case', 'median', 'min–max', 'vs reference', ...(latency ? ['p50', 'p99'] : [])];
  const rows = results.map((r) => [
    r.benchmark,
    r.reference ? `${r.case} (reference)` : r.case,
    `${formatRate(r.median)} ${r.unit}`,
    `${formatRate(r.min)}–${formatRate(r.max)}`,
    r.reference ? '1.00×' : r.vsReference !== undefined ? `${r.vsReference.toFixed(2)}×` : '',
    ...(latency ? [us(r.p50), us(r.p99)] : []),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells) => cells.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd();
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const r of rows) console.log(line(r));
  console.log(`\n${info.cpu}, ${info.cores} cores, Node ${info.node}, median of ${RUNS} runs; ${seconds.toFixed(0)} s`);

  const outDir = filters.length ? path.join(benchDir, 'results', 'tmp') : path.join(benchDir, 'results');
  mkdirSync(outDir, { recursive: true });
  const date = new Date().toISOString();
  writeFileSync(path.join(outDir, 'latest.json'), JSON.stringify({ date, machine: info, runs: RUNS, warmup: WARMUP, seconds: Math.round(seconds), results }, null, 2) + '\n');
  const md = [
    '# Benchmark results',
    '',
    `${date.slice(0, 10)}${info.commit ? `, commit ${info.commit}` : ''}. Machine: ${info.cpu}, ${info.cores} cores, ${info.memoryGiB} GiB, ${info.os}, Node ${info.node}.`,
    `Each figure is the median of ${RUNS} runs (min–max beside it), after ${WARMUP} untimed warm-up run(s). Produced by \`npm run bench\`.`,
    '',
    ...modules.filter((m) => m.description).map((m) => `- **${m.name}**: ${m.description}`),
    '',
    `| ${header.join(' | ')} |`,
    `| ${header.map((_, i) => (i >= 2 ? '---:' : '---')).join(' | ')} |`,
    ...rows.map((r) => `| ${r.join(' | ')} |`),
    '',
  ];
  writeFileSync(path.join(outDir, 'latest.md'), md.join('\n'));
  process.stderr.write(`wrote ${path.relative(process.cwd(), path.join(outDir, 'latest.json'))} and latest.md\n`);
}

await main();
