// Request/reply over TCP with three processes on both systems: a requester
// process → a server process → a responder process. streamtasks: fetch
// (`client.fetch`) to a FetchServer route that answers with the request body,
// through `streamtasks node`; NATS: `nc.request()` to a subscriber that
// responds with the request data, through nats-server. The body is the same
// 100-byte MessagePack payload on both systems, decoded and encoded again by
// the responder and decoded by the requester. Calls one after the other
// (sequential) and with 64 in flight; latency per call at the requester.
import { natsUnavailable, size, startNatsServer, startStreamtasksNode, startWorker, stopAll } from './_lib.mjs';
import { LIMIT } from './tcp-limit.mjs';

const CALLS = size(20_000, 5_000, 'BENCH_TCP_CALLS');
const WARMUP_CALLS = size(2_000, 500);
const SERVER = 20_000;
const REQUESTER = 20_001;

export const name = 'tcp-fetch';
export const order = 50;
export const warmup = false;
export const description =
  `${CALLS.toLocaleString('en-US')} request/reply calls of 100 bytes each way, requester process → server process → responder process over TCP ` +
  `(after ${WARMUP_CALLS.toLocaleString('en-US')} untimed calls); latency per call`;

async function streamtasks(inFlight) {
  const { child: node, url } = await startStreamtasksNode();
  const reply = startWorker('st-reply', { url, address: SERVER });
  const req = startWorker('st-req', { url, address: REQUESTER, server: SERVER, calls: CALLS, inFlight, warmup: WARMUP_CALLS });
  try {
    await reply.waitFor(/^READY/);
    return await req.result(120_000);
  } finally {
    await stopAll(req, reply, node);
  }
}

async function nats(inFlight) {
  const { child: server, url } = await startNatsServer();
  const reply = startWorker('nats-reply', { url, subject: 'bench.echo' });
  let req;
  try {
    await reply.waitFor(/^READY/);
    req = startWorker('nats-req', { url, subject: 'bench.echo', calls: CALLS, inFlight, warmup: WARMUP_CALLS });
    return await req.result(120_000);
  } finally {
    await stopAll(req, reply, server);
  }
}

// The limit of a call (two messages, each through the server) is that of the 100-byte messages of the bare pipeline.
const limit = LIMIT.small;
export const cases = [
  { name: 'sequential', run: () => streamtasks(1), target: { ratio: 1.0, p50: true, p50Max: 150 }, limit },
  { name: 'sequential', workload: 'sequential', system: 'nats', run: () => nats(1), skip: natsUnavailable, limit },
  { name: '64 in flight', run: () => streamtasks(64), target: { rate: 100e3, ratio: 1.0 }, limit },
  { name: '64 in flight', workload: '64 in flight', system: 'nats', run: () => nats(64), skip: natsUnavailable, limit },
];
