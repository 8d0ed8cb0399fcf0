// Helpers shared by the benchmarks (files starting with `_` are not run as
// benchmarks): child processes that are always cleaned up, free ports,
// percentiles, the 100-byte payload, and finding nats-server.
import { spawn } from 'node:child_process';
import { accessSync, constants as fsConstants, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { clearTimeout, setTimeout } from 'node:timers';
import { fileURLToPath } from 'node:url';

export const benchDir = path.dirname(fileURLToPath(import.meta.url));
export const repoDir = path.resolve(benchDir, '..');
/** The `streamtasks` command line, as built. */
export const cliPath = path.join(repoDir, 'packages', 'cli', 'dist', 'cli.js');
export const workerPath = path.join(benchDir, '_worker.mjs');

/** `--quick` (BENCH_QUICK=1): smaller workloads, for a short run. */
export const QUICK = process.env.BENCH_QUICK === '1';
/** A workload size: `full` normally, `quick` in a quick run; `env` overrides both. */
export function size(full, quick, env) {
  const given = env === undefined ? undefined : process.env[env];
  if (given !== undefined && given !== '') return Number(given);
  return QUICK ? quick : full;
}

/** Figures one benchmark module records for a later one in the same run (e.g. `nats-saturation`: NATS's pub/sub rates). */
export const measured = new Map();

// ---- statistics ---------------------------------------------------------

/** The p-th percentile (0–100) of an ascending-sorted array (nearest rank). */
export function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((sorted.length * p) / 100) - 1))];
}

/** p50/p99 in microseconds, rounded to 0.1 µs, from latencies in milliseconds. */
export function latencyUs(latenciesMs) {
  const sorted = Float64Array.from(latenciesMs).sort();
  const round = (ms) => Math.round(ms * 10_000) / 10;
  return { p50: round(percentile(sorted, 50)), p99: round(percentile(sorted, 99)) };
}

/** Milliseconds on the system's monotonic clock: comparable between processes on one machine. */
export function monoMs() {
  return Number(process.hrtime.bigint()) / 1e6;
}

// ---- the payload --------------------------------------------------------

/** Bytes of padding that make {@link payload} encode to exactly 100 MessagePack bytes. */
export const PAD = new Uint8Array(63).fill(0x61);
export const PAYLOAD_BYTES = 100;
/** Added to the sequence number so that it always encodes as a uint32 (fixed size). */
export const SEQ_BASE = 1_000_000_000;

/**
 * The payload every pub/sub and request/reply benchmark sends, on both
 * systems: `{ timestamp, value, pad }`, 100 bytes as MessagePack (timestamp a
 * float64 on the monotonic clock in ms, value a uint32, pad 63 bytes).
 */
export function payload(i) {
  return { timestamp: monoMs(), value: SEQ_BASE + i, pad: PAD };
}

// The raw variant: the same 100 bytes built from a template, timestamp and
// value written in place, read back from the bytes without decoding them.
let template;
let offsets;
const f64 = new Float64Array(1);
const f64Bytes = new Uint8Array(f64.buffer);
const LITTLE_ENDIAN = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1;

/** Installs the template (the MessagePack encoding of `payload(0)`), given the encoder to use. */
export function setRawTemplate(encodeValue) {
  template = encodeValue({ timestamp: 0.5, value: SEQ_BASE, pad: PAD });
  // 0x83, fixstr "timestamp", 0xcb + 8 bytes, fixstr "value", 0xce + 4 bytes, fixstr "pad", bin8 63 bytes
  offsets = { timestamp: 12, value: 27 };
  if (template.length !== PAYLOAD_BYTES || template[11] !== 0xcb || template[26] !== 0xce) throw new Error('unexpected payload layout');
}

/** A fresh 100-byte payload (the bytes of `payload(i)`) without running the encoder. */
export function rawPayload(i, alloc) {
  const out = alloc(PAYLOAD_BYTES);
  out.set(template);
  f64[0] = monoMs();
  const t = offsets.timestamp;
  for (let k = 0; k < 8; k++) out[t + k] = f64Bytes[LITTLE_ENDIAN ? 7 - k : k];
  const v = SEQ_BASE + i;
  const o = offsets.value;
  out[o] = v >>> 24;
  out[o + 1] = (v >>> 16) & 0xff;
  out[o + 2] = (v >>> 8) & 0xff;
  out[o + 3] = v & 0xff;
  return out;
}

/** Timestamp and value of a payload, read from its bytes. */
export function readRaw(bytes) {
  const t = offsets.timestamp;
  for (let k = 0; k < 8; k++) f64Bytes[LITTLE_ENDIAN ? 7 - k : k] = bytes[t + k];
  const o = offsets.value;
  return [f64[0], bytes[o] * 0x1000000 + ((bytes[o + 1] << 16) | (bytes[o + 2] << 8) | bytes[o + 3])];
}

// ---- ports and processes ------------------------------------------------

/** A TCP port on 127.0.0.1 that was free a moment ago. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

const CLOCK_TICKS = 100;
const children = new Set();
let cleanupInstalled = false;

function installCleanup() {
  if (cleanupInstalled) return;
  cleanupInstalled = true;
  process.on('exit', () => killAll('SIGKILL'));
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.once(sig, () => {
      killAll('SIGKILL');
      process.exit(130);
    });
  }
}

/** Kills every child process started through {@link startProcess} that is still running. */
export function killAll(signal = 'SIGKILL') {
  for (const child of children) {
    try {
      // Each child leads its own process group: the shell wrapper and what it started go together.
      process.kill(-child.pid, signal);
    } catch {
      try {
        child.kill(signal);
      } catch {
        // already gone
      }
    }
  }
}

/**
 * A child process whose output is read line by line. It is killed when the
 * benchmark process exits (or on timeout through {@link killAll}).
 */
export class Child {
  constructor(command, args, options = {}) {
    installCleanup();
    this.name = options.name ?? path.basename(command);
    this.lines = [];
    this.stderr = [];
    this.waiters = [];
    this.exited = false;
    this.proc = spawn(command, args, {
      cwd: options.cwd ?? repoDir,
      env: { ...process.env, ...options.env },
      stdio: ['pipe', 'pipe', 'pipe'],
      detached: true,
    });
    children.add(this.proc);
    this.exit = new Promise((resolve) => {
      this.proc.once('exit', (code, signal) => {
        this.exited = true;
        children.delete(this.proc);
        this.code = code;
        this.signal = signal;
        for (const w of this.waiters.splice(0)) w.check();
        resolve({ code, signal });
      });
    });
    this.proc.once('error', (err) => {
      this.error = err;
    });
    const onText = (sink) => {
      let rest = '';
      return (chunk) => {
        rest += chunk.toString('utf8');
        const parts = rest.split('\n');
        rest = parts.pop();
        for (const line of parts) {
          sink.push(line);
          for (const w of [...this.waiters]) w.check();
        }
      };
    };
    this.proc.stdout.on('data', onText(this.lines));
    this.proc.stderr.on('data', onText(this.stderr));
    this.proc.stdin.on('error', () => {});
  }

  get pid() {
    return this.proc.pid;
  }

  /** Resolves with the first output line (stdout or stderr) matching `re` (its match), rejects on exit or timeout. */
  waitFor(re, timeoutMs = 20_000) {
    return new Promise((resolve, reject) => {
      const waiter = {
        check: () => {
          for (const line of [...this.lines, ...this.stderr]) {
            const m = re.exec(line);
            if (m) {
              done();
              resolve(m);
              return;
            }
          }
          if (this.exited) {
            done();
            reject(new Error(`${this.name} exited (code ${this.code}, signal ${this.signal}) before printing ${re}:\n${this.tail()}`));
          }
        },
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`${this.name} did not print ${re} within ${timeoutMs} ms:\n${this.tail()}`));
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        const i = this.waiters.indexOf(waiter);
        if (i >= 0) this.waiters.splice(i, 1);
      };
      this.waiters.push(waiter);
      waiter.check();
    });
  }

  /** The JSON after `RESULT ` that a worker prints when it is done. */
  async result(timeoutMs) {
    const m = await this.waitFor(/^RESULT (.*)$/, timeoutMs);
    return JSON.parse(m[1]);
  }

  /** CPU seconds (user + system) the process has used so far, from /proc (Linux); undefined elsewhere. */
  cpuSeconds() {
    try {
      const stat = readFileSync(`/proc/${this.proc.pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      // utime and stime are fields 14 and 15 of the whole line, in clock ticks (100 per second on Linux).
      return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
    } catch {
      return undefined;
    }
  }

  send(line) {
    if (!this.exited) this.proc.stdin.write(`${line}\n`);
  }

  tail() {
    return [...this.lines.slice(-10), ...this.stderr.slice(-20)].join('\n');
  }

  /** Asks the process to stop (SIGTERM), then kills it after `graceMs`. */
  async stop(graceMs = 2000) {
    if (this.exited) return this.exit;
    try {
      process.kill(-this.proc.pid, 'SIGTERM');
    } catch {
      this.proc.kill('SIGTERM');
    }
    const timer = setTimeout(() => {
      try {
        process.kill(-this.proc.pid, 'SIGKILL');
      } catch {
        this.proc.kill('SIGKILL');
      }
    }, graceMs);
    const r = await this.exit;
    clearTimeout(timer);
    return r;
  }
}

/** `BENCH_CPU_PROF=DIR`: every Node child process writes a CPU profile (`--cpu-prof`) into DIR when it exits. */
export const profileArgs = process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [];

/** Starts a benchmark worker role (see _worker.mjs) in its own Node process. */
export function startWorker(role, args, options = {}) {
  return new Child(process.execPath, [...profileArgs, ...(options.nodeArgs ?? []), workerPath, role, JSON.stringify(args)], { name: role, ...options });
}

/**
 * CPU time per operation of each process, in µs: `{ name: µs }` from the
 * CPU seconds each child used between `before` (from {@link cpuSnapshot}) and now.
 */
export function cpuPerOp(before, ops) {
  const out = {};
  for (const [name, { child, seconds }] of Object.entries(before)) {
    const now = child.cpuSeconds();
    if (now !== undefined && seconds !== undefined) out[name] = Math.round(((now - seconds) * 1e6 * 10) / ops) / 10;
  }
  return out;
}

/** The CPU seconds used so far by each named child, for {@link cpuPerOp}. */
export function cpuSnapshot(named) {
  return Object.fromEntries(Object.entries(named).map(([name, child]) => [name, { child, seconds: child.cpuSeconds() }]));
}

/** Stops every given child, in parallel. */
export function stopAll(...list) {
  return Promise.all(list.filter(Boolean).map((c) => c.stop()));
}

// ---- nats-server --------------------------------------------------------

const NATS_CANDIDATES = ['/usr/sbin/nats-server', '/usr/bin/nats-server', '/usr/local/bin/nats-server', '/usr/local/sbin/nats-server'];
let natsServerPath;

/**
 * The nats-server executable: $NATS_SERVER when set (and only that), else the
 * first on the PATH or where Debian puts it; undefined when there is none.
 */
export function findNatsServer() {
  if (natsServerPath !== undefined) return natsServerPath || undefined;
  const explicit = process.env.NATS_SERVER;
  const dirs = (process.env.PATH ?? '').split(path.delimiter).filter(Boolean).map((d) => path.join(d, 'nats-server'));
  natsServerPath = '';
  for (const candidate of explicit ? [explicit] : [...dirs, ...NATS_CANDIDATES]) {
    try {
      accessSync(candidate, fsConstants.X_OK);
      natsServerPath = candidate;
      break;
    } catch {
      // not here
    }
  }
  return natsServerPath || undefined;
}

export const NATS_MISSING =
  'nats-server not found: install it (Debian/Ubuntu: `sudo apt-get install nats-server`; it lands in /usr/sbin) ' +
  'or set NATS_SERVER=/path/to/nats-server. The NATS rows are skipped';

/** Why the NATS cases cannot run, or undefined when they can. */
export function natsUnavailable() {
  return findNatsServer() ? undefined : NATS_MISSING;
}

/** Starts nats-server on a free local port; resolves with the child and its URL once it accepts clients. */
export async function startNatsServer() {
  const bin = findNatsServer();
  if (!bin) throw new Error(NATS_MISSING);
  const port = await freePort();
  const child = new Child(bin, ['-a', '127.0.0.1', '-p', String(port)], { name: 'nats-server' });
  await child.waitFor(/Server is ready/, 10_000);
  return { child, url: `127.0.0.1:${port}` };
}

/** Starts `streamtasks node` (the command line as built) listening on a free TCP port; resolves with the child and its URL. */
export async function startStreamtasksNode(extraArgs = []) {
  // Without the local node socket: the benchmark's nodes must not share (or take) the machine's default one.
  const child = new Child(process.execPath, [...profileArgs, cliPath, 'node', '--no-node-socket', '--serve', 'tcp://127.0.0.1:0', ...extraArgs], { name: 'streamtasks node' });
  const m = await child.waitFor(/listening on (tcp:\/\/\S+)/, 10_000);
  await child.waitFor(/\bready\b/, 10_000);
  return { child, url: m[1] };
}

// ---- worker processes (_worker.mjs, _net-worker.mjs) -------------------------

/** A worker's role and its JSON arguments, from `node WORKER ROLE 'JSON-ARGS'`. */
export function workerRole() {
  const [role, rawArgs = '{}'] = process.argv.slice(2);
  return { role, args: JSON.parse(rawArgs) };
}

/** Writes one line of the worker protocol (`READY`, `RESULT {json}`). */
export const say = (line) => process.stdout.write(`${line}\n`);
/** Reports a worker's figure as `RESULT {json}`. */
export const result = (r) => say(`RESULT ${JSON.stringify(r)}`);

/** Ends the process on SIGTERM after `close` (bounded: a stuck close cannot keep it alive). */
export function onTerm(close) {
  process.once('SIGTERM', () => {
    setTimeout(() => process.exit(0), 1000).unref();
    Promise.resolve()
      .then(close)
      .finally(() => process.exit(0));
  });
}
