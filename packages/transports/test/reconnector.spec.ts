import {
  InTopicsChangedMessage,
  MessageType,
  OutTopicsChangedMessage,
  RawData,
  Switch,
  TopicDataMessage,
  createQueueLinkPair,
  type Link,
  type Message,
} from '@streamtasks/link';
import {
  Reconnector,
  createReconnector,
  createServer,
  type ReconnectorStatus,
  type TransportServer,
} from '@streamtasks/transports';

/** Receives until a message matches. */
async function recvUntil(link: Link, match: (m: Message) => boolean): Promise<Message> {
  for (;;) {
    const m = await link.recv({ timeout: 5000 });
    if (match(m)) return m;
  }
}

/** Resolves with the next status of the given state. */
function nextStatus<S extends ReconnectorStatus['state']>(r: Reconnector, state: S): Promise<Extract<ReconnectorStatus, { state: S }>> {
  return new Promise((resolve) => {
    const off = r.events.on('status', (status) => {
      if (status.state === state) {
        off();
        resolve(status as Extract<ReconnectorStatus, { state: S }>);
      }
    });
  });
}

const TOPIC = 100_000;

describe('createReconnector', () => {
  let server: TransportServer | undefined;
  let reconnector: Reconnector | undefined;
  afterEach(async () => {
    await reconnector?.stop();
    await server?.close();
    reconnector = undefined;
    server = undefined;
  });

  test('Known fault 8: reconnects again and again; subscriptions come back through the switch (the reference crashes on the first)', async () => {
    // Server side: a hub with a publisher of TOPIC.
    const hub = new Switch();
    const [pubSide, publisher] = createQueueLinkPair();
    hub.addLink(pubSide);
    publisher.send(new OutTopicsChangedMessage([{ id: TOPIC, cost: 0 }], []));
    server = await createServer('tcp://127.0.0.1:0', { switch: hub });

    // Client side: a local switch with a subscriber, kept connected to the server.
    const local = new Switch();
    const [subSide, subscriber] = createQueueLinkPair();
    local.addLink(subSide);
    subscriber.send(new InTopicsChangedMessage([TOPIC], []));
    const statuses: string[] = [];
    reconnector = createReconnector(server.url, { switch: local, delay: 10, maxDelay: 50 });
    reconnector.events.on('status', (s) => statuses.push(s.state));

    for (let round = 0; round < 4; round++) {
      // The subscription reaches the publisher through the new connection.
      await recvUntil(publisher, (m) => m.type === MessageType.InTopicsChanged && m.add.includes(TOPIC));
      publisher.send(new TopicDataMessage(TOPIC, RawData.from({ round })));
      const data = await recvUntil(subscriber, (m) => m.type === MessageType.TopicData);
      expect((data as TopicDataMessage).data.value).toEqual({ round });

      // The server drops the connection.
      const link = await reconnector.waitConnected({ timeout: 5000 });
      expect(local.links.has(link)).toBe(true);
      const [serverEnd] = [...hub.links].filter((l) => l !== pubSide);
      const disconnected = nextStatus(reconnector, 'disconnected');
      hub.removeLink(serverEnd!);
      await disconnected;
      expect(local.links.has(link)).toBe(false);
    }
    expect(statuses.filter((s) => s === 'connected')).toHaveLength(4);
    await recvUntil(publisher, (m) => m.type === MessageType.InTopicsChanged && m.add.includes(TOPIC));

    await reconnector.stop();
    expect(reconnector.state).toBe('stopped');
    expect(local.linkCount).toBe(1); // only the subscriber's
    expect(statuses.at(-1)).toBe('stopped');
    local.close();
    hub.close();
  });

  test('retries with backoff while the server is down, then connects when it is back', async () => {
    const first = await createServer('tcp://127.0.0.1:0');
    const url = first.url;
    await first.close();
    const retries: Array<{ delay: number; error: Error | undefined }> = [];
    const connected: Link[] = [];
    reconnector = createReconnector(url, { onLink: (l) => connected.push(l), delay: 5, backoff: 2, maxDelay: 20 });
    reconnector.events.on('status', (s) => {
      if (s.state === 'retrying') retries.push({ delay: s.delay, error: s.error });
    });
    while (retries.length < 5) await nextStatus(reconnector, 'retrying');
    expect(retries.slice(0, 5).map((r) => r.delay)).toEqual([5, 10, 20, 20, 20]);
    expect(retries[0]!.error).toMatchObject({ code: 'ERR_CONNECTION_CLOSED' });

    server = await createServer(url);
    const status = await nextStatus(reconnector, 'connected');
    expect(connected).toEqual([status.link]);
    expect(reconnector.link).toBe(status.link);
  });

  test('stop() while connected closes the link and leaves nothing running', async () => {
    server = await createServer('tcp://127.0.0.1:0');
    reconnector = createReconnector(server.url, { delay: 10 });
    const link = await reconnector.waitConnected({ timeout: 5000 });
    await Promise.all([reconnector.stop(), reconnector.stop()]);
    expect(link.isClosed).toBe(true);
    expect(reconnector.link).toBeUndefined();
    await expect(reconnector.waitConnected()).rejects.toMatchObject({ code: 'ERR_ABORTED' });
  });

  test('stop() while waiting to retry or while connecting', async () => {
    const gone = await createServer('tcp://127.0.0.1:0');
    const url = gone.url;
    await gone.close();
    reconnector = createReconnector(url, { delay: 60_000 });
    await nextStatus(reconnector, 'retrying');
    await reconnector.stop(); // does not wait out the minute
    expect(reconnector.state).toBe('stopped');

    let started = 0;
    const never = new Reconnector(
      (signal) =>
        new Promise<Link>((_resolve, reject) => {
          started++;
          signal.addEventListener('abort', () => reject(new Error('aborted')), { once: true });
        }),
    );
    const first = nextStatus(never, 'connecting');
    expect(await first).toEqual({ state: 'connecting', attempt: 1 });
    expect(started).toBe(1);
    await never.stop();
    expect(never.state).toBe('stopped');
  });

  test('statuses() iterates the status changes until stopped', async () => {
    server = await createServer('tcp://127.0.0.1:0');
    const r = createReconnector(server.url, { delay: 10 });
    const seen: string[] = [];
    for await (const status of r.statuses()) {
      seen.push(status.state);
      if (status.state === 'connected') void r.stop();
    }
    expect(seen).toEqual(['connecting', 'connected', 'stopped']);
    // After the stop, a new iteration ends at once.
    expect(await r.statuses().next()).toEqual({ value: undefined, done: true });
  });

  test('maxAttempts: gives up after that many failed attempts in a row; the stopped status and waitConnected carry the reason', async () => {
    const gone = await createServer('tcp://127.0.0.1:0');
    const url = gone.url;
    await gone.close();
    const r = createReconnector(url, { delay: 1, maxAttempts: 3 });
    const waiting = r.waitConnected();
    const seen: ReconnectorStatus[] = [];
    for await (const status of r.statuses()) seen.push(status);
    expect(seen.map((s) => s.state)).toEqual(['connecting', 'retrying', 'connecting', 'retrying', 'connecting', 'stopped']);
    const stopped = seen.at(-1) as Extract<ReconnectorStatus, { state: 'stopped' }>;
    expect(stopped.error).toMatchObject({ name: 'ConnectionClosedError', message: expect.stringMatching(/^gave up connecting after 3 failed attempt\(s\) in \d+ ms: /) });
    expect(stopped.error!.cause).toMatchObject({ code: 'ERR_CONNECTION_CLOSED' });
    await expect(waiting).rejects.toBe(stopped.error);
  });

  test('an AbortSignal stops it', async () => {
    server = await createServer('tcp://127.0.0.1:0');
    const controller = new AbortController();
    reconnector = createReconnector(server.url, { signal: controller.signal });
    const link = await reconnector.waitConnected({ timeout: 5000 });
    const stopped = nextStatus(reconnector, 'stopped');
    controller.abort();
    await stopped;
    await link.closed;
  });
});
