// Messages far above the server's max_payload: split into pieces and put
// together again, in order, byte for byte.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AddressedMessage, AddressesChangedMessage, MessageType, RawData } from '@streamtasks/link';
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
