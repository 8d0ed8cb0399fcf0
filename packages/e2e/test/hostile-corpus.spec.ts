// One connection cannot stall the others: a node process (`streamtasks
// node`, as a user starts it) is fed every input of the fuzzer's regression
// corpus (tools/fuzz-corpus.json: the slowest inputs ever found, and the
// hand-made ones such as the 221-byte TopicControl that once froze a node)
// over TCP and over WebSocket, on servers with and without auth: as the
// hello, as a frame after the handshake, and as the body of a fetch request
// to discovery. After each input a bystander opens a fresh connection whose
// handshake is answered, and a discovery fetch of a long-lived client is
// answered, each within 100 ms (a check that misses is tried again twice, so
// that a busy test machine alone does not fail it: a stalled node misses
// every try). The node exits within 2 s of SIGTERM, also in the middle of a
// hostile frame.
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { AddressedMessage, RawData, encodeMessage } from '@streamtasks/link';
import type { Client } from '@streamtasks/client';
import { parseUrl } from '@streamtasks/transports';
import { encodeFrame, encodeHello } from '@streamtasks/transports/internal';
import { openClient } from '@streamtasks/cli';
import { startNodeProcess, type CliProcess } from './process.js';
import { RawPeer } from './raw-peer.js';
import { Opcode, RawWebSocket } from './raw-websocket.js';

const AUTH = 'corpus-secret';
const ANSWER_WITHIN = 100;
const TRIES = 3;
const EXIT_WITHIN = 2000;

interface CorpusEntry {
  name: string;
  hex: string;
}
const corpus = (JSON.parse(readFileSync(path.resolve(__dirname, '../../../tools/fuzz-corpus.json'), 'utf8')) as { inputs: CorpusEntry[] })
  .inputs.map((e) => ({ name: e.name, bytes: Uint8Array.from(Buffer.from(e.hex, 'hex')) }));

/** The input as the body of a fetch request to discovery (address 0, port 100). */
const toDiscovery = (bytes: Uint8Array) => encodeMessage(new AddressedMessage(0, 100, RawData.fromBytes(bytes)));

/** A hostile peer over one transport: raw TCP or a hand-written WebSocket. */
interface Hostile {
  /** Sends one frame (TCP: with the stream framing; WebSocket: as one binary message). */
  frame(payload: Uint8Array): void;
  /** Sends the hello and waits for the reply. */
  handshake(auth?: string): Promise<void>;
  destroy(): void;
}

async function tcpPeer(url: string): Promise<Hostile> {
  const peer = await RawPeer.open(url);
  return {
    frame: (p) => peer.write(encodeFrame(p)),
    handshake: async (auth) => {
      await peer.handshake(new Map(auth === undefined ? [] : [['auth', auth]]));
    },
    destroy: () => peer.destroy(),
  };
}

async function wsPeer(url: string): Promise<Hostile> {
  const { host, port } = parseUrl(url) as { host: string; port: number };
  const ws = await RawWebSocket.open(host, port);
  await ws.upgrade();
  return {
    frame: (p) => ws.send(Opcode.Binary, p),
    handshake: async (auth) => {
      ws.send(Opcode.Binary, encodeHello(new Map(auth === undefined ? [] : [['auth', auth]])));
      await ws.nextData();
    },
    destroy: () => ws.destroy(),
  };
}

/** Resolves with `promise`, or rejects once `ms` have passed. */
function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout>;
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms))),
  ]).finally(() => clearTimeout(timer));
}

describe('a node fed the hostile corpus', () => {
  let node: CliProcess;
  let urls: { tcp: string; tcpAuth: string; ws: string; wsAuth: string };
  let bystander: Client;

  beforeAll(async () => {
    const started = await startNodeProcess([
      '--core',
      '--serve', 'tcp://127.0.0.1:0', '--serve', `tcp://127.0.0.1:0?auth=${AUTH}`,
      '--serve', 'ws://127.0.0.1:0', '--serve', `ws://127.0.0.1:0?auth=${AUTH}`,
    ]);
    node = started.node;
    // In the order of --serve (the node's default local socket, if any, is not ours to feed).
    const listening = node.stdout.concat(node.stderr).flatMap((l) => l.match(/listening on ((?:tcp|ws):\/\/\S+)/)?.[1] ?? []);
    expect(listening).toHaveLength(4);
    const [tcp, tcpAuth, ws, wsAuth] = listening as [string, string, string, string];
    urls = { tcp, tcpAuth, ws, wsAuth };
    bystander = await openClient(tcp, { address: true, timeout: 10_000 });
  });

  afterAll(async () => {
    bystander?.close();
    await node?.kill();
  });

  /** A fresh handshake and a discovery fetch, each answered within 100 ms (up to three tries). */
  async function served(after: string): Promise<void> {
    let lastError: unknown;
    for (let attempt = 0; attempt < TRIES; attempt++) {
      try {
        const fresh = await RawPeer.open(urls.tcp);
        try {
          await within(fresh.handshake(), ANSWER_WITHIN, `a fresh handshake after ${after}`);
        } finally {
          fresh.destroy();
        }
        await within(bystander.fetch(0, 'request_topics', { count: 1 }, { timeout: ANSWER_WITHIN }), ANSWER_WITHIN, `a discovery fetch after ${after}`);
        return;
      } catch (err) {
        lastError = err;
      }
    }
    throw lastError;
  }

  test.each([
    ['TCP', false],
    ['TCP', true],
    ['WebSocket', false],
    ['WebSocket', true],
  ] as const)('over %s (auth: %s), every input leaves the others served', async (transport, auth) => {
    const url = transport === 'TCP' ? (auth ? urls.tcpAuth : urls.tcp) : auth ? urls.wsAuth : urls.ws;
    const open = transport === 'TCP' ? tcpPeer : wsPeer;
    const secret = auth ? AUTH : undefined;
    expect(corpus.length).toBeGreaterThanOrEqual(4);
    for (const { name, bytes } of corpus) {
      // As the hello itself.
      const asHello = await open(url);
      asHello.frame(bytes);
      await served(`${name} as the hello`);
      asHello.destroy();
      // After the handshake: as the body of a fetch to discovery, then as a frame of its own.
      const peer = await open(url);
      await peer.handshake(secret);
      peer.frame(toDiscovery(bytes));
      await served(`${name} as a discovery request`);
      peer.frame(bytes);
      await served(`${name} as a frame`);
      peer.destroy();
    }
  }, 300_000);
});

describe('SIGTERM', () => {
  test.each(['after the corpus', 'in the middle of a hostile frame'])('the node exits within 2 s, %s', async (when) => {
    const { node, url } = await startNodeProcess(['--core', '--serve', 'tcp://127.0.0.1:0']);
    try {
      const peer = await tcpPeer(url);
      await peer.handshake();
      if (when === 'after the corpus') {
        for (const { bytes } of corpus) peer.frame(toDiscovery(bytes));
      } else {
        // The largest input, framed, but only its first half sent.
        const largest = corpus.reduce((a, b) => (b.bytes.length > a.bytes.length ? b : a)).bytes;
        const framed = encodeFrame(toDiscovery(largest));
        const raw = await RawPeer.open(url);
        await raw.handshake();
        raw.write(framed.subarray(0, framed.length >> 1));
      }
      const t0 = Date.now();
      node.child.kill('SIGTERM');
      await node.exited;
      expect(Date.now() - t0).toBeLessThan(EXIT_WITHIN);
    } finally {
      await node.kill();
    }
  }, 30_000);
});
