// A discovery that starts afresh (a restarted --core node) on a network
// whose clients still hold what the previous one handed out: it learns the
// addresses and topics the network announces and never hands them out.
import { Switch, createQueueLinkPair } from '@streamtasks/link';
import { Client } from '@streamtasks/client';
import { DiscoveryService, requestAddress, requestAddresses, requestTopicIds } from '@streamtasks/discovery';
import { eventually } from '@streamtasks/testing';

const WAIT = { timeout: 5000 };

const hub = new Switch();
const clients: Client[] = [];
let discovery: DiscoveryService | undefined;
afterEach(() => {
  for (const c of clients.splice(0)) c.close();
  discovery?.close();
  discovery = undefined;
});
afterAll(() => hub.close());

function connect(): Client {
  const [a, b] = createQueueLinkPair({ serialize: true });
  hub.addLink(a);
  const client = new Client(b).start();
  clients.push(client);
  return client;
}

function startDiscovery(): DiscoveryService {
  const [a, b] = createQueueLinkPair({ serialize: true });
  hub.addLink(a);
  discovery = new DiscoveryService(b).start();
  return discovery;
}

test('addresses and topics held on the network before discovery starts are never handed out', async () => {
  // What the previous discovery handed out, still held: two addresses and a provided topic.
  const survivor = connect();
  survivor.setAddress(10_000);
  survivor.registerOutTopics([100_000, 100_002]);
  const other = connect();
  other.setAddress(10_002);
  const service = startDiscovery();

  const fresh = connect();
  await expect(requestAddress(fresh, WAIT)).resolves.toBe(10_001);
  await expect(requestAddresses(fresh, 3, WAIT)).resolves.toEqual([10_003, 10_004, 10_005]);
  await expect(requestTopicIds(fresh, 3, WAIT)).resolves.toEqual([100_001, 100_003, 100_004]);
  // Skipped ids are not counted as handed out.
  expect(service.stats).toMatchObject({ addressesAllocated: 4, topicsAllocated: 3 });
});

test('an address announced after discovery started (a client that reconnected) is skipped too', async () => {
  startDiscovery();
  const first = connect();
  await expect(requestAddress(first, WAIT)).resolves.toBe(10_000);
  // A client that held 10001 and 10002 under the previous discovery comes back.
  const back = connect();
  back.setAddress(10_001);
  const backToo = connect();
  backToo.setAddress(10_002);
  const fresh = connect();
  await eventually(() => fresh.link.addresses.has(10_001) && fresh.link.addresses.has(10_002));
  await expect(requestAddresses(fresh, 2, WAIT)).resolves.toEqual([10_003, 10_004]);
  // Held for a while and withdrawn again: still not handed out, its holder may come back once more.
  const away = connect();
  away.setAddress(10_006);
  await eventually(() => fresh.link.addresses.has(10_006));
  away.close();
  await eventually(() => !fresh.link.addresses.has(10_006));
  await expect(requestAddresses(fresh, 3, WAIT)).resolves.toEqual([10_005, 10_007, 10_008]);
});
