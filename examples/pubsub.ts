// Publish and subscribe through a streamtasks node.
//
//   npx tsx examples/pubsub.ts
//
// Starts a node (a switch with the discovery service) listening on TCP, then
// connects two clients to it as separate processes would: the publisher gets
// a fresh topic id from discovery, waits until somebody subscribes, and sends
// five payloads; the subscriber reads them as an async iterable.
import { openClient, startNode } from '@streamtasks/cli';
import { requestTopicIds } from '@streamtasks/discovery';
import { inTopic, outTopic } from '@streamtasks/topic';

interface Reading {
  timestamp: number;
  value: number;
}

const node = await startNode({ core: true, serve: ['tcp://127.0.0.1:0'] });
const url = node.urls[0]!;
console.log(`node listening on ${url}`);

const publisher = await openClient(url, { address: true, timeout: 5000 });
const subscriber = await openClient(url, { timeout: 5000 });
try {
  const [topic] = await requestTopicIds(publisher, 1, { timeout: 5000 });
  const out = outTopic(publisher, topic!);
  const sub = inTopic<Reading>(subscriber, topic!);

  await out.waitRequested(true, { timeout: 5000 }); // the subscriber's request reached us
  for (let value = 1; value <= 5; value++) await out.send({ timestamp: Date.now(), value });

  let received = 0;
  for await (const reading of sub) {
    console.log(`topic ${topic}: value ${reading.value}`);
    if (++received === 5) break; // leaving the loop closes the in-topic
  }
  out.close();
} finally {
  publisher.close();
  subscriber.close();
  await node.close();
}
