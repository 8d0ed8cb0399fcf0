// Two nodes joined over TCP; clients on either side reach each other.
//
//   npx tsx examples/two-nodes-tcp.ts
//
// Node A runs the discovery service and listens on TCP; node B connects to A
// (and would reconnect if A went away) and listens itself. A client on B
// serves a fetch route under a name, a client on A calls it; a topic
// published on B is read on A, and its cost shows the two TCP hops.
//
// The same with the command line, in three terminals:
//   streamtasks node --core --serve tcp://127.0.0.1:9002
//   streamtasks node --connect tcp://127.0.0.1:9002 --serve tcp://127.0.0.1:9003
//   streamtasks reply --url tcp://127.0.0.1:9003 --name echo-service echo
//   streamtasks request --url tcp://127.0.0.1:9002 echo-service echo '{"hi": 1}'
import { openClient, startNode } from '@streamtasks/cli';
import { registerAddressName, requestTopicIds } from '@streamtasks/discovery';
import { FetchServer } from '@streamtasks/fetch';
import { inTopic, outTopic } from '@streamtasks/topic';

const a = await startNode({ core: true, serve: ['tcp://127.0.0.1:0'] });
const b = await startNode({ connect: [a.urls[0]!], serve: ['tcp://127.0.0.1:0'], reconnectDelay: 100 });
await new Promise<void>((resolve) => {
  b.events.on('connector-status', (_url, status) => status.state === 'connected' && resolve());
});
console.log(`node A ${a.urls[0]} (discovery), node B ${b.urls[0]} connected to A`);

const onB = await openClient(b.urls[0]!, { address: true, timeout: 5000 });
const onA = await openClient(a.urls[0]!, { address: true, timeout: 5000 });
try {
  // A service on B, registered with the discovery service on A.
  const server = new FetchServer(onB).route('where', () => ({ served: 'on node B', address: onB.address })).start();
  await registerAddressName(onB, 'b-service', undefined, { timeout: 5000 });
  console.log('A asks b-service:', await onA.fetch('b-service', 'where', null, { timeout: 5000 }));

  // A topic provided on B, read on A.
  const [topic] = await requestTopicIds(onB, 1, { timeout: 5000 });
  const out = outTopic(onB, topic!);
  const sub = inTopic<{ timestamp: number; hops: string }>(onA, topic!);
  await out.waitRequested(true, { timeout: 5000 });
  await out.send({ timestamp: Date.now(), hops: 'B -> A' });
  const data = await sub.recvData({ timeout: 5000 });
  console.log(`A reads topic ${topic}: ${JSON.stringify(data)}, provider cost ${sub.cost}`);

  sub.close();
  out.close();
  server.stop();
} finally {
  onA.close();
  onB.close();
  await b.close();
  await a.close();
}
