import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { RawData, TopicDataMessage } from '@streamtasks/link';
import { WebSocket as NodeWebSocket } from 'ws';
import {
  InvalidUrlError,
  connectWebSocket,
  createServer,
  type WebSocketConstructor,
  type WebSocketLike,
} from '@streamtasks/transports';
import { Collector } from './compliance.js';
import { nextEvent } from './harness.js';
import type { ConnectionLink } from '@streamtasks/transports';

// Compile-time checks: a browser's WebSocket and the `ws` package's both fit the interface.
type BrowserWebSocket = InstanceType<typeof globalThis.WebSocket>;
const _browserFits: (ws: BrowserWebSocket) => WebSocketLike = (ws) => ws;
const _nodeFits: (ws: NodeWebSocket) => WebSocketLike = (ws) => ws;
const _ctorFits: WebSocketConstructor = NodeWebSocket;

const SRC = resolve(__dirname, '../src');

/** Every module reachable from `entry` through static imports, with what each imports. */
function importGraph(entry: string): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  const visit = (file: string) => {
    if (graph.has(file)) return;
    const specifiers = [...readFileSync(file, 'utf8').matchAll(/^(?:import|export)\s[^;]*?from\s+'([^']+)'/gms)].map((m) => m[1]!);
    graph.set(file, specifiers);
    for (const s of specifiers) if (s.startsWith('.')) visit(join(dirname(file), s.replace(/\.js$/, '.ts')));
  };
  visit(entry);
  return graph;
}

describe('browser entry', () => {
  test('imports nothing from Node or the ws package', () => {
    const graph = importGraph(join(SRC, 'browser.ts'));
    expect(graph.size).toBeGreaterThan(5);
    expect([...graph.keys()].map((f) => f.slice(SRC.length + 1))).toContain('websocket-channel.ts');
    for (const [file, specifiers] of graph) {
      for (const s of specifiers) {
        expect({ file, import: s }).toEqual({ file, import: expect.not.stringMatching(/^(node:|ws$|net$|fs$|http)/) });
      }
    }
  });

  test('connectWebSocket works with a browser-style WebSocket class', async () => {
    const server = await createServer('ws://127.0.0.1:0/st');
    const accepted = nextEvent<[ConnectionLink]>((l) => server.events.on('connection-accepted', l));
    const link = await connectWebSocket(server.url, { WebSocket: NodeWebSocket, timeout: 5000 });
    const [serverEnd] = await accepted;
    const got = new Collector(serverEnd);
    link.send(new TopicDataMessage(5, RawData.from('hello')));
    expect((await got.count(1))[0]).toMatchObject({ topic: 5 });
    expect(link.cost).toBe(150);
    link.close();
    await server.close();
  });

  test('connectWebSocket refuses other schemes', async () => {
    await expect(connectWebSocket('tcp://127.0.0.1:1', { WebSocket: NodeWebSocket })).rejects.toBeInstanceOf(InvalidUrlError);
  });
});
