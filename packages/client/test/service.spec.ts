// In-process clients (add_local_connection), the Service base (Python's
// Worker) and scoped topic registration.
import { ConnectionClosedError, Switch, addLocalLink, type Id } from '@streamtasks/link';
import { Service, createLocalClient, registerInTopicsScoped, registerOutTopicsScoped, type Client } from '@streamtasks/client';

const TOPIC = 100_000;

/** Resolves once the in-process network delivered what was sent (queue links deliver before the next event-loop turn). */
const delivered = () => new Promise((resolve) => setImmediate(resolve));

/** Resolves with the first payload the client receives on `topic`. */
function nextData(client: Client, topic: Id): Promise<unknown> {
  return new Promise((resolve) => {
    const off = client.subscribe(topic, {
      data: (data) => {
        off();
        resolve(data.value);
      },
    });
  });
}

describe('createLocalClient / addLocalLink', () => {
  test('clients on local links of one switch reach each other; closing one removes its link', async () => {
    const hub = new Switch();
    const a = createLocalClient(hub);
    const b = createLocalClient(hub, { link: { serialize: true } });
    expect(a.isRunning).toBe(true);
    expect(hub.linkCount).toBe(2);
    a.registerOutTopics([TOPIC]);
    const received = nextData(b, TOPIC);
    await new Promise<void>((resolve) => a.listenTopic(TOPIC, { requested: (r) => r && resolve() }));
    a.sendStreamData(TOPIC, { n: 1 });
    await expect(received).resolves.toEqual({ n: 1 });
    b.close();
    await b.link.closed;
    expect(hub.linkCount).toBe(1);
    const raw = addLocalLink(hub);
    expect(hub.linkCount).toBe(2);
    raw.close();
    a.close();
    hub.close();
  });
});

/** A service that publishes a counter on a topic whenever someone wants it. */
class Counter extends Service {
  stops = 0;
  client: Client | undefined;

  protected onStart(): void {
    const client = this.createClient();
    this.client = client;
    let n = 0;
    client.registerOutTopics([TOPIC]);
    client.listenTopic(TOPIC, { requested: (requested) => requested && client.sendStreamData(TOPIC, { n: n++ }) });
  }

  protected override onStop(): void {
    this.stops++;
  }
}

describe('Service', () => {
  test('start attaches it to the network, its clients serve, stop withdraws everything', async () => {
    const hub = new Switch();
    const service = await new Counter(addLocalLink(hub)).start();
    expect(service.isRunning).toBe(true);
    const user = createLocalClient(hub);
    await expect(nextData(user, TOPIC)).resolves.toEqual({ n: 0 });
    expect(hub.providedTopics()).toContain(TOPIC);

    await service.stop();
    await service.stop();
    expect(service.stops).toBe(1);
    expect(service.isRunning).toBe(false);
    expect(service.client!.link.isClosed).toBe(true);
    expect(service.switch.linkCount).toBe(0);
    expect(hub.providedTopics()).not.toContain(TOPIC);
    await expect(service.stopped).resolves.toBeUndefined();
    expect(() => service.createClient()).toThrow(/stopped/);
    user.close();
    hub.close();
  });

  test('await using stops it at the end of the block', async () => {
    const hub = new Switch();
    let service: Counter;
    {
      await using started = await new Counter(addLocalLink(hub)).start();
      service = started;
      await delivered();
      expect(hub.providedTopics()).toContain(TOPIC);
    }
    expect(service.isRunning).toBe(false);
    expect(hub.providedTopics()).not.toContain(TOPIC);
    hub.close();
  });

  test('it stops when its network link closes, with the reason', async () => {
    const hub = new Switch();
    const link = addLocalLink(hub);
    const service = await new Counter(link).start();
    const reason = new ConnectionClosedError('the node went away');
    link.close(reason);
    await expect(service.stopped).resolves.toBe(reason);
    expect(service.client!.link.isClosed).toBe(true);
    hub.close();
  });

  test('a failing onStart stops it again and rethrows', async () => {
    class Broken extends Service {
      created: Client | undefined;
      protected onStart(): void {
        this.created = this.createClient();
        throw new Error('no config');
      }
    }
    const hub = new Switch();
    const broken = new Broken(addLocalLink(hub));
    await expect(broken.start()).rejects.toThrow('no config');
    await expect(broken.stopped).resolves.toMatchObject({ message: 'no config' });
    expect(broken.created!.link.isClosed).toBe(true);
    expect(hub.linkCount).toBe(0);
    hub.close();
  });
});

describe('scoped registration', () => {
  test('in- and out-topics are registered for the block and released after it, also after a throw', () => {
    const hub = new Switch();
    const client = createLocalClient(hub);
    expect(() => {
      using _in = registerInTopicsScoped(client, [TOPIC, TOPIC + 1]);
      using _out = registerOutTopicsScoped(client, [TOPIC + 2]);
      expect(client.isInTopicRegistered(TOPIC)).toBe(true);
      expect(client.isInTopicRegistered(TOPIC + 1)).toBe(true);
      expect(client.isOutTopicRegistered(TOPIC + 2)).toBe(true);
      throw new Error('inside the block');
    }).toThrow('inside the block');
    expect(client.isInTopicRegistered(TOPIC)).toBe(false);
    expect(client.isInTopicRegistered(TOPIC + 1)).toBe(false);
    expect(client.isOutTopicRegistered(TOPIC + 2)).toBe(false);
    client.close();
    hub.close();
  });

  test('reference counting: a registration made elsewhere outlives the scope', () => {
    const hub = new Switch();
    const client = createLocalClient(hub);
    client.registerInTopics([TOPIC]);
    {
      using _scope = registerInTopicsScoped(client, [TOPIC]);
    }
    expect(client.isInTopicRegistered(TOPIC)).toBe(true);
    client.close();
    hub.close();
  });
});
