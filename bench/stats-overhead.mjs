// What counting costs: in-process pub/sub through one Switch (message
// objects, the cheapest path, where counting weighs the most) with the
// counters of the links and the switch on, and with them off
// (`createQueueLinkPair({ stats: false })`, `new Switch({ stats: false })`).
//
// Both pipelines are built once and then fed alternately, in small batches
// (a few milliseconds each), so that whatever else the machine does in the
// meantime falls on both alike; each batch is timed by the CPU time of the
// process (user + system). A round is many such pairs of batches; its figure
// is the CPU time of all "on" batches against all "off" batches. The result
// is the median round's overhead in percent (target: at most 5 %), with the
// range over the rounds beside it.
import process from 'node:process';
import { RawData, TopicDataMessage } from '@streamtasks/link';

import { size } from './_lib.mjs';
import { switchedPair } from './_switched.mjs';

const BATCH = 5_000;
const BATCHES = size(40, 20, 'BENCH_BATCHES');
const ROUNDS = size(7, 3, 'BENCH_ROUNDS');
const TOPIC = 100;

export const name = 'stats-overhead';
export const order = 11;
export const description = `publisher link → Switch → subscriber link, counters on vs off, ${BATCHES} alternating batches of ${BATCH.toLocaleString('en-US')} messages in each of ${ROUNDS} rounds (median round)`;

/** A publisher and a subscriber joined by a Switch, counting or not; `batch(n)` sends n messages and resolves when all arrived. */
async function pipeline(stats) {
  let received = 0;
  let target = 0;
  let done = () => {};
  const { hub, pub, close } = await switchedPair({
    topic: TOPIC,
    linkOptions: { stats },
    switchOptions: { stats },
    onData() {
      if (++received === target) done();
    },
  });
  let sent = 0;
  return {
    hub,
    /** CPU seconds spent moving `n` messages. */
    async batch(n) {
      target += n;
      const arrived = new Promise((resolve) => (done = resolve));
      const cpu0 = process.cpuUsage();
      for (let i = 0; i < n; i++) {
        if (!pub.send(new TopicDataMessage(TOPIC, RawData.from({ timestamp: 0, value: sent++ })))) await pub.drained();
      }
      await arrived;
      const cpu = process.cpuUsage(cpu0);
      return (cpu.user + cpu.system) / 1e6;
    },
    close,
  };
}

async function overhead() {
  const on = await pipeline(true);
  const off = await pipeline(false);
  // Warm-up: both paths compiled before anything is timed.
  for (let i = 0; i < 10; i++) {
    await on.batch(BATCH);
    await off.batch(BATCH);
  }
  const rounds = [];
  let onSeconds = 0;
  let offSeconds = 0;
  for (let round = 0; round < ROUNDS; round++) {
    let onRound = 0;
    let offRound = 0;
    for (let b = 0; b < BATCHES; b++) {
      // Alternate which goes first, so a drifting load hits both alike.
      if (b % 2 === 0) {
        offRound += await off.batch(BATCH);
        onRound += await on.batch(BATCH);
      } else {
        onRound += await on.batch(BATCH);
        offRound += await off.batch(BATCH);
      }
    }
    rounds.push((onRound / offRound - 1) * 100);
    onSeconds += onRound;
    offSeconds += offRound;
  }
  const total = (ROUNDS * BATCHES + 10) * BATCH;
  const counted = on.hub.stats.topicMessages;
  const uncounted = off.hub.stats.topicMessages;
  on.close();
  off.close();
  if (counted !== total) throw new Error(`the switch counted ${counted} of ${total} messages`);
  if (uncounted !== 0) throw new Error('the switch counted with stats off');
  const sorted = [...rounds].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)];
  const messages = ROUNDS * BATCHES * BATCH;
  const rate = (seconds) => `${(messages / seconds / 1e6).toFixed(2)} M msgs per CPU second`;
  return {
    value: Math.max(median, 0),
    unit: '%',
    note: `counters on ${rate(onSeconds)}, off ${rate(offSeconds)}; rounds ${sorted.map((p) => p.toFixed(1)).join(', ')} % (median ${median.toFixed(1)} %)`,
  };
}

export const cases = [{ name: 'counters on vs off (in-process pub/sub)', run: overhead, target: { max: 5 } }];
