/**
 * A switch forwards a large frame that arrived over a socket in the pieces it
 * arrived in (never joined) to a socket, joins it for a link that cannot take
 * pieces (WebSocket), and every subscriber gets the same bytes.
 */
import { InTopicsChangedMessage, MessageType, OutTopicsChangedMessage, RawData, Switch, TopicDataMessage, type Link, type Message } from '@streamtasks/link';
import { connect, createServer, type TransportServer } from '@streamtasks/transports';
import type { Socket } from 'node:net';
import { FRAME_HEADER_SIZE, FrameParser, LARGE_READ, SocketChannel, encodeFrame, flushHold } from '@streamtasks/transports/internal';
import { RecordingSocket } from './recording-socket.js';

const TOPIC = 100_001;

async function recvUntil(link: Link, match: (m: Message) => boolean): Promise<Message> {
  for (;;) {
    const m = await link.recv({ timeout: 10_000 });
    if (match(m)) return m;
  }
}

const handlerBase = { drain: () => {}, close: () => {}, warning: () => {} };

/** A 2 MiB frame in 64 KiB reads, each a buffer of its own (as a socket's reads are). */
function largeFrameReads(payload: Uint8Array): Buffer[] {
  const frame = encodeFrame(payload);
  const reads: Buffer[] = [];
  for (let at = 0; at < frame.length; at += 65_536) reads.push(Buffer.from(frame.subarray(at, at + 65_536)));
  return reads;
}

describe('a socket channel and large frames', () => {
  const payload = Uint8Array.from({ length: 2 * 1024 * 1024 }, (_, i) => (i * 11) & 0xff);

  test('a handler with frameParts gets the pieces as views of the reads; one without gets them joined', () => {
    for (const withParts of [true, false]) {
      const socket = new RecordingSocket();
      const channel = new SocketChannel(socket as unknown as Socket, { description: 'test' });
      const frames: Uint8Array[] = [];
      const pieces: (readonly Uint8Array[])[] = [];
      channel.setHandler({
        ...handlerBase,
        frame: (p) => frames.push(p),
        ...(withParts ? { frameParts: (parts: readonly Uint8Array[]) => pieces.push(parts) } : {}),
      });
      const reads = largeFrameReads(payload);
      for (const r of reads) socket.emit('data', r);
      if (withParts) {
        expect(frames).toHaveLength(0);
        expect(pieces).toHaveLength(1);
        expect(Buffer.compare(Buffer.concat(pieces[0]!), payload)).toBe(0);
        for (const p of pieces[0]!) expect(reads.some((r) => r.buffer === p.buffer)).toBe(true);
      } else {
        expect(frames).toHaveLength(1);
        expect(Buffer.compare(frames[0]!, payload)).toBe(0);
      }
      channel.close();
      socket.destroy();
    }
  });

  test('sendParts writes what is pending first, then the header and the pieces as they are, in one corked write', () => {
    const socket = new RecordingSocket();
    const channel = new SocketChannel(socket as unknown as Socket, { description: 'test' });
    const parts = [new Uint8Array(100_000).fill(1), new Uint8Array(50_000).fill(2)];
    channel.send(Uint8Array.of(9));
    channel.sendParts(parts, 150_000);
    expect(socket.writes).toHaveLength(1);
    expect(socket.writes[0]!.slice(2).map((c) => c.buffer)).toEqual(parts.map((p) => p.buffer));
    const frames: Uint8Array[] = [];
    const parser = new FrameParser({ onFrame: (p) => frames.push(p) });
    for (const w of socket.writes) for (const c of w) parser.push(c);
    expect(frames.map((f) => f.length)).toEqual([1, 150_000]);
    expect(Buffer.compare(frames[1]!, Buffer.concat(parts))).toBe(0);
    channel.close();
    socket.destroy();
  });

  test('small frames held during large reads and a large frame sent in pieces reach the wire in the order they were sent', async () => {
    // A node in miniature: every frame read from `source` goes to `output`, a large one as its pieces.
    const sourceSocket = new RecordingSocket();
    const source = new SocketChannel(sourceSocket as unknown as Socket, { description: 'source' });
    const outputSocket = new RecordingSocket();
    const output = new SocketChannel(outputSocket as unknown as Socket, { description: 'output' });
    source.setHandler({ ...handlerBase, frame: (p) => output.send(p), frameParts: (parts, length) => output.sendParts(parts, length) });
    const small = (from: number, count: number) =>
      Buffer.concat(Array.from({ length: count }, (_, i) => encodeFrame(new Uint8Array(120).fill(from + i))));
    // Ten small frames, the large frame, ten small frames: read as 64 KiB reads (the last one shorter).
    const stream = Buffer.concat([small(0, 10), encodeFrame(payload), small(10, 10)]);
    const reads: Buffer[] = [];
    for (let at = 0; at < stream.length; at += LARGE_READ) reads.push(Buffer.from(stream.subarray(at, at + LARGE_READ)));

    sourceSocket.emit('data', reads[0]!);
    // The first ten were queued during a large read: held, nothing written yet.
    expect(outputSocket.writes).toHaveLength(0);
    expect(flushHold.size).toBe(1);
    for (const r of reads.slice(1)) sourceSocket.emit('data', r);
    // The large frame left at once, and the held frames with it, ahead of it.
    expect(outputSocket.writes).toHaveLength(1);
    for (let turns = 0; (flushHold.size > 0 || flushHold.scheduled) && turns < 20; turns++) await new Promise(setImmediate);
    await Promise.resolve();
    expect(flushHold.size).toBe(0);
    expect(flushHold.scheduled).toBe(false);

    const got: string[] = [];
    const parser = new FrameParser({ onFrame: (p) => got.push(p.length === 120 ? `small ${p[0]}` : `large ${p.length}`) });
    for (const w of outputSocket.writes) for (const c of w) parser.push(c);
    const expected = [...Array.from({ length: 10 }, (_, i) => `small ${i}`), `large ${payload.length}`, ...Array.from({ length: 10 }, (_, i) => `small ${10 + i}`)];
    expect(got).toEqual(expected);
    expect(output.bufferedAmount).toBe(0);
    expect(FRAME_HEADER_SIZE * 21 + 20 * 120 + payload.length).toBe(outputSocket.writes.flat().reduce((n, c) => n + c.length, 0));
    source.close();
    output.close();
    sourceSocket.destroy();
    outputSocket.destroy();
  });
});

/** Bytes the switch counted on TOPIC. */
const topicBytes = (hub: Switch): number => hub.topicInfo().find((t) => t.topic === TOPIC)!.bytes;

describe('large frames through a switch', () => {
  let hub: Switch;
  let servers: TransportServer[];
  beforeEach(async () => {
    hub = new Switch();
    servers = [await createServer('tcp://127.0.0.1:0', { switch: hub }), await createServer('ws://127.0.0.1:0', { switch: hub })];
  });
  afterEach(async () => {
    await Promise.all(servers.map((s) => s.close()));
    hub.close();
    jest.restoreAllMocks();
  });

  test('a 3 MiB payload goes to a TCP subscriber in its pieces and to a WebSocket subscriber joined', async () => {
    const [tcp, ws] = servers as [TransportServer, TransportServer];
    const publisher = await connect(tcp.url);
    const subscribers = [await connect(tcp.url), await connect(ws.url)];
    publisher.send(new OutTopicsChangedMessage([{ id: TOPIC, cost: 0 }], []));
    for (const s of subscribers) {
      await recvUntil(s, (m) => m.type === MessageType.OutTopicsChangedRecv);
      s.send(new InTopicsChangedMessage([TOPIC], []));
    }
    await recvUntil(publisher, (m) => m.type === MessageType.InTopicsChanged);
    // A small message that both receive: both requests are in place.
    publisher.send(new TopicDataMessage(TOPIC, RawData.from(0)));
    for (const s of subscribers) await recvUntil(s, (m) => m.type === MessageType.TopicData);
    const before = topicBytes(hub);

    const sendParts = jest.spyOn(SocketChannel.prototype, 'sendParts');
    const payload = Uint8Array.from({ length: 3 * 1024 * 1024 }, (_, i) => (i * 17) & 0xff);
    const sent = new TopicDataMessage(TOPIC, RawData.from(payload));
    publisher.send(sent);
    for (const s of subscribers) {
      const got = (await recvUntil(s, (m) => m.type === MessageType.TopicData)) as TopicDataMessage;
      expect(Buffer.compare(got.data.value as Uint8Array, payload)).toBe(0);
    }
    // The switch's link to the TCP subscriber sent the pieces it read from the publisher (the
    // subscriber, in this process too, sends nothing large).
    expect(sendParts).toHaveBeenCalledTimes(1);
    const [parts, length] = sendParts.mock.calls[0]!;
    expect(parts.length).toBeGreaterThan(1);
    expect(length).toBe(sent.wire!.length);
    expect(Buffer.compare(Buffer.concat(parts), sent.wire!)).toBe(0);
    // Counted as the bytes they are.
    expect(topicBytes(hub) - before).toBe(sent.wire!.length);

    await Promise.all([publisher, ...subscribers].map((l) => l.close()));
  });
});
