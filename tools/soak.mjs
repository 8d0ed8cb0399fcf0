#!/usr/bin/env node
// Long runs against the BUILT packages (`npm run soak` builds first). Run
// with `node --expose-gc` so that heap figures are taken after a full GC.
//
//   --minutes N        the mixed workload (default): a node with discovery and
//                      a second node over TCP; pub/sub with sequence checks,
//                      fetch, signals, name registration and removal, clients
//                      that come and go, and a client whose connection is
//                      dropped and restored again and again. Reports
//                      throughput, errors, memory and handles every ~10 s.
//   --cycles N         drop/reconnect cycles: after each, the subscription and
//                      the address must work again; heap (after GC) and
//                      active handles stay within ±5 % of the baseline.
//   --slow-consumer N  N messages from a fast producer to a consumer that
//                      reads slowly: memory stays bounded (< 100 MB growth)
//                      and every message is either received or counted as
//                      dropped with a slow-consumer event.
//   --chain N          N messages through three switches over TCP: none
//                      lost, order kept.
//
// Exits non-zero on loss, errors, a restoration that does not happen, growth,
// or handles left behind after everything is closed.
//
// usage: node --expose-gc tools/soak.mjs [--minutes N | --cycles N | --slow-consumer N | --chain N] [--report S]
import { parseArgs } from 'node:util';
import { getHeapSpaceStatistics } from 'node:v8';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { setImmediate, setInterval, clearInterval } from 'node:timers';
import { startNode } from '@streamtasks/cli';
import { Switch, createQueueLinkPair } from '@streamtasks/link';
import { Client } from '@streamtasks/client';
import { connect, createReconnector } from '@streamtasks/transports';
import { InTopic, OutTopic } from '@streamtasks/topic';
import { FetchServer } from '@streamtasks/fetch';
import { SignalServer, sendSignal } from '@streamtasks/signal';
import { discoveryNames, registerAddressName, requestAddress, trackAddressNames, unregisterAddressName } from '@streamtasks/discovery';

const { values: args } = parseArgs({
  options: {
    minutes: { type: 'string' },
    cycles: { type: 'string' },
    'slow-consumer': { type: 'string' },
    chain: { type: 'string' },
    report: { type: 'string', default: '10' },
  },
});
const REPORT_MS = Number(args.report) * 1000;
const started = performance.now();
const failures = [];

// ---- helpers ---------------------------------------------------------------

const elapsed = () => `${((performance.now() - started) / 1000).toFixed(0).padStart(5)} s`;
const log = (line) => console.log(`[${elapsed()}] ${line}`);
const mb = (bytes) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;
const tick = () => new Promise((resolve) => setImmediate(resolve));

function fail(what) {
  failures.push(what);
  log(`FAILURE: ${what}`);
}

/** Active handles and requests by type (what `process.getActiveResourcesInfo()` lists), stdio left out. */
function resources() {
  const byType = {};
  for (const r of process.getActiveResourcesInfo()) {
    if (r === 'PipeWrap' || r === 'TTYWrap' || r === 'CloseReq' || r === 'FSReqCallback') continue;
    byType[r] = (byType[r] ?? 0) + 1;
  }
  return byType;
}

const total = (byType) => Object.values(byType).reduce((a, b) => a + b, 0);
const describe = (byType) => Object.entries(byType).sort().map(([k, v]) => `${k} ${v}`).join(', ');

/**
 * Heap after a full GC (when --expose-gc), RSS and active resources. `data`
 * is the heap without the code spaces: V8 keeps compiling and replacing
 * optimized code for a while under a new load, which says nothing about
 * leaks; growth is judged on `data`, and both figures are reported.
 */
async function measure() {
  if (globalThis.gc) {
    // Twice, with a turn between: finalizers and weak callbacks run in between.
    globalThis.gc();
    await tick();
    globalThis.gc();
  }
  const m = process.memoryUsage();
  let code = 0;
  for (const space of getHeapSpaceStatistics()) if (space.space_name.startsWith('code')) code += space.space_used_size;
  return { heap: m.heapUsed, data: m.heapUsed - code, rss: m.rss, handles: resources() };
}

/** Waits until `check()` holds, checking every few ms. */
async function until(check, what, timeout = 10_000) {
  const deadline = performance.now() + timeout;
  while (!(await check())) {
    if (performance.now() > deadline) throw new Error(`timed out after ${timeout} ms waiting for ${what}`);
    await sleep(2);
  }
}

/** A started client on a new TCP connection (with an address from discovery when asked). */
async function tcpClient(url, withAddress = false) {
  const client = new Client(await connect(url, { timeout: 10_000 }), { nameResolver: discoveryNames }).start();
  if (withAddress) await requestAddress(client, { timeout: 10_000 });
  return client;
}

/** A client behind a local switch that a reconnector keeps connected to `url`. */
async function reconnectingClient(url, delay = 20) {
  const local = new Switch();
  const [switchSide, clientSide] = createQueueLinkPair();
  local.addLink(switchSide);
  const client = new Client(clientSide, { nameResolver: discoveryNames }).start();
  const reconnector = createReconnector(url, { switch: local, delay, maxDelay: 500 });
  let connects = 0;
  reconnector.events.on('status', (s) => {
    if (s.state === 'connected') connects++;
  });
  await reconnector.waitConnected({ timeout: 10_000 });
  await requestAddress(client, { timeout: 10_000 });
  return {
    client,
    reconnector,
    local,
    get connects() {
      return connects;
    },
    async close() {
      client.close();
      await reconnector.stop();
      local.close();
    },
  };
}

/** Async loops that run until stopped; errors are counted, not thrown. */
const { AbortController } = globalThis;

class Load {
  constructor() {
    this.on = true;
    this.loops = [];
    /** Aborted by stop(), so that waits inside the loops end. */
    this.stopping = new AbortController();
  }
  get signal() {
    return this.stopping.signal;
  }
  run(name, body) {
    this.loops.push((async () => {
      while (this.on) await body();
    })().catch((err) => fail(`${name} stopped: ${err?.stack ?? err}`)));
  }
  async stop() {
    this.on = false;
    this.stopping.abort();
    await Promise.all(this.loops);
  }
}

/** Compares a quiet measurement with the baseline; returns the problems. */
function compare(base, now, { heapTolerance, handleTolerance }) {
  const problems = [];
  const heapGrowth = (now.data - base.data) / base.data;
  if (globalThis.gc && Math.abs(heapGrowth) > heapTolerance) {
    problems.push(`heap without code changed ${(heapGrowth * 100).toFixed(1)} % (${mb(base.data)} → ${mb(now.data)}; tolerance ±${(heapTolerance * 100).toFixed(0)} %)`);
  }
  const b = total(base.handles);
  const n = total(now.handles);
  if (Math.abs(n - b) > Math.max(handleTolerance * b, 0)) {
    problems.push(`active handles ${b} → ${n} (${describe(base.handles)} → ${describe(now.handles)})`);
  }
  return problems;
}

function summary(name, lines) {
  console.log(`\n=== soak ${name}: ${failures.length === 0 ? 'OK' : 'FAILED'}`);
  for (const line of lines) console.log(line);
  for (const f of failures) console.log(`  failure: ${f}`);
  if (!globalThis.gc) console.log('  (run with node --expose-gc for heap figures after GC)');
  process.exitCode = failures.length === 0 ? 0 : 1;
}

// ---- the mixed workload ----------------------------------------------------

async function mixed(minutes) {
  const handlesAtStart = resources();
  const T1 = 200_001; // stable pub/sub, checked for loss and order
  const TR = 200_002; // to the reconnecting client
  const nodeA = await startNode({ core: true, serve: ['tcp://127.0.0.1:0'] });
  const nodeB = await startNode({ serve: ['tcp://127.0.0.1:0'], connect: [nodeA.urls[0]], reconnectDelay: 50 });
  const [urlA] = nodeA.urls;
  const [urlB] = nodeB.urls;
  const serverLinksB = new Set();
  nodeB.events.on('connection-accepted', (_server, _info, link) => {
    serverLinksB.add(link);
    void link.closed.then(() => serverLinksB.delete(link));
  });
  const nodeErrors = [];
  for (const node of [nodeA, nodeB]) node.events.on('error', (err) => nodeErrors.push(err));

  const stats = { published: 0, received: [0, 0], fetches: 0, fetchErrors: 0, signalsSent: 0, signalsGot: 0,
    names: 0, clients: 0, drops: 0, restored: 0, rData: 0, errors: 0 };

  // Pub/sub on the stable path: P on A, S1 on B (three TCP links and two switches away), S2 on A.
  const p = await tcpClient(urlA, true);
  const s1 = await tcpClient(urlB, true);
  const s2 = await tcpClient(urlA);
  const out = new OutTopic(p, T1);
  const subs = [new InTopic(s1, T1), new InTopic(s2, T1)];
  for (const s of subs) s.events.on('slow-consumer', (n) => fail(`a subscriber dropped ${n} messages`));
  await until(() => p.isRequested(T1), 'the stable topic to be requested');
  const expected = [0, 0];
  const readers = subs.map((sub, i) => (async () => {
    for await (const data of sub) {
      if (data.seq !== expected[i]) {
        fail(`subscriber ${i + 1} got #${data.seq}, expected #${expected[i]} (loss or reordering)`);
        expected[i] = data.seq;
      }
      expected[i]++;
      stats.received[i]++;
    }
  })());

  // Fetch and signals on the stable path: F on A asks Q on B (by name).
  const f = await tcpClient(urlA, true);
  const q = await tcpClient(urlB, true);
  const fetchServer = new FetchServer(q).route('echo', ({ body }) => body).start();
  const signalServer = new SignalServer(q).route('tick', () => void stats.signalsGot++).start();
  await registerAddressName(q, 'soak-q', undefined, { timeout: 10_000 });
  const tracker = await trackAddressNames(f, { timeout: 10_000 });

  // The client whose connection is dropped again and again (to B).
  const r = await reconnectingClient(urlB);
  const rFetch = new FetchServer(r.client).route('echo', ({ body }) => body).start();
  const rTopic = new InTopic(r.client, TR, { maxQueued: 1024 });
  const rOut = new OutTopic(p, TR);
  let rLast = -1;
  const rReader = (async () => {
    for await (const data of rTopic) {
      rLast = data.n;
      stats.rData++;
    }
  })();

  let load;
  let rSeq = 0;
  const startLoad = () => {
    load = new Load();
    // Publisher: batches with backpressure, never more than 20 000 ahead of the slower subscriber.
    load.run('publisher', async () => {
      const ahead = stats.published - Math.min(...stats.received);
      if (ahead > 20_000) return sleep(1);
      for (let i = 0; i < 200; i++) {
        const sent = out.send({ seq: stats.published++, at: Date.now(), pad: 'x'.repeat(64) });
        if (i === 199) await sent;
      }
      await tick();
    });
    for (let i = 0; i < 8; i++) {
      load.run('fetch', async () => {
        const body = { n: stats.fetches, pad: 'y'.repeat(100) };
        try {
          const answer = await f.fetch('soak-q', 'echo', body, { timeout: 10_000 });
          if (answer.n !== body.n) throw new Error('fetch answer does not match');
          stats.fetches++;
        } catch (err) {
          stats.fetchErrors++;
          fail(`fetch: ${err.message}`);
        }
      });
    }
    load.run('signals', async () => {
      for (let i = 0; i < 20; i++) {
        await sendSignal(f, 'soak-q', 'tick', { n: stats.signalsSent });
        stats.signalsSent++;
      }
      await sleep(1);
    });
    load.run('names', async () => {
      const name = `soak-n-${stats.names}`;
      await registerAddressName(q, name, undefined, { timeout: 10_000 });
      await until(() => f.cachedAddressName(name) !== undefined, `F to learn ${name}`);
      await unregisterAddressName(q, name, { timeout: 10_000 });
      await until(() => f.cachedAddressName(name) === undefined, `F to forget ${name}`);
      if ((await f.resolveAddressName(name, { timeout: 10_000 })) !== undefined) fail(`${name} still resolves after unregistering`);
      stats.names++;
      await sleep(50);
    });
    load.run('clients', async () => {
      // A client comes, gets an address, takes one message of the stable topic, and goes.
      const c = await tcpClient(stats.clients % 2 ? urlA : urlB, true);
      try {
        const sub = new InTopic(c, T1);
        await sub.recvData({ timeout: 10_000, signal: load.signal });
        stats.clients++;
      } catch (err) {
        // The publisher stops first when the load is stopped.
        if (!load.signal.aborted) throw err;
      } finally {
        c.close();
      }
      await sleep(20);
    });
    load.run('reconnects', async () => {
      // Drop the connection (alternately from the client and from the server side)…
      const before = r.connects;
      const link = r.reconnector.link;
      if (stats.drops % 2 === 0) link?.close(new Error('soak: dropped by the client'));
      else for (const l of serverLinksB) if (!l.isClosed && r.client.address !== undefined && l.addresses.has(r.client.address)) nodeB.switch.removeLink(l);
      stats.drops++;
      await until(() => r.connects > before, 'the reconnect', 10_000);
      // …then the subscription must carry data again…
      const marker = ++rSeq * 1_000_000;
      let n = marker;
      await until(() => {
        void rOut.send({ n: n++ });
        return rLast >= marker;
      }, 'the subscription to be restored', 10_000);
      // …and the address must be reachable again.
      await until(async () => {
        try {
          return (await f.fetch(r.client.address, 'echo', marker, { timeout: 200 })) === marker;
        } catch {
          return false;
        }
      }, 'the address to be reachable again', 10_000);
      stats.restored++;
      await sleep(500);
    });
  };

  /** Stops the load and waits until everything sent has arrived. */
  const quiesce = async () => {
    await load.stop();
    await until(() => stats.received.every((n) => n === stats.published), 'the subscribers to catch up', 30_000);
    await until(() => stats.signalsGot === stats.signalsSent, 'every signal to arrive', 30_000);
    // Sockets of clients that left may still be closing.
    await sleep(200);
  };

  const reportLine = async (prev, span) => {
    const m = await measure();
    const rate = (k, i) => Math.round(((i === undefined ? stats[k] : stats[k][i]) - (i === undefined ? prev[k] : prev[k][i])) / span);
    log(
      `pub/sub ${rate('received', 0)}/s (${stats.received[0]} total), fetch ${rate('fetches')}/s, signals ${rate('signalsGot')}/s, ` +
      `names ${stats.names}, clients ${stats.clients}, drops/restored ${stats.drops}/${stats.restored}, ` +
      `errors ${failures.length}; heap ${mb(m.heap)} (without code ${mb(m.data)}), rss ${mb(m.rss)}, handles ${total(m.handles)}`,
    );
    return m;
  };

  const durationMs = minutes * 60_000;
  const warmupMs = Math.min(30_000, Math.max(5_000, durationMs * 0.05));
  log(`mixed workload for ${minutes} min (warm-up ${warmupMs / 1000} s); nodes ${urlA} (discovery) and ${urlB}`);
  startLoad();
  await sleep(warmupMs);
  await quiesce();
  const baseline = await measure();
  const firstLoaded = { ...stats, received: [...stats.received], t: performance.now() };
  log(`baseline (quiet, after warm-up): heap ${mb(baseline.heap)} (without code ${mb(baseline.data)}), rss ${mb(baseline.rss)}, handles ${total(baseline.handles)} (${describe(baseline.handles)})`);
  const samples = [];
  startLoad();
  const end = performance.now() + durationMs - warmupMs;
  let prev = { ...stats, received: [...stats.received] };
  let prevAt = performance.now();
  while (performance.now() < end && failures.length === 0) {
    await sleep(Math.min(REPORT_MS, Math.max(0, end - performance.now())));
    const span = (performance.now() - prevAt) / 1000;
    samples.push(await reportLine(prev, span));
    prev = { ...stats, received: [...stats.received] };
    prevAt = performance.now();
  }
  await quiesce();
  let quiet = await measure();
  // Timers of sockets that just closed may still be running: give them a moment.
  for (let i = 0; i < 20 && compare(baseline, quiet, { heapTolerance: 0.1, handleTolerance: 0 }).length > 0; i++) {
    await sleep(250);
    quiet = await measure();
  }
  const seconds = (performance.now() - firstLoaded.t) / 1000;
  for (const problem of compare(baseline, quiet, { heapTolerance: 0.1, handleTolerance: 0 })) fail(problem);
  if (stats.received[0] === 0 || stats.fetches === 0 || stats.restored === 0) fail('a part of the workload made no progress');
  for (const err of nodeErrors) fail(`node error: ${err.message}`);

  // Teardown: nothing may stay behind.
  for (const s of subs) s.close();
  rTopic.close();
  rOut.close();
  out.close();
  tracker.stop();
  fetchServer.stop();
  signalServer.stop();
  rFetch.stop();
  await r.close();
  for (const c of [p, s1, s2, f, q]) c.close();
  await Promise.all([...readers, rReader]);
  await nodeB.close();
  await nodeA.close();
  let after = resources();
  for (let i = 0; i < 40 && total(after) > total(handlesAtStart); i++) {
    await sleep(250);
    after = resources();
  }
  if (total(after) > total(handlesAtStart)) fail(`handles left after closing everything: ${describe(after)} (at start: ${describe(handlesAtStart)})`);

  const maxHeap = Math.max(...samples.map((s) => s.heap), quiet.heap);
  const maxRss = Math.max(...samples.map((s) => s.rss), quiet.rss);
  summary('mixed workload', [
    `  duration: ${minutes} min (${seconds.toFixed(0)} s measured after a ${warmupMs / 1000} s warm-up)`,
    `  pub/sub: ${stats.published} published, ${stats.received[0]} / ${stats.received[1]} received by the two subscribers ` +
      `(${Math.round((stats.received[0] - firstLoaded.received[0]) / seconds)}/s), no gap, no reordering: ${failures.some((x) => /subscriber/.test(x)) ? 'NO' : 'yes'}`,
    `  fetch: ${stats.fetches} answered (${Math.round((stats.fetches - firstLoaded.fetches) / seconds)}/s), ${stats.fetchErrors} errors`,
    `  signals: ${stats.signalsSent} sent, ${stats.signalsGot} received`,
    `  names: ${stats.names} registered, learnt, unregistered and forgotten`,
    `  clients that came and went: ${stats.clients}`,
    `  reconnects: ${stats.drops} drops, ${stats.restored} with subscription and address restored`,
    `  memory (quiet, after GC): heap ${mb(baseline.heap)} → ${mb(quiet.heap)}, without code ${mb(baseline.data)} → ${mb(quiet.data)} ` +
      `(${(((quiet.data - baseline.data) / baseline.data) * 100).toFixed(1)} %); while loaded at most ${mb(maxHeap)}; rss ${mb(baseline.rss)} → ${mb(quiet.rss)} (max ${mb(maxRss)})`,
    `  handles (quiet): ${total(baseline.handles)} → ${total(quiet.handles)}; after closing everything ${total(after)} (at start ${total(handlesAtStart)})`,
  ]);
}

// ---- drop/reconnect cycles -------------------------------------------------

async function cycles(count) {
  const handlesAtStart = resources();
  const T = 200_010;
  const node = await startNode({ core: true, serve: ['tcp://127.0.0.1:0'] });
  const [url] = node.urls;
  const serverLinks = new Set();
  node.events.on('connection-accepted', (_s, _i, link) => {
    serverLinks.add(link);
    void link.closed.then(() => serverLinks.delete(link));
  });
  const p = await tcpClient(url, true);
  const out = new OutTopic(p, T);
  const r = await reconnectingClient(url, 1);
  new FetchServer(r.client).route('echo', ({ body }) => body).start();
  const sub = new InTopic(r.client, T, { maxQueued: 1024 });
  const address = r.client.address;

  const cycle = async (i) => {
    const before = r.connects;
    if (i % 2 === 0) r.reconnector.link?.close(new Error('soak: dropped by the client'));
    else for (const l of serverLinks) if (l.addresses.has(address)) node.switch.removeLink(l);
    await until(() => r.connects > before, `reconnect #${i}`);
    // The subscription is restored: a marker published now arrives.
    let got;
    await until(async () => {
      void out.send({ cycle: i });
      try {
        for (;;) {
          got = await sub.recvData({ timeout: 5 });
          if (got.cycle === i) return true;
        }
      } catch {
        return false;
      }
    }, `the subscription after reconnect #${i}`);
    // The address is restored: a fetch to it is answered.
    await until(async () => {
      try {
        return (await p.fetch(address, 'echo', i, { timeout: 200 })) === i;
      } catch {
        return false;
      }
    }, `the address after reconnect #${i}`);
    // Drain what the marker loop left queued.
    while (sub.queued > 0) await sub.recvData();
  };

  log(`${count} drop/reconnect cycles against ${url}`);
  // V8 keeps compiling for the first several hundred cycles; the baseline comes after them.
  const warmup = Math.max(800, Math.round(count * 0.25));
  for (let i = 0; i < warmup; i++) await cycle(i);
  const baseline = await measure();
  log(`baseline after ${warmup} cycles: heap ${mb(baseline.heap)} (without code ${mb(baseline.data)}), handles ${total(baseline.handles)} (${describe(baseline.handles)})`);
  const t0 = performance.now();
  let last = baseline;
  let worst = { heap: 0, handles: 0 };
  const every = Math.max(1, Math.round(count / 10));
  for (let i = warmup; i < count + warmup && failures.length === 0; i++) {
    try {
      await cycle(i);
    } catch (err) {
      fail(err.message);
      break;
    }
    if ((i - warmup + 1) % every === 0) {
      last = await measure();
      for (let k = 0; k < 20 && compare(baseline, last, { heapTolerance: 0.05, handleTolerance: 0.05 }).length > 0; k++) {
        await sleep(50);
        last = await measure();
      }
      worst = {
        heap: Math.max(worst.heap, Math.abs(last.data - baseline.data) / baseline.data),
        handles: Math.max(worst.handles, Math.abs(total(last.handles) - total(baseline.handles)) / total(baseline.handles)),
      };
      log(`${i - warmup + 1} cycles: heap ${mb(last.heap)} (without code ${mb(last.data)}), rss ${mb(last.rss)}, handles ${total(last.handles)}`);
      for (const problem of compare(baseline, last, { heapTolerance: 0.05, handleTolerance: 0.05 })) fail(problem);
    }
  }
  const seconds = (performance.now() - t0) / 1000;
  sub.close();
  out.close();
  await r.close();
  p.close();
  await node.close();
  let after = resources();
  for (let i = 0; i < 40 && total(after) > total(handlesAtStart); i++) {
    await sleep(250);
    after = resources();
  }
  if (total(after) > total(handlesAtStart)) fail(`handles left after closing everything: ${describe(after)}`);
  summary('reconnect cycles', [
    `  cycles: ${count} (after ${warmup} warm-up cycles) in ${seconds.toFixed(1)} s, each with the subscription and the address checked`,
    `  heap after GC: ${mb(baseline.heap)} → ${mb(last.heap)}; without code ${mb(baseline.data)} → ${mb(last.data)} (largest deviation ${(worst.heap * 100).toFixed(1)} %)`,
    `  active handles: ${total(baseline.handles)} → ${total(last.handles)} (largest deviation ${(worst.handles * 100).toFixed(1)} %)`,
    `  after closing everything: ${total(after)} handles (at start ${total(handlesAtStart)})`,
  ]);
}

// ---- slow consumer ---------------------------------------------------------

async function slowConsumer(count) {
  const T = 200_020;
  const node = await startNode({ serve: ['tcp://127.0.0.1:0'] });
  const [url] = node.urls;
  const producer = await tcpClient(url);
  const consumer = await tcpClient(url);
  const out = new OutTopic(producer, T);
  const sub = new InTopic(consumer, T, { maxQueued: 1000 });
  let events = 0;
  sub.events.on('slow-consumer', () => events++);
  const linkErrors = [];
  node.switch.events.on('error', (err) => linkErrors.push(err));
  await until(() => producer.isRequested(T), 'the subscription');
  const base = await measure();
  let peak = base.heap;
  let received = 0;
  let last = -1;
  let reading = true;
  const reader = (async () => {
    // Slow: one payload per millisecond at most.
    while (reading) {
      let data;
      try {
        data = await sub.recvData({ timeout: 100 });
      } catch {
        continue;
      }
      if (data.seq <= last) fail(`payload #${data.seq} after #${last}`);
      last = data.seq;
      received++;
      await sleep(1);
    }
  })();
  log(`${count} messages from a fast producer to a consumer reading ~1 per ms (InTopic maxQueued 1000)`);
  const t0 = performance.now();
  const sampler = setInterval(() => {
    const h = process.memoryUsage().heapUsed;
    if (h > peak) peak = h;
  }, 100);
  for (let seq = 0; seq < count; seq++) {
    const sent = out.send({ seq, pad: 'z'.repeat(100) });
    if (seq % 1000 === 999) {
      await sent;
      await tick();
    }
    if (seq % (count / 10) === count / 10 - 1) {
      log(`  ${seq + 1} sent, ${received} received, ${sub.dropped} dropped, heap ${mb(process.memoryUsage().heapUsed)}`);
    }
  }
  await until(() => received + sub.dropped + sub.queued >= count, 'every message to be received or dropped', 60_000);
  reading = false;
  await reader;
  clearInterval(sampler);
  const seconds = (performance.now() - t0) / 1000;
  const end = await measure();
  const { dropped, queued } = sub;
  const accounted = received + dropped + queued;
  if (accounted !== count) fail(`${count} sent, but ${received} received + ${dropped} dropped + ${queued} queued = ${accounted}`);
  if (sub.dropped > 0 && events !== sub.dropped) fail(`${sub.dropped} dropped but ${events} slow-consumer events`);
  if (peak - base.heap > 100 * 1024 * 1024) fail(`heap grew by ${mb(peak - base.heap)} (limit 100 MB)`);
  for (const err of linkErrors) fail(`switch error: ${err.message}`);
  sub.close();
  out.close();
  producer.close();
  consumer.close();
  await node.close();
  summary('slow consumer', [
    `  ${count} messages in ${seconds.toFixed(1)} s: ${received} received in order, ${dropped} dropped (counted, ${events} slow-consumer events), ${queued} still queued when reading stopped`,
    `  heap: ${mb(base.heap)} at the start, peak ${mb(peak)} (growth ${mb(peak - base.heap)}), ${mb(end.heap)} after GC at the end`,
  ]);
}

// ---- three switches over TCP -----------------------------------------------

async function chain(count) {
  const T = 200_030;
  const a = await startNode({ serve: ['tcp://127.0.0.1:0'] });
  const b = await startNode({ serve: ['tcp://127.0.0.1:0'], connect: [a.urls[0]] });
  const c = await startNode({ serve: ['tcp://127.0.0.1:0'], connect: [b.urls[0]] });
  const errors = [];
  for (const n of [a, b, c]) n.events.on('error', (err) => errors.push(err));
  const producer = await tcpClient(a.urls[0]);
  const consumer = await tcpClient(c.urls[0]);
  const out = new OutTopic(producer, T);
  const sub = new InTopic(consumer, T, { maxQueued: Infinity });
  await until(() => producer.isRequested(T), 'the subscription through three switches');
  let received = 0;
  const reader = (async () => {
    for await (const data of sub) {
      if (data.seq !== received) {
        fail(`payload #${data.seq} arrived as number ${received} (loss or reordering)`);
        return;
      }
      if (++received === count) return;
    }
  })();
  log(`${count} messages through three switches over TCP (A → B → C)`);
  const t0 = performance.now();
  const base = await measure();
  let peak = base.heap;
  for (let seq = 0; seq < count && failures.length === 0; seq++) {
    const sent = out.send({ seq, at: Date.now() });
    // Backpressure from the first link, and a window so no switch buffers more than it must.
    if (seq % 500 === 499) {
      await sent;
      while (seq - received > 50_000) await sleep(1);
    }
    if (seq % (count / 10) === count / 10 - 1) {
      const h = process.memoryUsage().heapUsed;
      if (h > peak) peak = h;
      log(`  ${seq + 1} sent, ${received} received, heap ${mb(h)}`);
    }
  }
  await Promise.race([reader, until(() => received === count || failures.length > 0, 'every message', 120_000)]);
  const seconds = (performance.now() - t0) / 1000;
  if (received !== count) fail(`${received} of ${count} received`);
  if (sub.dropped > 0) fail(`${sub.dropped} dropped`);
  for (const err of errors) fail(`node error: ${err.message}`);
  sub.close();
  out.close();
  producer.close();
  consumer.close();
  await c.close();
  await b.close();
  await a.close();
  summary('three switches', [
    `  ${received} of ${count} messages received in order in ${seconds.toFixed(1)} s (${Math.round(received / seconds)}/s)`,
    `  heap: ${mb(base.heap)} at the start, peak sampled ${mb(peak)}`,
  ]);
}

// ---- main ------------------------------------------------------------------

if (args.cycles !== undefined) await cycles(Number(args.cycles));
else if (args['slow-consumer'] !== undefined) await slowConsumer(Number(args['slow-consumer']));
else if (args.chain !== undefined) await chain(Number(args.chain));
else await mixed(Number(args.minutes ?? 10));
