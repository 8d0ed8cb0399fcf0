// Helpers of the benchmarks that run on _net-worker.mjs (latency at a fixed
// rate, the bare pipeline, fan-out, many clients, large payloads): starting
// their roles, nats-server with a raised max_payload, combining what several
// receivers counted, and the memory of a process.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Child, benchDir, findNatsServer, freePort, NATS_MISSING, profileArgs, stopAll } from './_lib.mjs';

export const netWorkerPath = path.join(benchDir, '_net-worker.mjs');

/** Starts a role of _net-worker.mjs in its own Node process. */
export function startNetWorker(role, args, options = {}) {
  return new Child(process.execPath, [...profileArgs, ...(options.nodeArgs ?? []), netWorkerPath, role, JSON.stringify(args)], { name: role, ...options });
}

/**
 * Starts nats-server on a free local port with `config` (nats-server
 * configuration lines, e.g. `max_payload: 9000000`); resolves with the child
 * and its URL once it accepts clients. The configuration file is removed
 * once the server has read it.
 */
export async function startNatsServerWith(config = []) {
  const bin = findNatsServer();
  if (!bin) throw new Error(NATS_MISSING);
  const port = await freePort();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'bench-nats-'));
  const file = path.join(dir, 'nats.conf');
  writeFileSync(file, [`listen: 127.0.0.1:${port}`, ...config, ''].join('\n'));
  try {
    const child = new Child(bin, ['-c', file], { name: 'nats-server' });
    await child.waitFor(/Server is ready/, 10_000);
    return { child, url: `127.0.0.1:${port}` };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Starts a streamtasks node as `streamtasks node --serve tcp://127.0.0.1:0`
 * runs it, with `server` options its command line has no flags for (e.g.
 * `maxBufferedBytes`); resolves with the child and its URL once it is ready.
 */
export async function startStreamtasksNodeWith(server) {
  const child = startNetWorker('st-node', { server }, { name: 'streamtasks node' });
  try {
    const m = await child.waitFor(/listening on (tcp:\/\/\S+)/, 10_000);
    await child.waitFor(/\bready\b/, 10_000);
    return { child, url: m[1] };
  } catch (err) {
    await stopAll(child);
    throw err;
  }
}

/** Resident set size of a process in MB (Linux /proc), or undefined. */
export function rssMB(pid) {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Combines the RESULTs of receivers that counted what arrived (`received`,
 * `expected`, `outOfOrder`, monotonic `first`/`last`): throws when anything
 * was lost or reordered; otherwise the rate over the span from the first
 * arrival at any of them to the last at any of them.
 */
export function combine(results, { unit, opsPer = 1 } = {}) {
  let received = 0;
  let expected = 0;
  let outOfOrder = 0;
  let first = Infinity;
  let last = -Infinity;
  for (const r of results) {
    received += r.received;
    expected += r.expected;
    outOfOrder += r.outOfOrder;
    first = Math.min(first, r.first);
    last = Math.max(last, r.last);
  }
  if (received !== expected) throw new Error(`only ${received} of ${expected} messages arrived`);
  if (outOfOrder) throw new Error(`${outOfOrder} messages arrived out of order`);
  // The first arrival starts the clock: it is not counted.
  return { ops: (received - results.length) * opsPer, seconds: (last - first) / 1000, unit };
}

/** Checks one latency receiver's RESULT: nothing lost or reordered. */
export function checkComplete(r) {
  if (r.received !== r.expected) throw new Error(`only ${r.received} of ${r.expected} messages arrived`);
  if (r.outOfOrder) throw new Error(`${r.outOfOrder} messages arrived out of order`);
  return r;
}
