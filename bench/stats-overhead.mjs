// What counting costs: in-process pub/sub through one Switch (message
// objects, the cheapest path, where counting weighs the most) with the
// counters of the links and the switch on, and with them off
// (`createQueueLinkPair({ stats: false })`, `new Switch({ stats: false })`).
// Both variants run alternately in one measurement, several rounds, each
// timed by the CPU time of the process (user + system), which other
// processes on a busy machine disturb far less than wall time; the figure is
// the overhead of the best "on" round against the best "off" round, in
// percent (target: at most 5 %).
import process from 'node:process';
import {
  Switch,
  createQueueLinkPair,
  InTopicsChangedMessage,
  MessageType,
  OutTopicsChangedMessage,
  RawData,
  TopicDataMessage,
} from '@streamtasks/link';

import { size } from './_lib.mjs';

const MESSAGES = size(200_000, 100_000, 'BENCH_MESSAGES');
const ROUNDS = size(15, 9, 'BENCH_ROUNDS');
const TOPIC = 100;

export const name = 'stats-overhead';
export const order = 11;
export const description = `${MESSAGES.toLocaleString('en-US')} messages publisher link → Switch → subscriber link, counters on vs off, best of ${ROUNDS} alternating rounds`;

async function pubsub(stats) {
  const hub = new Switch({ stats });
  const [pubSide, pub] = createQueueLinkPair({ stats });
  const [subSide, sub] = createQueueLinkPair({ stats });
  hub.addLink(pubSide);
  hub.addLink(subSide);
  pub.send(new OutTopicsChangedMessage([{ id: TOPIC, cost: 0 }], []));
  while ((await sub.recv({ timeout: 5000 })).type !== MessageType.OutTopicsChangedRecv);
  let received = 0;
  let done;
  const finished = new Promise((resolve) => (done = resolve));
  sub.setReceiver((m) => {
    if (m.type === MessageType.TopicData && ++received === MESSAGES) done();
  });
  sub.send(new InTopicsChangedMessage([TOPIC], []));
  while ((await pub.recv({ timeout: 5000 })).type !== MessageType.InTopicsChanged);
  pub.setReceiver(() => {});
  const cpu0 = process.cpuUsage();
  for (let i = 0; i < MESSAGES; i++) {
    if (!pub.send(new TopicDataMessage(TOPIC, RawData.from({ timestamp: 0, value: i })))) await pub.drained();
  }
  await finished;
  const cpu = process.cpuUsage(cpu0);
  const seconds = (cpu.user + cpu.system) / 1e6;
  const counted = hub.stats.topicMessages;
  hub.close();
  pub.close();
  sub.close();
  if (stats && counted !== MESSAGES) throw new Error(`the switch counted ${counted} of ${MESSAGES} messages`);
  if (!stats && counted !== 0) throw new Error('the switch counted with stats off');
  return MESSAGES / seconds;
}

async function overhead() {
  let on = 0;
  let off = 0;
  for (let round = 0; round < ROUNDS; round++) {
    // Alternate which goes first, so a drifting machine load hits both alike.
    if (round % 2 === 0) {
      off = Math.max(off, await pubsub(false));
      on = Math.max(on, await pubsub(true));
    } else {
      on = Math.max(on, await pubsub(true));
      off = Math.max(off, await pubsub(false));
    }
  }
  const percent = (off / on - 1) * 100;
  const rate = (x) => `${(x / 1e6).toFixed(2)} M msgs per CPU second`;
  return { value: Math.max(percent, 0), unit: '%', note: `counters on ${rate(on)}, off ${rate(off)} (measured ${percent.toFixed(1)} %)` };
}

export const cases = [{ name: 'counters on vs off (in-process pub/sub)', run: overhead, target: { max: 5 } }];
