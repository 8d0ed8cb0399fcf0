import type { Socket } from 'node:net';
import { SlowConsumerError } from '@streamtasks/link';
import {
  FRAME_HEADER_SIZE,
  FrameParser,
  LARGE_READ,
  MAX_HELD_BYTES,
  MAX_HELD_TURNS,
  SocketChannel,
  WORTH_A_WRITE,
  encodeFrame,
  flushHold,
} from '@streamtasks/transports/internal';
import { RecordingSocket } from './recording-socket.js';

const tick = () => new Promise((resolve) => setImmediate(resolve));
const microtask = () => Promise.resolve();

/** Frames of 120-byte payloads, numbered in their first byte, filling `bytes` of reads. */
function frames(bytes: number): Buffer {
  const count = Math.ceil(bytes / (FRAME_HEADER_SIZE + 120));
  return Buffer.concat(Array.from({ length: count }, (_, i) => encodeFrame(new Uint8Array(120).fill(i & 0xff))));
}

/**
 * A node in miniature: every frame read from `source` is sent on one of the
 * `outputs`, round-robin, as `forward` makes it (the frame itself by default).
 */
function fanOut(outputCount: number, forward: (payload: Uint8Array) => Uint8Array = (p) => p) {
  const sourceSocket = new RecordingSocket();
  const source = new SocketChannel(sourceSocket as unknown as Socket, { description: 'source' });
  const sockets = Array.from({ length: outputCount }, () => new RecordingSocket());
  const outputs = sockets.map((s) => new SocketChannel(s as unknown as Socket, { description: 'output' }));
  let next = 0;
  source.setHandler({
    frame: (payload) => outputs[next++ % outputCount]!.send(forward(payload)),
    drain: () => {},
    close: () => {},
    warning: () => {},
  });
  const read = (chunk: Buffer) => sourceSocket.emit('data', chunk);
  const writes = () => sockets.reduce((n, s) => n + s.writes.length, 0);
  const close = () => {
    for (const c of [source, ...outputs]) c.close();
    for (const s of [sourceSocket, ...sockets]) s.destroy();
  };
  return { outputs, sockets, read, writes, close };
}

/** Payload lengths of the frames a socket was written. */
function written(socket: RecordingSocket): number[] {
  const lengths: number[] = [];
  const parser = new FrameParser({ onFrame: (p) => lengths.push(p.length) });
  for (const w of socket.writes) for (const c of w) parser.push(c);
  return lengths;
}

afterEach(() => {
  expect(flushHold.size).toBe(0);
  expect(flushHold.scheduled).toBe(false);
});

test('frames queued during a read below 64 KiB are flushed when the tick ends, as before', async () => {
  const node = fanOut(4);
  node.read(frames(LARGE_READ - 1024));
  expect(node.writes()).toBe(0);
  await microtask();
  expect(node.writes()).toBe(4);
  expect(flushHold.size).toBe(0);
  node.close();
});

test('frames queued during a large read are held to the end of the next loop turn without one, then each channel writes once', async () => {
  const node = fanOut(50);
  const chunk = frames(LARGE_READ);
  const perRead = chunk.length / (FRAME_HEADER_SIZE + 120);
  node.read(chunk);
  node.read(chunk.subarray(0, 1024));
  // The small read's frames join the held channels.
  await microtask();
  expect(node.writes()).toBe(0);
  expect(flushHold.size).toBe(50);
  await tick();
  expect(node.writes()).toBe(0);
  await tick();
  expect(node.writes()).toBe(50);
  const total = node.sockets.reduce((n, s) => n + written(s).length, 0);
  expect(total).toBe(perRead + 8);
  for (const c of node.outputs) expect(c.bufferedAmount).toBe(0);
  node.close();
});

test('a held flush waits at most MAX_HELD_TURNS loop turns while large reads keep coming', async () => {
  // 100 channels: each gets ~5 KiB over the turns, below WORTH_A_WRITE.
  const node = fanOut(100);
  const chunk = frames(LARGE_READ);
  node.read(chunk);
  let turns = 0;
  while (node.writes() === 0) {
    await tick();
    turns++;
    if (node.writes() === 0) node.read(chunk);
    if (turns > MAX_HELD_TURNS) break;
  }
  expect(turns).toBe(MAX_HELD_TURNS);
  expect(node.writes()).toBe(100);
  // Every frame read arrived, in order on each channel.
  const perRead = chunk.length / (FRAME_HEADER_SIZE + 120);
  expect(node.sockets.reduce((n, s) => n + written(s).length, 0)).toBe(perRead * MAX_HELD_TURNS);
  node.close();
});

test('a hold ends once MAX_HELD_BYTES are queued over all channels, after the read, not at the end of the turn', async () => {
  // Each 128-byte frame read becomes a 4 KiB payload for a channel of its own: 2 MiB in all.
  const payload = new Uint8Array(4 * 1024);
  const chunk = frames(LARGE_READ);
  const sent = chunk.length / (FRAME_HEADER_SIZE + 120);
  const node = fanOut(sent, () => payload);
  node.read(chunk);
  expect(node.writes()).toBe(0); // nothing is written inside the read
  await microtask();
  expect(node.writes()).toBe(sent);
  expect(sent * payload.length).toBeGreaterThan(MAX_HELD_BYTES);
  expect(node.sockets.reduce((n, s) => n + written(s).length, 0)).toBe(sent);
  node.close();
});

test('a channel that reaches WORTH_A_WRITE during a large read is written when the read is done', async () => {
  // Of a read's 512 frames, the 57 for the first channel become 2 KiB each (114 KiB); the others get ~7 KiB.
  const big = new Uint8Array(2048);
  let k = 0;
  const node = fanOut(9, (p) => (k++ % 9 === 0 ? big : p));
  node.read(frames(LARGE_READ));
  expect(57 * big.length).toBeGreaterThan(WORTH_A_WRITE);
  await microtask();
  expect(node.sockets.map((s) => s.writes.length)).toEqual([1, 0, 0, 0, 0, 0, 0, 0, 0]);
  expect(flushHold.size).toBe(8);
  await tick();
  await tick();
  expect(node.sockets.every((s) => s.writes.length === 1)).toBe(true);
  node.close();
});

test('a large payload sent during a large read is not held', async () => {
  const large = new Uint8Array(WORTH_A_WRITE);
  const node = fanOut(1, () => large);
  node.read(frames(LARGE_READ).subarray(0, LARGE_READ));
  await microtask();
  expect(node.writes()).toBe(1);
  expect(flushHold.size).toBe(0);
  node.close();
});

test('a frame sent to a held channel outside the read stays in order with the held ones', async () => {
  const node = fanOut(8);
  node.read(frames(LARGE_READ));
  node.outputs[0]!.send(Uint8Array.of(9));
  await tick();
  await tick();
  expect(node.sockets[0]!.writes).toHaveLength(1);
  const lengths = written(node.sockets[0]!);
  expect(lengths.at(-1)).toBe(1);
  expect(lengths.slice(0, -1).every((l) => l === 120)).toBe(true);
  node.close();
});

test.each([
  ['a graceful close flushes the held frames at once', (c: SocketChannel) => c.close(), true],
  ['a close after a failure flushes the held frames at once', (c: SocketChannel) => c.close(new Error('gone')), true],
  ['a close for a slow consumer drops them', (c: SocketChannel) => c.close(new SlowConsumerError('slow')), false],
])('%s and leaves no turn of the hold scheduled', async (_name, close, flushes) => {
  const node = fanOut(2, () => Uint8Array.of(1));
  node.read(frames(LARGE_READ));
  expect(flushHold.size).toBe(2);
  close(node.outputs[0]!);
  expect(flushHold.size).toBe(1);
  close(node.outputs[1]!);
  expect(flushHold.size).toBe(0);
  expect(flushHold.scheduled).toBe(false);
  await tick();
  expect(node.writes()).toBe(flushes ? 2 : 0);
  node.close();
});

test('a socket that closes under a held channel takes it out of the hold', async () => {
  const node = fanOut(1, () => Uint8Array.of(1));
  node.read(frames(LARGE_READ));
  expect(flushHold.scheduled).toBe(true);
  const closed = new Promise((resolve) => node.sockets[0]!.once('close', resolve));
  node.sockets[0]!.destroy();
  await closed;
  expect(flushHold.size).toBe(0);
  expect(flushHold.scheduled).toBe(false);
  expect(node.outputs[0]!.bufferedAmount).toBe(0);
  node.close();
});
