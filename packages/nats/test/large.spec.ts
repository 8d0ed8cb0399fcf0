// Messages far above the server's max_payload: split into pieces and put
// together again, in order, byte for byte.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AddressedMessage,
  AddressesChangedMessage,
  InTopicsChangedMessage,
  MessageType,
  OutTopicsChangedMessage,
  RawData,
  TopicControlMessage,
  TopicDataMessage,
  type Message,
} from '@streamtasks/link';
import { connectNats, type NatsLink } from '@streamtasks/nats';
import { startNatsServer, type NatsServer } from '@streamtasks/testing';
import { freshNetwork, pullUntil } from './helpers.js';

let server: NatsServer;
let dir: string;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'nats-conf-'));
  writeFileSync(join(dir, 'small.conf'), 'max_payload: 65536\n');
  server = await startNatsServer({ args: ['-c', join(dir, 'small.conf')] });
});
afterAll(async () => {
  await server.kill();
  rmSync(dir, { recursive: true, force: true });
});

test('16 MiB messages cross a server whose max_payload is 64 KiB, in order, with nothing dropped', async () => {
  const url = `${server.url}?network=${freshNetwork()}`;
  const links: NatsLink[] = [await connectNats(url), await connectNats(url)];
  const [a, b] = links as [NatsLink, NatsLink];
  try {
    b.send(new AddressesChangedMessage([{ id: 9, cost: 0 }], []));
    await pullUntil(a, () => a.addresses.has(9));
    const sizes = [16 * 1024 * 1024 - 64, 65_536, 3 * 65_536 + 1];
    const payloads = sizes.map((size, i) => {
      const bytes = new Uint8Array(size);
      for (let j = 0; j < size; j += 997) bytes[j] = (j + i) & 0xff;
      return RawData.from(bytes);
    });
    const publishedBefore = a.stats.published;
    const received: AddressedMessage[] = [];
    const all = new Promise<void>((resolve) =>
      b.setReceiver((m) => {
        if (m.type === MessageType.Addressed && received.push(m) === sizes.length) resolve();
      }),
    );
    payloads.forEach((payload, i) => a.send(new AddressedMessage(9, i, payload)));
    await all;
    received.forEach((m, i) => {
      expect(m.port).toBe(i);
      expect(Buffer.compare(m.data.bytes, payloads[i]!.bytes)).toBe(0);
    });
    // Each message went as pieces of at most 64 KiB (headers included).
    const pieces = sizes.reduce((n, size) => n + Math.ceil((size + 32) / (65_536 - 512)), 0);
    expect(a.stats.published - publishedBefore).toBeGreaterThanOrEqual(pieces);
    expect(b.stats.piecesDropped).toBe(0);
  } finally {
    await Promise.all(links.map((l) => l[Symbol.asyncDispose]()));
  }
}, 40_000);

test('a burst of topic data of every size, with pauses between, arrives in order byte for byte, batched up to max_payload', async () => {
  const url = `${server.url}?network=${freshNetwork()}`;
  const links: NatsLink[] = [await connectNats(url), await connectNats(url)];
  const [a, b] = links as [NatsLink, NatsLink];
  try {
    a.send(new OutTopicsChangedMessage([{ id: 3, cost: 0 }], []));
    await pullUntil(b, () => b.outTopics.has(3));
    b.send(new InTopicsChangedMessage([3], []));
    await pullUntil(a, () => a.inTopics.has(3));
    // Small ones that fill batches, sizes around the bin8/bin16/bin32 and max_payload edges, and one of 16 MiB.
    const sizes = [
      ...Array.from({ length: 2000 }, (_, i) => i % 300),
      65_536 - 600, 65_536, 70_000, 16 * 1024 * 1024 - 64,
      ...Array.from({ length: 300 }, () => 100),
    ];
    const sent: Message[] = sizes.flatMap((size, i) => {
      const bytes = new Uint8Array(size);
      for (let j = 0; j < size; j += 97) bytes[j] = (j + i) & 0xff;
      const data = new TopicDataMessage(3, RawData.from(bytes));
      return i % 500 === 1 ? [new TopicControlMessage(3, i % 1000 === 1), data] : [data];
    });
    const received: Message[] = [];
    const all = new Promise<void>((resolve) =>
      b.setReceiver((m) => {
        if ((m.type === MessageType.TopicData || m.type === MessageType.TopicControl) && received.push(m) === sent.length) resolve();
      }),
    );
    const publishedBefore = a.stats.published;
    for (const m of sent) a.send(m);
    await all;
    received.forEach((m, i) => {
      const s = sent[i]!;
      expect(m.type).toBe(s.type);
      if (m.type === MessageType.TopicControl) expect(m.paused).toBe((s as TopicControlMessage).paused);
      else expect(Buffer.compare((m as TopicDataMessage).data.bytes, (s as TopicDataMessage).data.bytes)).toBe(0);
    });
    // Far fewer NATS messages than streamtasks messages: the small ones went in batches (the 16 MiB one as 257 pieces).
    expect(a.stats.published - publishedBefore).toBeLessThan(400);
    expect(b.stats.piecesDropped).toBe(0);
  } finally {
    await Promise.all(links.map((l) => l[Symbol.asyncDispose]()));
  }
}, 40_000);
