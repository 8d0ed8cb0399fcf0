import {
  InTopicsChangedMessage,
  MessageType,
  OutTopicsChangedMessage,
  RawData,
  Switch,
  TopicControlMessage,
  TopicDataMessage,
  type Link,
  type Message,
} from '@streamtasks/link';
import { DEFAULT_COSTS, connect, createServer, type TransportServer } from '@streamtasks/transports';
import { nextEvent, tempSocketDir } from './harness.js';

const sockets = tempSocketDir();
afterAll(() => sockets.remove());

/** Receives until a message matches. */
async function recvUntil(link: Link, match: (m: Message) => boolean): Promise<Message> {
  for (;;) {
    const m = await link.recv({ timeout: 5000 });
    if (match(m)) return m;
  }
}

describe.each<[string, () => string, number]>([
  ['tcp', () => 'tcp://127.0.0.1:0', DEFAULT_COSTS.TCP],
  ['unix', () => `unix://${sockets.path('switch.sock')}`, DEFAULT_COSTS.UNIX],
  ['ws', () => 'ws://127.0.0.1:0', DEFAULT_COSTS.WEBSOCKET],
])('two clients exchange topic data through a server switch (%s)', (_name, url, cost) => {
  let hub: Switch;
  let server: TransportServer;
  beforeEach(async () => {
    hub = new Switch();
    server = await createServer(url(), { switch: hub });
  });
  afterEach(async () => {
    await server.close();
    hub.close();
  });

  test('announce, subscribe, publish, pause, leave', async () => {
    const publisher = await connect(server.url);
    const subscriber = await connect(server.url);

    publisher.send(new OutTopicsChangedMessage([{ id: 100_000, cost: 0 }], []));
    // Each link adds its cost: the server's end, then the subscriber's own.
    const announced = await recvUntil(subscriber, (m) => m.type === MessageType.OutTopicsChangedRecv);
    expect(announced).toMatchObject({ add: [{ id: 100_000, cost: 2 * cost }] });

    subscriber.send(new InTopicsChangedMessage([100_000], []));
    expect(await recvUntil(publisher, (m) => m.type === MessageType.InTopicsChanged)).toMatchObject({ add: [100_000] });

    publisher.send(new TopicDataMessage(100_000, RawData.from({ timestamp: 1, value: 2 })));
    publisher.send(new TopicControlMessage(100_000, true));
    const data = await recvUntil(subscriber, (m) => m.type === MessageType.TopicData);
    expect((data as TopicDataMessage).data.value).toEqual({ timestamp: 1, value: 2 });
    expect(await recvUntil(subscriber, (m) => m.type === MessageType.TopicControl)).toMatchObject({ paused: true });

    // The subscriber leaves: the switch drops its link and withdraws the request upstream.
    const removed = nextEvent((l) => hub.events.on('link-removed', l));
    subscriber.close();
    await removed;
    expect(hub.linkCount).toBe(1);
    expect(await recvUntil(publisher, (m) => m.type === MessageType.InTopicsChanged)).toMatchObject({ remove: [100_000] });
    expect(server.connectionCount).toBe(1);

    // The publisher leaves: its topic is withdrawn.
    const gone = nextEvent((l) => hub.events.on('link-removed', l));
    publisher.close();
    await gone;
    expect(hub.providedTopics()).toEqual([]);
    expect(server.connectionCount).toBe(0);
  });
});
