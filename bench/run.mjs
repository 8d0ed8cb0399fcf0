#!/usr/bin/env node
// Runs the benchmark modules in bench/ (see bench/README.md for the
// contract), each measurement RUNS times (default 3), and prints one table:
// streamtasks beside NATS where both ran the same workload, with the median,
// min–max, p50/p99 latency, the ratio streamtasks / NATS and the target.
// Writes bench/results/latest.json and latest.md; a run limited with --only,
// a name filter or --quick writes to bench/results/tmp/ instead.
//
// usage: node --expose-gc bench/run.mjs [--quick] [--only NAME[,NAME]]... [--runs N] [NAME...]
//   --quick          smaller workloads, one run per figure, no warm-up runs (under two minutes)
//   --only NAME      only benchmarks whose name or file contains NAME (repeatable, or comma-separated)
//   --runs N         runs per figure (default 3, 1 with --quick; BENCH_RUNS)
//   BENCH_WARMUP=n   untimed runs of each in-process case first (default 1, 0 with --quick)
//   BENCH_TIMEOUT=ms a measurement without a result by then fails (default 180 000)
import { readdirSync, mkdirSync, writeFileSync, readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';
import { clearTimeout, setTimeout } from 'node:timers';

const benchDir = path.dirname(fileURLToPath(import.meta.url));

const { values: opts, positionals } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    only: { type: 'string', multiple: true, default: [] },
    runs: { type: 'string' },
    help: { type: 'boolean', short: 'h', default: false },
  },
  allowPositionals: true,
});
if (opts.help) {
  process.stdout.write(readFileSync(fileURLToPath(import.meta.url), 'utf8').split('\n').slice(1, 14).map((l) => l.replace(/^\/\/ ?/, '')).join('\n') + '\n');
  process.exit(0);
}
if (opts.quick) process.env.BENCH_QUICK = '1';
const QUICK = opts.quick;
const RUNS = Math.max(1, Number(opts.runs ?? process.env.BENCH_RUNS ?? (QUICK ? 1 : 3)));
const WARMUP = Math.max(0, Number(process.env.BENCH_WARMUP ?? (QUICK ? 0 : 1)));
const filters = [...opts.only.flatMap((s) => s.split(',')), ...positionals].map((s) => s.trim()).filter(Boolean);
/** A measurement that takes longer than this fails (its child processes are killed). */
const DEFAULT_TIMEOUT = Number(process.env.BENCH_TIMEOUT ?? 180_000);

// Imported after BENCH_QUICK is set, so modules size their workloads by it.
const lib = await import('./_lib.mjs');

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

function formatRate(x) {
  if (!Number.isFinite(x)) return '–';
  if (x >= 1e6) return `${(x / 1e6).toFixed(2)} M`;
  if (x >= 1e3) return `${(x / 1e3).toFixed(1)} k`;
  return x.toFixed(1);
}

function formatValue(x) {
  if (!Number.isFinite(x)) return '–';
  const a = Math.abs(x);
  return a >= 100 ? x.toFixed(0) : a >= 10 ? x.toFixed(1) : a >= 1 ? x.toFixed(2) : x.toFixed(3);
}

/** A figure with its unit: rates as `1.23 M msgs/s`, other values as `12.3 MB`. */
function formatFigure(x, unit, isRate) {
  return isRate ? `${formatRate(x)} ${unit}` : `${formatValue(x)} ${unit}`;
}

function formatLatency(us) {
  if (us === undefined) return '';
  if (us >= 10_000) return `${(us / 1000).toFixed(0)} ms`;
  if (us >= 1000) return `${(us / 1000).toFixed(2)} ms`;
  return `${us.toFixed(us >= 100 ? 0 : 1)} µs`;
}

function git(args) {
  try {
    return execFileSync('git', args, { cwd: benchDir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return undefined;
  }
}

function natsVersions() {
  const bin = lib.findNatsServer();
  let server;
  if (bin) {
    try {
      server = execFileSync(bin, ['--version'], { encoding: 'utf8' }).trim();
    } catch {
      server = 'unknown version';
    }
  }
  let client;
  try {
    client = JSON.parse(readFileSync(path.join(lib.repoDir, 'node_modules', '@nats-io', 'transport-node', 'package.json'), 'utf8')).version;
  } catch {
    client = undefined;
  }
  return { server: server ?? 'not installed', client: client ? `@nats-io/transport-node ${client}` : 'not installed' };
}

function machine() {
  const cpus = os.cpus();
  return {
    cpu: cpus[0]?.model.trim() ?? 'unknown',
    cores: cpus.length,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    commit: git(['rev-parse', '--short', 'HEAD']),
    // Only sources change what is measured (tests and docs do not).
    dirty: (git(['status', '--porcelain', '--', ':(glob)../packages/*/src/**']) ?? '') !== '',
    nats: natsVersions(),
    loadavgStart: os.loadavg().map((x) => Math.round(x * 100) / 100),
  };
}

function withTimeout(promise, ms, label) {
  let timer;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${label}: no result within ${ms / 1000} s`)), ms);
    }),
  ]);
}

async function measure(label, kase, moduleTimeout) {
  globalThis.gc?.();
  const t0 = performance.now();
  const timeout = process.env.BENCH_TIMEOUT ? DEFAULT_TIMEOUT : kase.timeout ?? moduleTimeout ?? DEFAULT_TIMEOUT;
  let r;
  try {
    r = await withTimeout(Promise.resolve().then(() => kase.run()), timeout, label);
  } finally {
    // Whatever a run started and did not stop goes now.
    lib.killAll();
  }
  const isValue = r && typeof r.value === 'number';
  if (!r || (!isValue && (!(r.ops > 0) || !(r.seconds > 0)))) {
    throw new Error(`${label}: run() must return { ops > 0, seconds > 0 } or { value }, got ${JSON.stringify(r)}`);
  }
  const figure = isValue ? r.value : r.ops / r.seconds;
  const lat = (r.p50 !== undefined ? ` p50 ${formatLatency(r.p50)} p99 ${formatLatency(r.p99)}` : '') +
    (r.cpu ? `; CPU µs/op ${Object.entries(r.cpu).map(([k, v]) => `${k} ${v}`).join(', ')}` : '');
  process.stderr.write(`  ${label}: ${formatFigure(figure, r.unit ?? (isValue ? '' : 'ops/s'), !isValue)}${lat} (${((performance.now() - t0) / 1000).toFixed(1)} s)\n`);
  return r;
}

function summarize(m, kase, samples) {
  const isRate = typeof samples[0].value !== 'number';
  const figures = samples.map((s) => (isRate ? s.ops / s.seconds : s.value));
  const out = {
    benchmark: m.name,
    case: kase.name,
    workload: kase.workload ?? kase.name,
    system: kase.system ?? 'streamtasks',
    kind: isRate ? 'rate' : 'value',
    unit: samples[0].unit ?? (isRate ? 'ops/s' : ''),
    median: median(figures),
    min: Math.min(...figures),
    max: Math.max(...figures),
    samples: figures.map((x) => (isRate ? Math.round(x) : Math.round(x * 1000) / 1000)),
  };
  for (const key of ['p50', 'p99', 'p999']) {
    const xs = samples.map((s) => s[key]).filter((x) => typeof x === 'number');
    if (xs.length) {
      out[key] = median(xs);
      out[`${key}Range`] = [Math.min(...xs), Math.max(...xs)];
    }
  }
  const cpus = samples.map((s) => s.cpu).filter(Boolean);
  if (cpus.length) {
    out.cpuUsPerOp = {};
    for (const key of Object.keys(cpus[0])) out.cpuUsPerOp[key] = Math.round(median(cpus.map((c) => c[key]).filter((x) => typeof x === 'number')) * 100) / 100;
  }
  const notes = samples.map((s) => s.note).filter(Boolean);
  if (notes.length) out.note = notes[notes.length - 1];
  if (kase.target) out.target = kase.target;
  if (kase.limit) out.limit = kase.limit;
  return out;
}

/**
 * The row's figure over that of the case named `against`, as a `minAgainst`
 * or `flatAgainst` target judges it: the median of the per-run ratios (the
 * runs interleave the cases, so run i of both saw the same machine), not the
 * ratio of the two medians, which can land on either side of the target when
 * the per-run ratios all land on one. A target naming `ratioCase` is judged
 * on that case's median instead: a row of the module that measures this
 * ratio itself (both sides alternating in one run) and prints it.
 */
function againstRatio(row, against, ratioCase) {
  if (ratioCase !== undefined) return row.siblings.find((r) => r.case === ratioCase && r.kind === 'value')?.median;
  const base = row.siblings.find((r) => r.case === against);
  if (!base) return undefined;
  const n = Math.min(row.st.samples.length, base.samples.length);
  if (n === 0) return undefined;
  return median(Array.from({ length: n }, (_, i) => row.st.samples[i] / base.samples[i]));
}

/** The target of a row as text, and whether it is met (undefined when it cannot be judged). */
function judge(row) {
  const t = row.st?.target;
  if (!t || !row.st || row.st.failed) return { text: '', met: undefined };
  const parts = [];
  let met = true;
  let judged = true;
  if (t.rate !== undefined) {
    parts.push(`≥ ${formatRate(t.rate)} ${row.st.unit}`);
    met &&= row.st.median >= t.rate;
  }
  if (t.max !== undefined) {
    parts.push(`≤ ${formatValue(t.max)} ${row.st.unit}`);
    met &&= row.st.median <= t.max;
  }
  if (t.ratio !== undefined) {
    parts.push(`≥ ${t.ratio.toFixed(2)}× NATS`);
    if (row.ratio === undefined) judged = false;
    else met &&= row.ratio >= t.ratio;
  }
  if (t.p50) {
    parts.push('p50 ≤ NATS');
    if (row.nats?.p50 === undefined || row.st.p50 === undefined) judged = false;
    else met &&= row.st.p50 <= row.nats.p50;
  }
  if (t.maxRatio !== undefined) {
    parts.push(`≤ ${t.maxRatio.toFixed(2)}× NATS`);
    if (row.ratio === undefined) judged = false;
    else met &&= row.ratio <= t.maxRatio;
  }
  if (t.p99) {
    // `p99: true` asks for no more than NATS; a number for at most that many times its p99.
    const factor = t.p99 === true ? 1 : t.p99;
    parts.push(factor === 1 ? 'p99 ≤ NATS' : `p99 ≤ ${factor}× NATS`);
    if (row.nats?.p99 === undefined || row.st.p99 === undefined) judged = false;
    else met &&= row.st.p99 <= row.nats.p99 * factor;
  }
  if (t.p50Max !== undefined) {
    parts.push(`p50 ≤ ${formatLatency(t.p50Max)}`);
    met &&= row.st.p50 !== undefined && row.st.p50 <= t.p50Max;
  }
  if (t.ofLimit !== undefined) {
    parts.push(`≥ ${Math.round(t.ofLimit * 100)} % of limit`);
    if (row.ofLimit === undefined) judged = false;
    else met &&= row.ofLimit >= t.ofLimit;
  }
  if (t.minAgainst !== undefined) {
    const r = againstRatio(row, t.minAgainst, t.ratioCase);
    parts.push(`≥ ${t.minFactor.toFixed(2)}× ${t.minAgainst}${r === undefined ? '' : ` (${r.toFixed(3)}×)`}`);
    if (r === undefined) judged = false;
    else met &&= r >= t.minFactor;
  }
  if (t.flatAgainst !== undefined) {
    const r = againstRatio(row, t.flatAgainst, t.ratioCase);
    parts.push(`≤ ${t.flatFactor.toFixed(2)}× ${t.flatAgainst}${r === undefined ? '' : ` (${r.toFixed(3)}×)`}`);
    if (r === undefined) judged = false;
    else met &&= r <= t.flatFactor;
  }
  return { text: parts.join(', '), met: judged ? met : undefined };
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
    modules.push({
      file: f,
      name,
      order: mod.order ?? 50,
      description: mod.description,
      reference: mod.reference,
      cases,
      timeout: process.env.BENCH_TIMEOUT ? undefined : mod.timeout,
      warmup: mod.warmup ?? true,
    });
  }
  modules.sort((a, b) => a.order - b.order || a.file.localeCompare(b.file));

  const info = machine();
  process.stderr.write(
    `${info.cpu}, ${info.cores} cores, Node ${info.node}, load ${info.loadavgStart.join(' ')}; ` +
      `${RUNS} runs per figure after ${WARMUP} warm-up run(s)${QUICK ? ' (quick)' : ''}\n`,
  );
  if (!lib.findNatsServer()) process.stderr.write(`\n*** ${lib.NATS_MISSING} ***\n\n`);
  const started = performance.now();
  const results = [];
  const skipped = new Map();
  for (const m of modules) {
    process.stderr.write(`${m.name}${m.description ? `: ${m.description}` : ''}\n`);
    const all = [...(m.reference ? [{ ...m.reference, system: 'reference' }] : []), ...m.cases];
    const live = [];
    for (const c of all) {
      const reason = c.skip?.();
      if (reason) {
        skipped.set(reason, [...(skipped.get(reason) ?? []), `${m.name} ${c.name}`]);
        results.push({ benchmark: m.name, case: c.name, workload: c.workload ?? c.name, system: c.system ?? 'streamtasks', skipped: reason, target: c.target });
        process.stderr.write(`  ${c.name}: skipped (${reason})\n`);
      } else {
        live.push(c);
      }
    }
    const samples = live.map(() => []);
    const failures = live.map(() => undefined);
    const attempt = async (i, label) => {
      if (failures[i]) return undefined;
      try {
        return await measure(label, live[i], m.timeout);
      } catch (err) {
        failures[i] = err;
        process.stderr.write(`  ${label}: FAILED: ${err.message}\n`);
        return undefined;
      }
    };
    // Untimed first runs, so the optimizing compiler has seen every path.
    if (m.warmup) {
      for (let run = 0; run < WARMUP; run++) {
        for (let i = 0; i < live.length; i++) if (live[i].warmup !== false) await attempt(i, `${live[i].name} (warm-up)`);
      }
    }
    // Interleave the runs so drift (thermal, other load) hits every case alike.
    for (let run = 0; run < RUNS; run++) {
      for (let i = 0; i < live.length; i++) {
        const r = await attempt(i, `${live[i].name}${live[i].system === 'nats' ? ' [NATS]' : ''} #${run + 1}`);
        if (r) samples[i].push(r);
      }
    }
    live.forEach((c, i) => {
      if (failures[i] || samples[i].length === 0) {
        results.push({ benchmark: m.name, case: c.name, workload: c.workload ?? c.name, system: c.system ?? 'streamtasks', failed: String(failures[i]?.message ?? 'no result'), target: c.target });
      } else {
        results.push(summarize(m, c, samples[i]));
      }
    });
  }
  const seconds = (performance.now() - started) / 1000;
  info.loadavgEnd = os.loadavg().map((x) => Math.round(x * 100) / 100);

  // One row per workload: streamtasks (or the reference) beside NATS.
  const rows = [];
  for (const m of modules) {
    const mine = results.filter((r) => r.benchmark === m.name);
    const workloads = [...new Set(mine.map((r) => r.workload))];
    for (const w of workloads) {
      const st = mine.find((r) => r.workload === w && r.system !== 'nats');
      const nats = mine.find((r) => r.workload === w && r.system === 'nats');
      const ratio = st?.median !== undefined && nats?.median !== undefined ? st.median / nats.median : undefined;
      // TCP rows name the row of the bare pipeline (tcp-limit) that is their limit.
      const limitOf = (r) => {
        const limit = r?.limit && results.find((x) => x.benchmark === 'tcp-limit' && x.workload === r.limit && x.median !== undefined);
        return limit && r.median !== undefined ? r.median / limit.median : undefined;
      };
      const row = { benchmark: m.name, workload: w, st, nats, ratio, ofLimit: limitOf(st), natsOfLimit: limitOf(nats), siblings: mine.filter((r) => r.system !== 'nats' && r.median !== undefined) };
      const { text, met } = judge(row);
      row.targetText = text;
      row.met = met;
      if (st && !st.skipped && !st.failed) {
        st.targetText = text;
        st.met = met;
        if (ratio !== undefined) st.vsNats = ratio;
        if (row.ofLimit !== undefined) st.ofLimit = row.ofLimit;
      }
      rows.push(row);
    }
  }

  const cell = (r) => {
    if (!r) return ['', '', '', '', ''];
    if (r.skipped) return ['skipped', '', '', '', ''];
    if (r.failed) return ['failed', '', '', '', ''];
    const isRate = r.kind === 'rate';
    return [
      formatFigure(r.median, r.unit, isRate),
      isRate ? `${formatRate(r.min)}–${formatRate(r.max)}` : `${formatValue(r.min)}–${formatValue(r.max)}`,
      formatLatency(r.p50),
      formatLatency(r.p99),
      formatLatency(r.p999),
    ];
  };
  const percent = (x) => (x === undefined ? '' : `${x >= 0.1 ? Math.round(x * 100) : (x * 100).toFixed(1)} %`);
  const ofLimit = (row) => [percent(row.ofLimit), row.natsOfLimit === undefined ? '' : `NATS ${percent(row.natsOfLimit)}`].filter(Boolean).join(', ');
  const cpu = (r) => (r?.cpuUsPerOp ? Object.values(r.cpuUsPerOp).join(' / ') : '');
  const cpuCell = (row) => [cpu(row.st), row.nats?.cpuUsPerOp ? `NATS ${cpu(row.nats)}` : ''].filter(Boolean).join(', ');
  const header = ['benchmark', 'workload', 'streamtasks', 'min–max', 'p50', 'p99', 'p99.9', 'NATS', 'min–max', 'p50', 'p99', 'p99.9', 'ratio', 'of limit', 'CPU µs/msg', 'target', 'met'];
  const table = rows.map((row) => [
    row.benchmark,
    row.st?.system === 'reference' ? `${row.workload} (reference)` : row.workload,
    ...cell(row.st),
    ...cell(row.nats),
    row.ratio !== undefined ? `${row.ratio.toFixed(2)}×` : '',
    ofLimit(row),
    cpuCell(row),
    row.targetText,
    row.met === undefined ? '' : row.met ? 'yes' : 'NO',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...table.map((r) => r[i].length)));
  const line = (cells) => cells.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd();
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const r of table) console.log(line(r));
  const about = `${info.cpu}, ${info.cores} cores, Node ${info.node}, median of ${RUNS} runs${QUICK ? ' (quick)' : ''}; ${seconds.toFixed(0)} s; load average ${info.loadavgStart[0]} at the start, ${info.loadavgEnd[0]} at the end`;
  console.log(`\n${about}`);
  for (const [reason, which] of skipped) console.log(`skipped ${which.length} case(s): ${reason}`);
  const notes = results.filter((r) => r.note).map((r) => `${r.benchmark} ${r.case}${r.system === 'nats' ? ' [NATS]' : ''}: ${r.note}`);
  for (const r of results.filter((x) => x.failed)) notes.push(`${r.benchmark} ${r.case}${r.system === 'nats' ? ' [NATS]' : ''} FAILED: ${r.failed.split('\n')[0]}`);
  for (const r of results.filter((x) => x.cpuUsPerOp)) {
    notes.push(`${r.benchmark} ${r.workload}${r.system === 'nats' ? ' [NATS]' : ' [streamtasks]'}: CPU time per message ${Object.entries(r.cpuUsPerOp).map(([k, v]) => `${k} ${v} µs`).join(', ')}`);
  }
  for (const n of notes) console.log(`note: ${n}`);

  const partial = filters.length > 0 || QUICK;
  const outDir = partial ? path.join(benchDir, 'results', 'tmp') : path.join(benchDir, 'results');
  mkdirSync(outDir, { recursive: true });
  const date = new Date().toISOString();
  const json = { date, machine: info, runs: RUNS, warmup: WARMUP, quick: QUICK, seconds: Math.round(seconds), results };
  writeFileSync(path.join(outDir, 'latest.json'), JSON.stringify(json, null, 2) + '\n');
  const md = [
    '# Benchmark results',
    '',
    `${date.slice(0, 10)}${info.commit ? `, commit ${info.commit}${info.dirty ? ' (with uncommitted changes)' : ''}` : ''}.`,
    '',
    `Machine: ${info.cpu}, ${info.cores} cores, ${info.memoryGiB} GiB, ${info.os}, Node ${info.node}; ` +
      `NATS: ${info.nats.server}, client ${info.nats.client}. Load average ${info.loadavgStart.join(' / ')} at the start, ${info.loadavgEnd.join(' / ')} at the end.`,
    '',
    `Each figure is the median of ${RUNS} runs (min–max beside it)${WARMUP ? `, after ${WARMUP} untimed warm-up run(s) of the in-process cases` : ''}; ` +
      `p50/p99/p99.9 are the medians of the runs' percentiles. Ratio = streamtasks / NATS; of limit = the figure over the matching row of the bare TCP pipeline (tcp-limit); ` +
      `CPU µs/msg = publisher / server / subscriber (or requester / server / responder). Produced by \`npm run bench${QUICK ? ' -- --quick' : ''}\` in ${seconds.toFixed(0)} s.`,
    '',
    ...modules.filter((m) => m.description).map((m) => `- **${m.name}**: ${m.description}`),
    '',
    `| ${header.join(' | ')} |`,
    `| ${header.map((_, i) => (i >= 2 && i < header.indexOf('target') ? '---:' : '---')).join(' | ')} |`,
    ...table.map((r) => `| ${r.map((c) => c.replace(/\|/g, '\\|')).join(' | ')} |`),
    '',
    ...[...skipped].map(([reason, which]) => `Skipped ${which.length} case(s): ${reason}.`),
    ...notes.map((n) => `- ${n}`),
    '',
  ];
  writeFileSync(path.join(outDir, 'latest.md'), md.join('\n'));
  process.stderr.write(`wrote ${path.relative(process.cwd(), path.join(outDir, 'latest.json'))} and latest.md\n`);
}

try {
  await main();
} finally {
  lib.killAll();
}
// Timers or sockets left by a failed run must not keep the process alive.
process.exit(process.exitCode ?? 0);
