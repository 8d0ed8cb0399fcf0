// A service on its own switch, and several topics read as one stream.
//
//   npx tsx examples/service.ts
//
// `Sensors` is a Service (the Python package's Worker): it has a switch of
// its own, attached to the node through a local link, and creates its client
// there. On start it gets an address and two topic ids from discovery and
// publishes three readings on each once someone subscribes. A client of the
// node reads both topics through one TopicsReceiver, as [topic, reading]
// pairs; leaving the service's `await using` block stops it.
import { startNode } from '@streamtasks/cli';
import { Service } from '@streamtasks/client';
import { requestAddress, requestTopicIds } from '@streamtasks/discovery';
import { addLocalLink, type Id } from '@streamtasks/link';
import { outTopic, receiveTopics, type OutTopic } from '@streamtasks/topic';

interface Reading {
  kind: string;
  value: number;
}

class Sensors extends Service {
  topics: Id[] = [];
  private publishing: Promise<void> | undefined;

  protected async onStart(): Promise<void> {
    const client = this.createClient();
    await requestAddress(client, { timeout: 5000 });
    this.topics = await requestTopicIds(client, 2, { timeout: 5000 });
    const [temperature, humidity] = this.topics.map((topic) => outTopic(client, topic)) as [OutTopic, OutTopic];
    this.publishing = (async () => {
      await Promise.all([temperature.waitRequested(true, { timeout: 5000 }), humidity.waitRequested(true, { timeout: 5000 })]);
      for (let i = 0; i < 3; i++) {
        await temperature.send({ kind: 'temperature', value: 20 + i });
        await humidity.send({ kind: 'humidity', value: 40 + i });
      }
    })();
    this.publishing.catch((err: unknown) => console.error('publishing failed:', err));
  }

  protected override async onStop(): Promise<void> {
    await this.publishing?.catch(() => undefined);
    console.log('sensors stopped');
  }
}

const node = await startNode({ core: true });
try {
  await using sensors = await new Sensors(addLocalLink(node.switch)).start();
  console.log(`sensors publish on topics ${sensors.topics.join(' and ')}`);

  const reader = node.createClient();
  let count = 0;
  for await (const [topic, reading] of receiveTopics<Reading>(reader, sensors.topics)) {
    console.log(`topic ${topic}: ${reading.kind} ${reading.value}`);
    if (++count === 6) break; // leaving the loop closes the receiver
  }
  reader.close();
} finally {
  await node.close();
}
