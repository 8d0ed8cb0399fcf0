import type { Socket } from 'node:net';
import { FrameParser, SocketChannel, encodeFrame } from '@streamtasks/transports/internal';
import { RecordingSocket } from './recording-socket.js';

const tick = () => new Promise((resolve) => setImmediate(resolve));

test('frames sent in one tick go out in one corked write, large payloads uncopied', async () => {
  const socket = new RecordingSocket();
  const channel = new SocketChannel(socket as unknown as Socket, { description: 'test' });
  const big = new Uint8Array(100 * 1024).fill(7);
  for (let i = 0; i < 1000; i++) channel.send(Uint8Array.of(i & 0xff));
  channel.send(big);
  for (let i = 0; i < 10; i++) channel.send(Uint8Array.of(i));
  expect(channel.bufferedAmount).toBe(1011 * 8 + 1010 + big.length);
  expect(socket.writes).toHaveLength(0); // nothing is written inside the sender's call
  await tick();
  expect(socket.writes).toHaveLength(1);
  const chunks = socket.writes[0]!;
  expect(chunks).toHaveLength(4); // small frames, the big frame's header, its payload, small frames
  expect(chunks[2]!.buffer).toBe(big.buffer);

  const frames: number[] = [];
  const parser = new FrameParser({ onFrame: (p) => frames.push(p.length) });
  for (const c of chunks) parser.push(c);
  expect(frames).toHaveLength(1011);
  expect(frames[1000]).toBe(big.length);
  channel.close();
  socket.destroy();
});

test('a payload above 8 KiB is written as it is, one up to 8 KiB is copied; the copies fill one buffer', async () => {
  const socket = new RecordingSocket();
  const channel = new SocketChannel(socket as unknown as Socket, { description: 'test' });
  // Sent to many sockets at once, a payload like `shared` must not be copied for each.
  const shared = new Uint8Array(8 * 1024 + 1).fill(1);
  const copied = new Uint8Array(8 * 1024).fill(2);
  channel.send(Uint8Array.of(1));
  channel.send(shared);
  channel.send(copied);
  channel.send(Uint8Array.of(2));
  await tick();
  const chunks = socket.writes[0]!;
  // The first small frame, the header of `shared`, `shared` itself, then `copied` and the last frame in one buffer.
  expect(chunks.map((c) => c.length)).toEqual([9, 8, shared.length, 8 + copied.length + 9]);
  expect(chunks[2]!.buffer).toBe(shared.buffer);
  expect(chunks[3]!.buffer).not.toBe(copied.buffer);
  const frames: number[] = [];
  const parser = new FrameParser({ onFrame: (p) => frames.push(p.length) });
  for (const c of chunks) parser.push(c);
  expect(frames).toEqual([1, shared.length, copied.length, 1]);
  channel.close();
  socket.destroy();
});

test('a frame alone in its tick is one write: copied with its header when small, its payload as it is when large', async () => {
  const socket = new RecordingSocket();
  const channel = new SocketChannel(socket as unknown as Socket, { description: 'test' });
  channel.send(Uint8Array.of(1, 2, 3));
  await tick();
  const large = new Uint8Array(20 * 1024).fill(3);
  channel.send(large);
  await tick();
  channel.send(Uint8Array.of(4));
  await tick();
  expect(socket.writes.map((w) => w.map((c) => c.length))).toEqual([[11], [8, large.length], [9]]);
  expect(socket.writes[1]![1]!.buffer).toBe(large.buffer);
  const frames: number[][] = [];
  const parser = new FrameParser({ onFrame: (p) => frames.push([...p.subarray(0, 3)]) });
  for (const w of socket.writes) for (const c of w) parser.push(c);
  expect(frames).toEqual([[1, 2, 3], [3, 3, 3], [4]]);
  expect(channel.bufferedAmount).toBe(0);
  channel.close();
  socket.destroy();
});

test('a graceful close flushes first', async () => {
  const socket = new RecordingSocket();
  const channel = new SocketChannel(socket as unknown as Socket, { description: 'test' });
  channel.send(Uint8Array.of(1, 2));
  channel.close();
  await tick();
  expect(Buffer.concat(socket.writes.flat())).toEqual(Buffer.from(encodeFrame(Uint8Array.of(1, 2))));
  socket.destroy();
});
