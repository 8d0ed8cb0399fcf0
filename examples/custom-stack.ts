// A custom stack from single packages: link + client + fetch, nothing else.
//
//   npx tsx examples/custom-stack.ts
//
// No discovery, no transports, no Node modules: the same code runs in a
// browser or a worker. Addresses and topic ids are chosen by hand, and a
// name is put into the client's cache instead of being resolved.
import { Switch, createQueueLinkPair } from '@streamtasks/link';
import { Client, FetchError } from '@streamtasks/client';
import { FetchRequestError, FetchServer, check } from '@streamtasks/fetch';

const hub = new Switch();
function participant(address: number): Client {
  // serialize: every message is encoded and decoded, as over a socket.
  const [switchSide, clientSide] = createQueueLinkPair({ serialize: true });
  hub.addLink(switchSide);
  const client = new Client(clientSide).start();
  client.setAddress(address);
  return client;
}

const kv = participant(20_000);
const app = participant(20_001);

// A key-value service on port 100.
const store = new Map<string, unknown>();
const server = new FetchServer(kv)
  .route('set', { validate: check.object({ key: check.string(), value: check.unknown() }) }, ({ body }) => {
    store.set(body.key, body.value);
  })
  .route('get', { validate: check.object({ key: check.string() }) }, ({ body }) => {
    if (!store.has(body.key)) throw FetchRequestError.notFound(body.key);
    return store.get(body.key);
  })
  .start();

// Without discovery a name can still be used: put it into the cache.
app.cacheAddressName('kv', 20_000);
await app.fetch('kv', 'set', { key: 'greeting', value: 'hello' }, { timeout: 1000 });
console.log('get greeting ->', await app.fetch('kv', 'get', { key: 'greeting' }, { timeout: 1000 }));
try {
  await app.fetch('kv', 'get', { key: 'missing' }, { timeout: 1000 });
} catch (err) {
  if (err instanceof FetchError) console.log(`get missing -> ${err.fetchCode}: ${err.message}`);
}

// Publish/subscribe with the client alone: topic 500 chosen by hand.
const received = new Promise<unknown>((resolve) => app.subscribe(500, { data: (data) => resolve(data.value) }));
const requested = new Promise<void>((resolve) => kv.listenTopic(500, { requested: (yes) => yes && resolve() }));
kv.registerOutTopics([500]);
await requested;
kv.sendToTopic(500, { timestamp: Date.now(), keys: [...store.keys()] });
console.log('topic 500 ->', await received);

server.stop();
kv.close();
app.close();
hub.close();
