#!/usr/bin/env node
// Child processes of the second set of cross-process benchmarks (latency at a
// fixed rate, the bare framed-TCP pipeline, fan-out, many clients, large
// payloads), one role each:
//
//   node bench/_net-worker.mjs ROLE 'JSON-ARGS'
//
// Bare pipeline: pipe-relay, pipe-pub, pipe-sub. streamtasks: paced-st-pub,
// many-st-subs, rr-st-pub, big-st-pub, big-st-sub, st-node (a node with server
// options the command line does not take). NATS: paced-nats-pub,
// many-nats-subs, rr-nats-pub, big-nats-pub, big-nats-sub. Shared: lat-st-sub,
// lat-nats-sub (latency from each message's scheduled send time).
// Like _worker.mjs: a role prints `READY` when set up and `RESULT {json}` with
// its figure; every role that receives checks that nothing was lost or
// reordered and says so in its result.
import { Buffer } from 'node:buffer';
import { connect as netConnect, createServer as netServer } from 'node:net';
import { clearInterval, setImmediate, setInterval, setTimeout } from 'node:timers';
import { PAD, SEQ_BASE, monoMs, onTerm, percentile, result, say, workerRole } from './_lib.mjs';

const { role, args } = workerRole();

// ---- pacing -----------------------------------------------------------------

const sleepCell = new Int32Array(new SharedArrayBuffer(4));
/** Below this many ms before a send is due the pacer spins instead of sleeping (the kernel's timer slack is ~50 µs). */
const SPIN_MS = 0.07;
const yieldToLoop = () => new Promise((resolve) => setImmediate(resolve));

/**
 * Calls `send(i, scheduledMs)` for i = 0 … count-1, message i scheduled at
 * `start + i / rate` on the monotonic clock. Messages that are due are sent
 * at once (a late pacer catches up in a burst, as a real source would), so
 * latency measured from the scheduled time includes any delay of the sender
 * itself (no coordinated omission). Between sends it yields to the event loop
 * (so the socket is written) and sleeps in the kernel until shortly before
 * the next message is due, then spins for the rest: sub-10 µs precision
 * without a core spent spinning. `send` may return a promise (back-pressure).
 */
async function paced(count, rate, send) {
  const gap = 1000 / rate;
  const start = monoMs() + 5;
  let i = 0;
  while (i < count) {
    const now = monoMs();
    const due = Math.min(count, Math.floor((now - start) / gap) + 1);
    while (i < due) {
      const r = send(i, start + i * gap);
      i++;
      if (r) await r;
    }
    if (i >= count) break;
    await yieldToLoop();
    const wait = start + i * gap - monoMs() - SPIN_MS;
    if (wait > 0) Atomics.wait(sleepCell, 0, 0, Math.min(wait, 2));
  }
}

/** The 100-byte payload of message `i`, stamped with its scheduled send time. */
const scheduledPayload = (i, scheduledMs) => ({ timestamp: scheduledMs, value: SEQ_BASE + i, pad: PAD });

/** Latency of every message after the first `skip` ones from its scheduled time; order and loss checked. */
class LatencyRecorder {
  constructor(count, skip) {
    this.count = count;
    this.skip = skip;
    this.lat = new Float64Array(count - skip);
    this.n = 0;
    this.outOfOrder = 0;
    this.idle = setInterval(() => {
      if (this.n > 0 && monoMs() - this.last > 5000) this.report();
    }, 500);
  }

  got(scheduledMs, value) {
    const now = monoMs();
    const i = this.n++;
    if (value !== SEQ_BASE + i) this.outOfOrder++;
    if (i >= this.skip) {
      if (i === this.skip) this.first = now;
      this.lat[i - this.skip] = now - scheduledMs;
    }
    this.last = now;
    if (this.n === this.count) this.report();
  }

  report() {
    if (this.reported) return;
    this.reported = true;
    clearInterval(this.idle);
    const measured = Math.max(0, this.n - this.skip);
    const sorted = this.lat.subarray(0, measured).sort();
    const us = (p) => Math.round(percentile(sorted, p) * 10_000) / 10;
    result({
      ops: Math.max(0, measured - 1),
      seconds: (this.last - this.first) / 1000,
      unit: 'msgs/s',
      p50: us(50),
      p99: us(99),
      p999: us(99.9),
      max: us(100),
      received: this.n,
      expected: this.count,
      outOfOrder: this.outOfOrder,
    });
  }
}

// ---- frames of the bare pipeline ---------------------------------------------

const SYNC = [0xb8, 0x23, 0xa0, 0x6f];

/** Counts frames (sync word, u32 LE length, payload whose first 4 bytes are a u32 LE sequence number) in a byte stream. */
class FrameCounter {
  constructor(onFrame) {
    this.onFrame = onFrame;
    this.header = new Uint8Array(12);
    this.have = 0; // bytes of the current frame's header (+ sequence number) seen
    this.left = 0; // payload bytes after the sequence number still to skip
  }

  push(chunk) {
    const n = chunk.length;
    let i = 0;
    while (i < n) {
      if (this.left > 0) {
        const take = Math.min(this.left, n - i);
        this.left -= take;
        i += take;
        continue;
      }
      if (this.have === 0 && i + 12 <= n) {
        // The common case: a whole header in this chunk.
        const synced = chunk[i] === SYNC[0] && chunk[i + 1] === SYNC[1] && chunk[i + 2] === SYNC[2] && chunk[i + 3] === SYNC[3];
        const length = chunk[i + 4] + chunk[i + 5] * 0x100 + chunk[i + 6] * 0x10000 + chunk[i + 7] * 0x1000000;
        const seq = chunk[i + 8] + chunk[i + 9] * 0x100 + chunk[i + 10] * 0x10000 + chunk[i + 11] * 0x1000000;
        i += 12;
        this.left = length - 4;
        // A frame without its sync word counts as out of order.
        this.onFrame(synced ? seq : -1);
        continue;
      }
      this.header[this.have++] = chunk[i++];
      if (this.have === 12) {
        const h = this.header;
        const synced = h[0] === SYNC[0] && h[1] === SYNC[1] && h[2] === SYNC[2] && h[3] === SYNC[3];
        this.have = 0;
        this.left = h[4] + h[5] * 0x100 + h[6] * 0x10000 + h[7] * 0x1000000 - 4;
        this.onFrame(synced ? h[8] + h[9] * 0x100 + h[10] * 0x10000 + h[11] * 0x1000000 : -1);
      }
    }
  }
}

/** Counts what arrives (frames or messages with a sequence number); reports the span from the first to the last. */
class Counter {
  constructor(count, bytesPerOp = 0) {
    this.count = count;
    this.bytesPerOp = bytesPerOp;
    this.n = 0;
    this.outOfOrder = 0;
    this.idle = setInterval(() => {
      if (this.n > 0 && monoMs() - this.last > 5000) this.report();
    }, 500);
  }

  got(seq) {
    const now = monoMs();
    if (this.n === 0) this.first = now;
    this.last = now;
    if (seq !== this.n) this.outOfOrder++;
    if (++this.n === this.count) this.report();
  }

  /** One more arrived (its order checked by the caller). */
  tally() {
    this.got(this.n);
  }

  report() {
    if (this.reported) return;
    this.reported = true;
    clearInterval(this.idle);
    result({ received: this.n, expected: this.count, outOfOrder: this.outOfOrder, first: this.first, last: this.last, bytesPerOp: this.bytesPerOp });
  }
}

function writeU32LE(target, at, v) {
  target[at] = v & 0xff;
  target[at + 1] = (v >>> 8) & 0xff;
  target[at + 2] = (v >>> 16) & 0xff;
  target[at + 3] = (v >>> 24) & 0xff;
}

const readU32LE = (b, at) => b[at] + b[at + 1] * 0x100 + b[at + 2] * 0x10000 + b[at + 3] * 0x1000000;

/** Resolves when `go` arrives on stdin (the benchmark starts the publisher before the receivers are settled). */
function goSignal() {
  return new Promise((resolve) => {
    process.stdin.setEncoding('utf8');
    process.stdin.on('data', (chunk) => {
      if (chunk.includes('go')) resolve();
    });
  });
}

/**
 * What a socket of the bare pipeline buffers before `write()` asks to wait:
 * 1 MiB, the high-water mark of a streamtasks connection (Node's default of
 * 16 KiB would make the pipeline wait for every batch to drain).
 */
const HIGH_WATER_MARK = 1024 * 1024;

/** A listening TCP server on 127.0.0.1:0; resolves with it and its port. */
function listen(onSocket) {
  return new Promise((resolve, reject) => {
    const server = netServer({ noDelay: true, highWaterMark: HIGH_WATER_MARK }, onSocket);
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve(server));
  });
}

function dial(port) {
  return new Promise((resolve, reject) => {
    const s = netConnect({ port, host: '127.0.0.1', noDelay: true, writableHighWaterMark: HIGH_WATER_MARK }, () => resolve(s));
    s.once('error', reject);
  });
}

/** Writes `chunk`; resolves when the socket can take more. */
function writeOrWait(socket, chunk) {
  if (socket.write(chunk)) return undefined;
  return new Promise((resolve) => socket.once('drain', resolve));
}

// ---- streamtasks helpers ------------------------------------------------------

async function stClient(url) {
  const { connect } = await import('@streamtasks/transports');
  const { Client } = await import('@streamtasks/client');
  // A nats:// URL joins the network on a NATS server (the client is a node of its own there).
  const link = url.startsWith('nats://')
    ? await (await import('@streamtasks/nats')).connectNats({ url, timeout: 30_000 })
    : await connect(url, { timeout: 30_000 });
  return new Client(link).start();
}

/** Registers `topics` as provided and resolves once every one of them is requested. */
async function provide(client, topics) {
  let missing = topics.filter((t) => !client.isRequested(t)).length;
  const all = new Promise((resolve) => {
    for (const t of topics) {
      client.listenTopic(t, {
        requested: (r) => {
          if (r && --missing === 0) resolve();
        },
      });
    }
  });
  client.registerOutTopics(topics);
  missing = topics.filter((t) => !client.isRequested(t)).length;
  if (missing > 0) await all;
}

/** A large payload: a MessagePack bin of `bytes` bytes whose first 4 bytes are the sequence number. */
function binTemplate(bytes) {
  const head = bytes < 0x100 ? 2 : bytes < 0x10000 ? 3 : 5;
  const t = new Uint8Array(head + bytes).fill(0x61);
  if (head === 2) t.set([0xc4, bytes]);
  else if (head === 3) t.set([0xc5, bytes >>> 8, bytes & 0xff]);
  else t.set([0xc6, bytes >>> 24, (bytes >>> 16) & 0xff, (bytes >>> 8) & 0xff, bytes & 0xff]);
  return { template: t, head };
}

/**
 * A fresh copy of `template` for one message, in memory that is not zeroed
 * first (the bytes are overwritten at once): what every publisher of the
 * large-payload rows does, as the bare pipeline's does with allocUnsafe.
 */
function freshCopy(template) {
  const b = Buffer.allocUnsafe(template.length);
  b.set(template);
  return b;
}

// ---- roles ------------------------------------------------------------------------

const roles = {
  /**
   * A streamtasks node as `streamtasks node --no-node-socket --serve
   * tcp://127.0.0.1:0` runs it, started through `startNode` with `server`
   * options (`maxBufferedBytes`…) that the command line has no flags for.
   * Prints the same `listening on URL` and `ready` lines.
   */
  async 'st-node'({ server = {} }) {
    const { startNode } = await import('@streamtasks/cli');
    const node = await startNode({ serve: ['tcp://127.0.0.1:0'], server });
    onTerm(() => node.close());
    for (const url of node.urls) say(`listening on ${url}`);
    say('ready');
  },

  /**
   * The relay of the bare pipeline: bytes from the publisher's connection go
   * to every subscriber connection as they came (no parsing, no routing),
   * with back-pressure: reading pauses while a subscriber's socket is full.
   */
  async 'pipe-relay'({ subscribers = 1 }) {
    const subs = [];
    let subsReady;
    const allSubs = new Promise((resolve) => (subsReady = resolve));
    const subServer = await listen((s) => {
      subs.push(s);
      if (subs.length === subscribers) subsReady();
    });
    const pubServer = await listen(async (pub) => {
      pub.pause();
      await allSubs;
      let waiting = 0;
      const resume = () => {
        if (--waiting === 0) pub.resume();
      };
      pub.on('data', (chunk) => {
        for (const s of subs) {
          if (!s.write(chunk)) {
            waiting++;
            s.once('drain', resume);
          }
        }
        if (waiting > 0) pub.pause();
      });
      pub.resume();
    });
    onTerm(() => {
      pubServer.close();
      subServer.close();
    });
    say(`PORTS ${pubServer.address().port} ${subServer.address().port}`);
  },

  /** Counts the frames the relay forwards, checking their sequence numbers. */
  async 'pipe-sub'({ port, count, frameBytes }) {
    const s = await dial(port);
    onTerm(() => s.destroy());
    const counter = new Counter(count, frameBytes);
    const frames = new FrameCounter((seq) => counter.got(seq));
    s.on('data', (chunk) => frames.push(chunk));
    say('READY');
  },

  /**
   * Writes `count` pre-encoded frames of `frameBytes` payload bytes. Small
   * frames go out `batch` at a time in one buffer (a copy of a pre-built
   * batch with the sequence numbers written in); a large frame is one buffer
   * (a copy of its template), as a publisher has to produce fresh bytes for
   * every message.
   */
  async 'pipe-pub'({ port, count, frameBytes, batch = 512 }) {
    const s = await dial(port);
    onTerm(() => s.destroy());
    const frameSize = 8 + frameBytes;
    const perWrite = frameBytes >= 16 * 1024 ? 1 : batch;
    const template = Buffer.alloc(frameSize * perWrite, 0x61);
    for (let k = 0; k < perWrite; k++) {
      template.set(SYNC, k * frameSize);
      writeU32LE(template, k * frameSize + 4, frameBytes);
    }
    say('READY');
    for (let i = 0; i < count; ) {
      const n = Math.min(perWrite, count - i);
      const out = Buffer.allocUnsafe(n * frameSize);
      template.copy(out, 0, 0, n * frameSize);
      for (let k = 0; k < n; k++) writeU32LE(out, k * frameSize + 8, i + k);
      i += n;
      const w = writeOrWait(s, out);
      if (w) await w;
    }
    say('SENT');
  },

  /** Sends `count` 100-byte payloads on a fixed-rate schedule through a streamtasks node. */
  async 'paced-st-pub'({ url, topic, count, rate }) {
    const client = await stClient(url);
    onTerm(() => client.close());
    await provide(client, [topic]);
    const link = client.link;
    say('READY');
    await paced(count, rate, (i, at) => (client.sendToTopic(topic, scheduledPayload(i, at)) ? undefined : link.drained()));
    await link.drained();
    say('SENT');
  },

  async 'lat-st-sub'({ url, topic, count, skip }) {
    const client = await stClient(url);
    onTerm(() => client.close());
    const rec = new LatencyRecorder(count, skip);
    client.subscribe(topic, {
      data: (data) => {
        const v = data.value;
        rec.got(v.timestamp, v.value);
      },
    });
    say('READY');
  },

  async 'paced-nats-pub'({ url, subject, count, rate }) {
    const { connect } = await import('@nats-io/transport-node');
    const { encodeValue } = await import('@streamtasks/link/internal');
    const nc = await connect({ servers: url });
    onTerm(() => nc.close());
    say('READY');
    // No flush (a round trip to the server) while paced: waiting for it would delay the messages due
    // meanwhile. The client writes what was published at the end of each tick.
    await paced(count, rate, (i, at) => {
      nc.publish(subject, encodeValue(scheduledPayload(i, at)));
    });
    await nc.flush();
    say('SENT');
  },

  async 'lat-nats-sub'({ url, subject, count, skip }) {
    const { connect } = await import('@nats-io/transport-node');
    const { decodeValue } = await import('@streamtasks/link/internal');
    const nc = await connect({ servers: url });
    onTerm(() => nc.close());
    const rec = new LatencyRecorder(count, skip);
    nc.subscribe(subject, {
      callback: (err, msg) => {
        if (err) throw err;
        const v = decodeValue(msg.data);
        rec.got(v.timestamp, v.value);
      },
    });
    await nc.flush();
    say('READY');
  },

  /**
   * `clients` clients, each on its own connection and subscribed to its own
   * topic (firstTopic + k); every one expects `perClient` messages with the
   * values SEQ_BASE, SEQ_BASE + 1, … in order.
   */
  async 'many-st-subs'({ url, clients, firstTopic, perClient, batch = 100 }) {
    const all = [];
    onTerm(() => Promise.all(all.map((c) => c.close())));
    const counter = new Counter(clients * perClient);
    for (let k = 0; k < clients; k += batch) {
      const opened = await Promise.all(
        Array.from({ length: Math.min(batch, clients - k) }, async (_, j) => {
          const client = await stClient(url);
          let next = SEQ_BASE;
          client.subscribe(firstTopic + k + j, {
            data: (data) => {
              if (data.value.value !== next++) counter.outOfOrder++;
              counter.tally();
            },
          });
          return client;
        }),
      );
      all.push(...opened);
    }
    say('READY');
    // ROUTED once every client has heard of its topic's provider: the route announcements are through.
    for (;;) {
      if (all.every((c, k) => c.topicCost(firstTopic + k) !== undefined)) break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    say('ROUTED');
  },

  /** Publishes `rounds` rounds over the topics firstTopic … firstTopic + topics - 1, one message to each topic per round. */
  async 'rr-st-pub'({ url, topics, firstTopic, rounds }) {
    const client = await stClient(url);
    onTerm(() => client.close());
    const ids = Array.from({ length: topics }, (_, k) => firstTopic + k);
    await provide(client, ids);
    const link = client.link;
    say('READY');
    await goSignal();
    for (let r = 0; r < rounds; r++) {
      for (let k = 0; k < topics; k++) {
        if (!client.sendToTopic(ids[k], { timestamp: monoMs(), value: SEQ_BASE + r, pad: PAD })) await link.drained();
      }
    }
    await link.drained();
    say('SENT');
  },

  async 'many-nats-subs'({ url, clients, first = 0, perClient, batch = 100 }) {
    const { connect } = await import('@nats-io/transport-node');
    const { decodeValue } = await import('@streamtasks/link/internal');
    const all = [];
    onTerm(() => Promise.all(all.map((nc) => nc.close())));
    const counter = new Counter(clients * perClient);
    for (let k = 0; k < clients; k += batch) {
      const opened = await Promise.all(
        Array.from({ length: Math.min(batch, clients - k) }, async (_, j) => {
          const nc = await connect({ servers: url });
          let next = SEQ_BASE;
          nc.subscribe(`bench.c.${first + k + j}`, {
            callback: (err, msg) => {
              if (err) throw err;
              if (decodeValue(msg.data).value !== next++) counter.outOfOrder++;
              counter.tally();
            },
          });
          await nc.flush();
          return nc;
        }),
      );
      all.push(...opened);
    }
    say('READY');
    say('ROUTED');
  },

  async 'rr-nats-pub'({ url, topics, rounds }) {
    const { connect } = await import('@nats-io/transport-node');
    const { encodeValue } = await import('@streamtasks/link/internal');
    const nc = await connect({ servers: url });
    onTerm(() => nc.close());
    const subjects = Array.from({ length: topics }, (_, k) => `bench.c.${k}`);
    say('READY');
    await goSignal();
    let sent = 0;
    for (let r = 0; r < rounds; r++) {
      for (let k = 0; k < topics; k++) {
        nc.publish(subjects[k], encodeValue({ timestamp: monoMs(), value: SEQ_BASE + r, pad: PAD }));
        if (++sent % 1000 === 0) await nc.flush();
      }
    }
    await nc.flush();
    say('SENT');
  },

  /** Sends `count` payloads of `bytes` bytes (a MessagePack bin, copied from a template, the sequence number in front). */
  async 'big-st-pub'({ url, topic, count, bytes }) {
    const client = await stClient(url);
    onTerm(() => client.close());
    const { RawData } = await import('@streamtasks/link');
    const { template, head } = binTemplate(bytes);
    await provide(client, [topic]);
    const link = client.link;
    say('READY');
    for (let i = 0; i < count; i++) {
      const b = freshCopy(template);
      writeU32LE(b, head, i);
      if (!client.sendToTopic(topic, RawData.fromBytes(b))) await link.drained();
    }
    await link.drained();
    say('SENT');
  },

  async 'big-st-sub'({ url, topic, count, bytes }) {
    const client = await stClient(url);
    onTerm(() => client.close());
    const { head } = binTemplate(bytes);
    const counter = new Counter(count, bytes);
    client.subscribe(topic, {
      data: (data) => {
        const b = data.bytes;
        if (b.length !== head + bytes) counter.outOfOrder++;
        counter.got(readU32LE(b, head));
      },
    });
    say('READY');
  },

  async 'big-nats-pub'({ url, subject, count, bytes }) {
    const { connect } = await import('@nats-io/transport-node');
    const nc = await connect({ servers: url });
    onTerm(() => nc.close());
    const { template, head } = binTemplate(bytes);
    say('READY');
    let unflushed = 0;
    for (let i = 0; i < count; i++) {
      const b = freshCopy(template);
      writeU32LE(b, head, i);
      nc.publish(subject, b);
      // Waits for the server after every MiB, the bound the streamtasks link puts on what it buffers.
      unflushed += b.length;
      if (unflushed >= 1024 * 1024) {
        unflushed = 0;
        await nc.flush();
      }
    }
    await nc.flush();
    say('SENT');
  },

  async 'big-nats-sub'({ url, subject, count, bytes }) {
    const { connect } = await import('@nats-io/transport-node');
    const nc = await connect({ servers: url });
    onTerm(() => nc.close());
    const { head } = binTemplate(bytes);
    const counter = new Counter(count, bytes);
    nc.subscribe(subject, {
      callback: (err, msg) => {
        if (err) throw err;
        if (msg.data.length !== head + bytes) counter.outOfOrder++;
        counter.got(readU32LE(msg.data, head));
      },
    });
    await nc.flush();
    say('READY');
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
