// Merging several topics in timestamp order.
//
//   npx tsx examples/synchronized-topics.ts
//
// Two sensors publish on their own topics at different rates; the reader
// subscribes to both through one SequentialInTopicSynchronizer and receives
// the readings in timestamp order across the topics: a reading is released
// once every other active topic has reached its timestamp.
import { Switch, createQueueLinkPair } from '@streamtasks/link';
import { Client } from '@streamtasks/client';
import { SequentialInTopicSynchronizer, outTopic, synchronizedInTopic } from '@streamtasks/topic';

interface Reading {
  timestamp: number;
  sensor: string;
}

const hub = new Switch();
const connect = (): Client => {
  const [switchSide, clientSide] = createQueueLinkPair({ serialize: true });
  hub.addLink(switchSide);
  return new Client(clientSide).start();
};
const sensors = connect();
const reader = connect();

const TEMPERATURE = 100_001;
const PRESSURE = 100_002;
const sync = new SequentialInTopicSynchronizer();
const temperatureIn = synchronizedInTopic<Reading>(reader, TEMPERATURE, sync);
const pressureIn = synchronizedInTopic<Reading>(reader, PRESSURE, sync);
const temperatureOut = outTopic(sensors, TEMPERATURE);
const pressureOut = outTopic(sensors, PRESSURE);
await temperatureOut.waitRequested(true, { timeout: 5000 });
await pressureOut.waitRequested(true, { timeout: 5000 });

// Temperature every 10 ms, pressure every 25 ms, sent out of order overall.
for (let t = 0; t <= 100; t += 10) await temperatureOut.send({ timestamp: t, sensor: 'temperature' });
for (let t = 0; t <= 100; t += 25) await pressureOut.send({ timestamp: t, sensor: 'pressure' });

// Read both topics until each has delivered its reading at 100 ms. A read
// waits until its payload may be released, so the pushes below happen in
// timestamp order across the two topics.
const merged: Reading[] = [];
const readUntil100 = async (topic: AsyncIterable<Reading>) => {
  for await (const reading of topic) {
    merged.push(reading);
    if (reading.timestamp >= 100) break;
  }
};
await Promise.all([readUntil100(temperatureIn), readUntil100(pressureIn)]);
for (const r of merged) console.log(`${String(r.timestamp).padStart(3)} ms  ${r.sensor}`);
const inOrder = merged.every((r, i) => i === 0 || merged[i - 1]!.timestamp <= r.timestamp);
console.log(inOrder ? 'released in timestamp order' : 'OUT OF ORDER');

for (const topic of [temperatureIn, pressureIn]) topic.close();
temperatureOut.close();
pressureOut.close();
sensors.close();
reader.close();
hub.close();
if (!inOrder) process.exitCode = 1;
