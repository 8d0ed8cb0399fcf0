// BroadcastReceiver's transformData hook: each payload is turned into what
// the receiver yields; a payload the hook refuses is reported and skipped.
import { BroadcastReceiver, BroadcastingServer } from '@streamtasks/broadcast';
import { check } from '@streamtasks/fetch';
import { createNetwork, nextEvent } from '@streamtasks/testing';

const PUBLISHER = 10_000;

test('transformData shapes what the receiver yields and skips what it refuses', async () => {
  const net = createNetwork();
  let next = 100_000;
  const server = new BroadcastingServer(net.connect(PUBLISHER), { allocateTopics: (n) => Array.from({ length: n }, () => next++) }).start();
  const Reading = check.object({ celsius: check.integer() });
  const seenNamespaces: string[] = [];
  const receiver = await new BroadcastReceiver(net.connect(10_001), ['sensor/a', 'sensor/b'], {
    endpoint: PUBLISHER,
    transformData: (data, namespace) => {
      seenNamespaces.push(namespace);
      return { fahrenheit: Reading(data, 'data').celsius * 1.8 + 32 };
    },
  }).start({ timeout: 2000 });
  try {
    const refused = nextEvent<[Error]>((l) => receiver.events.on('error', l));
    server.broadcast('sensor/a', { celsius: 100 });
    server.broadcast('sensor/b', { kelvin: 3 });
    server.broadcast('sensor/b', { celsius: 0 });
    const first = await receiver.recv({ timeout: 2000 });
    const second = await receiver.recv({ timeout: 2000 });
    const results = [first, second].sort(([x], [y]) => x.localeCompare(y));
    expect(results).toEqual([['sensor/a', { fahrenheit: 212 }], ['sensor/b', { fahrenheit: 32 }]]);
    expect((await refused)[0].message).toMatch(/data\.celsius/);
    expect(seenNamespaces.sort()).toEqual(['sensor/a', 'sensor/b', 'sensor/b']);
  } finally {
    receiver.stop();
    server.stop();
    net.close();
  }
});
