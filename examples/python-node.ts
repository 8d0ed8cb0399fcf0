// Talking to a Python streamtasks node.
//
// Needs a running node; it is written for a Python one (pip install streamtasks):
//
//   python -m streamtasks -C --serve tcp://127.0.0.1:9002
//   STREAMTASKS_URL=tcp://127.0.0.1:9002 npx tsx examples/python-node.ts
//
// (A TypeScript node works the same: `streamtasks node --core --serve tcp://127.0.0.1:9002`.)
//
// The TypeScript clients get their addresses and a topic id from the Python
// discovery service, register a name there, serve a fetch route that Python
// clients can call as `await client.fetch("ts-echo", "echo", {...})`, call it
// through the Python switch, and exchange topic data through it.
import { openClient, resolveUrl } from '@streamtasks/cli';
import { registerAddressName, requestTopicIds } from '@streamtasks/discovery';
import { FetchServer } from '@streamtasks/fetch';
import { inTopic, outTopic } from '@streamtasks/topic';

const url = resolveUrl(undefined); // $STREAMTASKS_URL, else tcp://127.0.0.1:9002
const service = await openClient(url, { address: true, timeout: 5000 });
const caller = await openClient(url, { address: true, timeout: 5000 });
console.log(`connected to ${url}; addresses ${service.address} and ${caller.address} from its discovery`);
try {
  const server = new FetchServer(service).route('echo', ({ body }) => body).start();
  await registerAddressName(service, 'ts-echo', undefined, { timeout: 5000 });
  console.log('ts-echo answers:', await caller.fetch('ts-echo', 'echo', { hello: 'python' }, { timeout: 5000 }));

  const [topic] = await requestTopicIds(service, 1, { timeout: 5000 });
  const out = outTopic(service, topic!);
  const sub = inTopic(caller, topic!);
  await out.waitRequested(true, { timeout: 5000 });
  // 2^63 + 1 travels as a 64-bit integer, as Python expects; it comes back exact.
  await out.send({ timestamp: Date.now(), big: 2n ** 63n + 1n });
  console.log(`topic ${topic}:`, await sub.recvData({ timeout: 5000 }));
  sub.close();
  out.close();
  server.stop();
} finally {
  caller.close();
  service.close();
}
