// The machine's limit for the TCP benchmarks: the same three-process shape
// (publisher process → relay process → subscriber process, over TCP on
// 127.0.0.1) with nothing but bytes moving. The publisher writes
// pre-encoded frames in the streamtasks framing (sync word, length, payload)
// in batches, the relay forwards what it reads to every subscriber connection
// as it came (no parsing, no routing, no decode), each subscriber counts the
// frames and checks their sequence numbers. The TCP rows of the other
// benchmarks give their figure as a fraction of the matching row here
// (the "of limit" column).
import { size } from './_lib.mjs';
import { combine, startNetWorker } from './_net.mjs';

/** Payload bytes of the streamtasks message that carries the 100-byte payload (a TopicData message for topic 100 000). */
export const SMALL_FRAME_PAYLOAD = 124;
export const SMALL = size(2_000_000, 1_000_000);
export const FAN_OUT = 8;
export const FAN_OUT_MESSAGES = size(600_000, 150_000);
/** Bytes moved per large-payload run. */
export const LARGE_TOTAL = size(256, 96) * 2 ** 20;
export const LARGE_SIZES = [
  [64 * 1024, '64 KiB'],
  [1024 * 1024, '1 MiB'],
  [8 * 1024 * 1024, '8 MiB'],
];

export const name = 'tcp-limit';
export const order = 35;
export const warmup = false;
export const description =
  'the bare framed-TCP pipeline: publisher process → relay process → subscriber process(es), pre-encoded frames in batches, ' +
  'no routing or decode; the "of limit" column of every TCP row is its figure over the matching row here';

/** Workload names here, which the other TCP rows refer to. */
export const LIMIT = {
  small: '100 B messages (132-byte frames)',
  fanOut: `fan-out to ${FAN_OUT}`,
  large: (label) => `${label} payloads`,
};

async function pipeline({ frameBytes, count, subscribers = 1, unit, opsPer = 1 }) {
  const relay = startNetWorker('pipe-relay', { subscribers });
  const children = [relay];
  try {
    const [, pubPort, subPort] = await relay.waitFor(/^PORTS (\d+) (\d+)/);
    const subs = Array.from({ length: subscribers }, () => startNetWorker('pipe-sub', { port: Number(subPort), count, frameBytes }));
    children.push(...subs);
    await Promise.all(subs.map((s) => s.waitFor(/^READY/)));
    const pub = startNetWorker('pipe-pub', { port: Number(pubPort), count, frameBytes });
    children.push(pub);
    const results = await Promise.all(subs.map((s) => s.result(120_000)));
    return combine(results, { unit, opsPer });
  } finally {
    await Promise.all(children.map((c) => c.stop()));
  }
}

export const cases = [
  {
    name: LIMIT.small,
    run: () => pipeline({ frameBytes: SMALL_FRAME_PAYLOAD, count: SMALL, unit: 'msgs/s' }),
  },
  {
    name: LIMIT.fanOut,
    run: () => pipeline({ frameBytes: SMALL_FRAME_PAYLOAD, count: FAN_OUT_MESSAGES, subscribers: FAN_OUT, unit: 'deliveries/s' }),
  },
  ...LARGE_SIZES.map(([bytes, label]) => ({
    name: LIMIT.large(label),
    run: () => pipeline({ frameBytes: bytes, count: Math.max(8, Math.round(LARGE_TOTAL / bytes)), unit: 'MB/s', opsPer: bytes / 1e6 }),
  })),
];
