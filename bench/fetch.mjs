// In-process fetch through one Switch over object links: a requester client
// calls a FetchServer route that echoes its body, 100 000 calls one after the
// other (sequential) and with 64 calls in flight at a time. Reports calls/s
// and the per-call latency (p50/p99, in microseconds). The reference is the
// same round trip as two bare Addressed messages (a port handler that
// answers at once), without the fetch protocol around it.
import { performance } from 'node:perf_hooks';
import { Switch, createQueueLinkPair } from '@streamtasks/link';
import { Client } from '@streamtasks/client';
import { FetchServer } from '@streamtasks/fetch';

import { size } from './_lib.mjs';

const CALLS = size(100_000, 20_000, 'BENCH_FETCH_CALLS');
const SERVER = 10_000;
const REQUESTER = 10_001;
const BODY = { hello: 'world', n: 42 };

export const name = 'fetch';
export const order = 30;
export const description = `${CALLS.toLocaleString('en-US')} fetch calls, requester → Switch → FetchServer (object links); p50/p99 in µs per call`;

function setUp() {
  const hub = new Switch();
  const [s1, l1] = createQueueLinkPair();
  const [s2, l2] = createQueueLinkPair();
  hub.addLink(s1);
  hub.addLink(s2);
  const server = new Client(l1).start();
  server.setAddress(SERVER);
  const requester = new Client(l2).start();
  requester.setAddress(REQUESTER);
  const tearDown = () => {
    server.close();
    requester.close();
  };
  return { server, requester, tearDown };
}

function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))];
}

function result(latencies, seconds) {
  const sorted = Float64Array.from(latencies).sort();
  return {
    ops: latencies.length,
    seconds,
    unit: 'calls/s',
    p50: Math.round(percentile(sorted, 50) * 1000 * 10) / 10,
    p99: Math.round(percentile(sorted, 99) * 1000 * 10) / 10,
  };
}

/** Runs CALLS calls of `call`, `inFlight` at a time; returns the timed result. */
async function drive(call, inFlight) {
  const latencies = new Array(CALLS);
  let next = 0;
  const worker = async () => {
    while (next < CALLS) {
      const i = next++;
      const t = performance.now();
      await call(i);
      latencies[i] = performance.now() - t;
    }
  };
  const t0 = performance.now();
  await Promise.all(Array.from({ length: inFlight }, worker));
  return result(latencies, (performance.now() - t0) / 1000);
}

async function fetchCalls(inFlight) {
  const { server, requester, tearDown } = setUp();
  const fetchServer = new FetchServer(server).route('echo', ({ body }) => body).start();
  try {
    await requester.fetch(SERVER, 'echo', BODY, { timeout: 5000 }); // route is up
    return await drive(async () => {
      const answer = await requester.fetch(SERVER, 'echo', BODY, { timeout: 5000 });
      if (answer.n !== 42) throw new Error('wrong answer');
    }, inFlight);
  } finally {
    fetchServer.stop();
    tearDown();
  }
}

/** The same round trip with two bare Addressed messages. */
async function addressedRoundTrips() {
  const { server, requester, tearDown } = setUp();
  server.listenPort(100, (m) => server.sendToAddress(REQUESTER, 20_000, m.data));
  let wake;
  requester.listenPort(20_000, () => wake());
  try {
    return await drive(() => new Promise((resolve) => {
      wake = resolve;
      requester.sendToAddress(SERVER, 100, BODY);
    }), 1);
  } finally {
    tearDown();
  }
}

export const reference = { name: 'bare Addressed round trip', run: addressedRoundTrips };

export const cases = [
  { name: 'sequential', run: () => fetchCalls(1), target: { rate: 150e3 } },
  { name: '64 in flight', run: () => fetchCalls(64), target: { rate: 150e3 } },
];
