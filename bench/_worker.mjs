#!/usr/bin/env node
// The child processes of the cross-process benchmarks, one role each:
//
//   node bench/_worker.mjs ROLE 'JSON-ARGS'
//
// streamtasks: st-pub, st-sub, st-reply, st-req, idle-node, idle-clients,
// topics-memory; NATS: nats-pub, nats-sub, nats-reply, nats-req.
// A role prints `READY` when it is set up and `RESULT {json}` when it has a
// figure; the benchmark that started it stops it (SIGTERM) when it is done.
import { performance } from 'node:perf_hooks';
import { clearInterval, setInterval } from 'node:timers';
import { setTimeout as sleep } from 'node:timers/promises';
import { SEQ_BASE, latencyUs, monoMs, onTerm, payload, rawPayload, readRaw, result, say, setRawTemplate, workerRole } from './_lib.mjs';

const { role, args } = workerRole();

/** Counts messages and their latency; reports once `count` arrived or nothing arrived for `idleMs`. */
class Receiver {
  constructor(count, idleMs = 5000) {
    this.count = count;
    this.latencies = new Float64Array(count);
    this.n = 0;
    this.first = 0;
    this.last = 0;
    this.reported = false;
    this.idleMs = idleMs;
    this.watchdog = setInterval(() => {
      if (this.n > 0 && monoMs() - this.last > this.idleMs) this.report();
    }, 500);
  }

  /** One message with its send timestamp (monotonic ms). */
  got(timestamp, value) {
    const now = monoMs();
    if (this.n === 0) this.first = now;
    this.last = now;
    if (value !== SEQ_BASE + this.n) this.outOfOrder = (this.outOfOrder ?? 0) + 1;
    this.latencies[this.n++] = now - timestamp;
    if (this.n === this.count) this.report();
  }

  report() {
    if (this.reported) return;
    this.reported = true;
    clearInterval(this.watchdog);
    const { p50, p99 } = latencyUs(this.latencies.subarray(0, this.n));
    // Throughput from the first to the last message seen by the subscriber.
    result({
      ops: Math.max(0, this.n - 1),
      seconds: (this.last - this.first) / 1000,
      unit: 'msgs/s',
      p50,
      p99,
      received: this.n,
      expected: this.count,
      outOfOrder: this.outOfOrder ?? 0,
    });
  }
}

/** Runs `calls` calls of `call(i)`, `inFlight` at a time; per-call latency. */
async function drive(calls, inFlight, call) {
  const latencies = new Float64Array(calls);
  let next = 0;
  const worker = async () => {
    while (next < calls) {
      const i = next++;
      const t = performance.now();
      await call(i);
      latencies[i] = performance.now() - t;
    }
  };
  const t0 = performance.now();
  await Promise.all(Array.from({ length: inFlight }, worker));
  const seconds = (performance.now() - t0) / 1000;
  return { ops: calls, seconds, unit: 'calls/s', ...latencyUs(latencies) };
}

// ---- streamtasks -----------------------------------------------------------

async function stClient(url) {
  const { connect } = await import('@streamtasks/transports');
  const { Client } = await import('@streamtasks/client');
  const link = await connect(url, { timeout: 10_000 });
  const client = new Client(link).start();
  onTerm(() => client.close());
  return client;
}

const roles = {
  async 'st-sub'({ url, topic, count, raw }) {
    const client = await stClient(url);
    const receiver = new Receiver(count);
    if (raw) {
      const { encodeValue } = await import('@streamtasks/link/internal');
      setRawTemplate(encodeValue);
    }
    client.subscribe(topic, {
      data: raw
        ? (data) => {
            const [timestamp, value] = readRaw(data.bytes);
            receiver.got(timestamp, value);
          }
        : (data) => {
            const v = data.value;
            receiver.got(v.timestamp, v.value);
          },
    });
    say('READY');
  },

  async 'st-pub'({ url, topic, count, raw }) {
    const client = await stClient(url);
    const { RawData } = await import('@streamtasks/link');
    const { allocBytes, encodeValue } = await import('@streamtasks/link/internal');
    if (raw) setRawTemplate(encodeValue);
    const requested = new Promise((resolve) => client.listenTopic(topic, { requested: (r) => r && resolve() }));
    client.registerOutTopics([topic]);
    if (!client.isRequested(topic)) await requested;
    say('READY');
    const link = client.link;
    const t0 = performance.now();
    for (let i = 0; i < count; i++) {
      const data = raw ? RawData.fromBytes(rawPayload(i, allocBytes)) : payload(i);
      if (!client.sendToTopic(topic, data)) await link.drained();
    }
    await link.drained();
    say(`SENT ${((performance.now() - t0) / 1000).toFixed(3)}`);
  },

  async 'st-reply'({ url, address }) {
    const client = await stClient(url);
    const { FetchServer } = await import('@streamtasks/fetch');
    client.setAddress(address);
    new FetchServer(client).route('echo', ({ body }) => body).start();
    say('READY');
  },

  async 'st-req'({ url, address, server, calls, inFlight, warmup }) {
    const client = await stClient(url);
    client.setAddress(address);
    // The server's address has to reach us through the node first.
    const deadline = Date.now() + 10_000;
    for (;;) {
      try {
        await client.fetch(server, 'echo', payload(0), { timeout: 200 });
        break;
      } catch (err) {
        if (Date.now() > deadline) throw err;
        await sleep(20);
      }
    }
    const call = async (i) => {
      const answer = await client.fetch(server, 'echo', payload(i), { timeout: 10_000 });
      if (answer.value !== SEQ_BASE + i) throw new Error(`wrong answer ${answer.value} to call ${i}`);
    };
    await drive(warmup, inFlight, call);
    result(await drive(calls, inFlight, call));
  },

  /** A node that only accepts connections, for the memory of idle connections; `measure` on stdin prints MEM. */
  async 'idle-node'({ maxConnections }) {
    const { Switch } = await import('@streamtasks/link');
    const { createServer } = await import('@streamtasks/transports');
    const hub = new Switch();
    const server = await createServer('tcp://127.0.0.1:0', { switch: hub, maxConnections, handshakeTimeout: 60_000 });
    onTerm(() => server.close());
    say(`LISTENING ${server.url}`);
    process.stdin.setEncoding('utf8');
    let buffered = '';
    process.stdin.on('data', (chunk) => {
      buffered += chunk;
      let nl;
      while ((nl = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, nl).trim();
        buffered = buffered.slice(nl + 1);
        if (line === 'measure') {
          for (let i = 0; i < 3; i++) globalThis.gc?.();
          const m = process.memoryUsage();
          say(`MEM ${JSON.stringify({ connections: server.connectionCount, links: hub.linkCount, rss: m.rss, heapUsed: m.heapUsed, external: m.external })}`);
        }
      }
    });
  },

  /** Opens `count` connections to `url` and keeps them open (idle). */
  async 'idle-clients'({ url, count, batch = 200 }) {
    const { connect } = await import('@streamtasks/transports');
    const links = [];
    onTerm(() => {
      for (const l of links) l.close();
    });
    for (let done = 0; done < count; ) {
      const n = Math.min(batch, count - done);
      const opened = await Promise.all(Array.from({ length: n }, () => connect(url, { timeout: 30_000 })));
      links.push(...opened);
      done += n;
    }
    say(`CONNECTED ${links.length}`);
  },

  /** Heap and RSS growth of a switch with `topics` topics provided by one client and requested by another. */
  async 'topics-memory'({ topics }) {
    const { Switch, createQueueLinkPair } = await import('@streamtasks/link');
    const { Client } = await import('@streamtasks/client');
    const settle = async () => {
      for (let i = 0; i < 5; i++) await sleep(10);
      for (let i = 0; i < 3; i++) globalThis.gc();
    };
    const hub = new Switch();
    const [s1, l1] = createQueueLinkPair();
    const [s2, l2] = createQueueLinkPair();
    hub.addLink(s1);
    hub.addLink(s2);
    const publisher = new Client(l1).start();
    const subscriber = new Client(l2).start();
    // Warm up the same paths with a few topics, so code and caches are not counted.
    publisher.registerOutTopics([1, 2, 3]);
    subscriber.registerInTopics([1, 2, 3]);
    await settle();
    const before = process.memoryUsage();
    const ids = Array.from({ length: topics }, (_, i) => 1_000_000 + i);
    publisher.registerOutTopics(ids);
    subscriber.registerInTopics(ids);
    await settle();
    const after = process.memoryUsage();
    if (hub.subscriberCount(ids[topics - 1]) !== 1 || !l1.inTopics.has(ids[topics - 1])) throw new Error('topics were not routed');
    result({
      topics,
      heapMB: (after.heapUsed + after.external - before.heapUsed - before.external) / 2 ** 20,
      rssMB: (after.rss - before.rss) / 2 ** 20,
    });
    hub.close();
  },

  // ---- NATS ----------------------------------------------------------------

  async 'nats-sub'({ url, subject, count, raw }) {
    const { connect } = await import('@nats-io/transport-node');
    const { decodeValue, encodeValue } = await import('@streamtasks/link/internal');
    if (raw) setRawTemplate(encodeValue);
    const nc = await connect({ servers: url });
    onTerm(() => nc.close());
    const receiver = new Receiver(count);
    nc.subscribe(subject, {
      callback: raw
        ? (err, msg) => {
            if (err) throw err;
            const [timestamp, value] = readRaw(msg.data);
            receiver.got(timestamp, value);
          }
        : (err, msg) => {
            if (err) throw err;
            const v = decodeValue(msg.data);
            receiver.got(v.timestamp, v.value);
          },
    });
    await nc.flush();
    say('READY');
  },

  async 'nats-pub'({ url, subject, count, flushEvery, raw }) {
    const { connect } = await import('@nats-io/transport-node');
    const { allocBytes, encodeValue } = await import('@streamtasks/link/internal');
    if (raw) setRawTemplate(encodeValue);
    const nc = await connect({ servers: url });
    onTerm(() => nc.close());
    say('READY');
    const t0 = performance.now();
    for (let i = 0; i < count; i++) {
      nc.publish(subject, raw ? rawPayload(i, allocBytes) : encodeValue(payload(i)));
      if (i % flushEvery === flushEvery - 1) await nc.flush();
    }
    await nc.flush();
    say(`SENT ${((performance.now() - t0) / 1000).toFixed(3)}`);
  },

  async 'nats-reply'({ url, subject }) {
    const { connect } = await import('@nats-io/transport-node');
    const { decodeValue, encodeValue } = await import('@streamtasks/link/internal');
    const nc = await connect({ servers: url });
    onTerm(() => nc.close());
    // Like the fetch route: decode the request body, answer with it encoded again.
    nc.subscribe(subject, {
      callback(err, msg) {
        if (err) throw err;
        msg.respond(encodeValue(decodeValue(msg.data)));
      },
    });
    await nc.flush();
    say('READY');
  },

  async 'nats-req'({ url, subject, calls, inFlight, warmup }) {
    const { connect } = await import('@nats-io/transport-node');
    const { decodeValue, encodeValue } = await import('@streamtasks/link/internal');
    const nc = await connect({ servers: url });
    onTerm(() => nc.close());
    const call = async (i) => {
      const reply = await nc.request(subject, encodeValue(payload(i)), { timeout: 10_000 });
      const answer = decodeValue(reply.data);
      if (answer.value !== SEQ_BASE + i) throw new Error(`wrong answer ${answer.value} to call ${i}`);
    };
    await drive(warmup, inFlight, call);
    result(await drive(calls, inFlight, call));
  },
};

const run = roles[role];
if (!run) {
  process.stderr.write(`unknown role ${role}; roles: ${Object.keys(roles).join(', ')}\n`);
  process.exit(2);
}
try {
  await run(args);
} catch (err) {
  process.stderr.write(`${role}: ${err?.stack ?? err}\n`);
  process.exit(1);
}
