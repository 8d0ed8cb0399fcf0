/**
 * Replays the recorded Python session (shared/vectors/transcript.json, whose
 * payloads are in bodies.json) with two TypeScript clients A and B and the
 * TypeScript discovery service, and compares every payload byte for byte.
 * The random request ids of the recording are fed to the clients, so even
 * the address requests match exactly.
 */
import { MessageType, type AddressedMessage, type Message, type TopicDataMessage } from '@streamtasks/link';
import type { Client } from '@streamtasks/client';
import { CustomFetchError, FetchServer, check } from '@streamtasks/fetch';
import { SignalServer, sendSignal } from '@streamtasks/signal';
import {
  deleteTopicSpace,
  getTopicSpace,
  getTopicSpaceTranslation,
  registerAddressNameScoped,
  registerTopicSpace,
  requestAddress,
  requestAddresses,
  requestTopicIds,
  resolveAddressName,
  waitForAddressName,
  waitForDiscovery,
} from '@streamtasks/discovery';
import { createDiscoveryNetwork } from './network.js';
import { deferred, hex, loadBodies } from '@streamtasks/testing';

const bodies = loadBodies();

interface Recorded {
  /** Addressed payloads the clients sent to service ports (fetch requests, signals). */
  requests: string[];
  /** Addressed payloads the clients received on return ports (fetch answers). */
  responses: string[];
  /** Topic data the clients received. */
  topicData: string[];
}

function record(clients: Client[]): { take(): Recorded; waitFor(predicate: (m: Message) => boolean): Promise<void> } {
  let current: Recorded = { requests: [], responses: [], topicData: [] };
  const waiters: Array<{ predicate: (m: Message) => boolean; resolve(): void }> = [];
  for (const client of clients) {
    const send = client.link.send.bind(client.link);
    client.link.send = (m: Message) => {
      if (m.type === MessageType.Addressed && m.port < 10_000) current.requests.push(hex(m.data.bytes));
      return send(m);
    };
    client.addReceiver((m) => {
      if (m.type === MessageType.Addressed && (m as AddressedMessage).port >= 10_000) current.responses.push(hex(m.data.bytes));
      if (m.type === MessageType.TopicData) current.topicData.push(hex((m as TopicDataMessage).data.bytes));
      for (const w of [...waiters]) {
        if (w.predicate(m)) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve();
        }
      }
    });
  }
  return {
    take() {
      const taken = current;
      current = { requests: [], responses: [], topicData: [] };
      return taken;
    },
    waitFor(predicate) {
      return new Promise((resolve) => waiters.push({ predicate, resolve }));
    },
  };
}

/** What bodies.json recorded for one step. */
function expected(step: string): Recorded {
  const pick = (list: Array<{ step: string; payload_hex: string }>) => list.filter((v) => v.step === step).map((v) => v.payload_hex);
  return {
    requests: [...pick(bodies.fetch_requests), ...pick(bodies.signals)],
    responses: pick(bodies.fetch_responses),
    topicData: pick(bodies.topic_data),
  };
}

/** Makes the next random request ids those of the recording. */
function feedRequestId(id: bigint): void {
  jest.spyOn(globalThis.crypto, 'getRandomValues').mockImplementationOnce(<T extends ArrayBufferView | null>(array: T): T => {
    (array as unknown as BigUint64Array)[0] = id;
    return array;
  });
}

function recordedRequestId(step: string): bigint {
  const signal = bodies.signals.find((v) => v.step === step)!;
  return BigInt((signal.payload as { body: { request_id: number | bigint } }).body.request_id);
}

test('a whole session matches the Python recording byte for byte', async () => {
  const net = createDiscoveryNetwork({ lighthouseInterval: 10 });
  const a = net.connect();
  const b = net.connect();
  const rec = record([a, b]);
  const T = { timeout: 2000 };
  try {
    let step = "A: TopicsReceiver([0]) until the first lighthouse data message ('running', sent every 1 s); note the cached TopicControl is replayed once per switch hop (main switch + the DiscoveryWorker's own switch)";
    await waitForDiscovery(a, T);
    expect(rec.take().topicData).toEqual(expected(step).topicData);

    step = 'A: request_address() without an address (signal to 0:103, answer on topic 1)';
    feedRequestId(recordedRequestId(step));
    await expect(requestAddress(a, T)).resolves.toBe(10_000);
    expect(rec.take()).toEqual(expected(step));

    step = 'B: request_address()';
    feedRequestId(recordedRequestId(step));
    await expect(requestAddress(b, T)).resolves.toBe(10_001);
    expect(rec.take()).toEqual(expected(step));

    step = 'A: request_topic_ids(2) (fetch request_topics)';
    await expect(requestTopicIds(a, 2, T)).resolves.toEqual([100_000, 100_001]);
    expect(rec.take()).toEqual(expected(step));

    step = 'A: request_addresses(2) while having an address (fetch request_addresses)';
    await expect(requestAddresses(a, 2, T)).resolves.toEqual([10_002, 10_003]);
    expect(rec.take()).toEqual(expected(step));

    step = "B: wait_for_address_name('pyecho') before it exists (resolve -> null, broadcast gettopics, subscribe)";
    const resolveAnswered = rec.waitFor((m) => m.type === MessageType.Addressed && m.port === 10_001 && m.address === 10_001);
    const waiting = waitForAddressName(b, 'pyecho', T);
    await resolveAnswered;
    expect(rec.take()).toEqual(expected(step));

    step = "A: address_name_context(A, 'pyecho') enter (fetch register_address_name); B's waiter gets the broadcast";
    const registration = await registerAddressNameScoped(a, 'pyecho', undefined, T);
    await expect(waiting).resolves.toBe(10_000);
    expect(rec.take()).toEqual(expected(step));

    step = "B: resolve_address_name('pyecho') (fetch resolve_address_name)";
    b.clearAddressNameCache('pyecho'); // the recording asked discovery here
    await expect(resolveAddressName(b, 'pyecho', T)).resolves.toBe(10_000);
    expect(rec.take()).toEqual(expected(step));

    step = "B: resolve_address_name('nobody')";
    await expect(resolveAddressName(b, 'nobody', T)).resolves.toBeUndefined();
    expect(rec.take()).toEqual(expected(step));

    step = 'A: register_topic_space({1, 2})';
    const space = await registerTopicSpace(a, [1, 2], T);
    expect(space).toEqual({ id: 1, map: new Map([[1, 100_003], [2, 100_004]]) });
    expect(rec.take()).toEqual(expected(step));

    step = 'A: get_topic_space(id)';
    await expect(getTopicSpace(a, 1, T)).resolves.toEqual(space.map);
    expect(rec.take()).toEqual(expected(step));

    step = 'A: get_topic_space_translation(id, 1)';
    await expect(getTopicSpaceTranslation(a, 1, 1, T)).resolves.toBe(100_003);
    expect(rec.take()).toEqual(expected(step));

    step = 'A: get_topic_space_translation(id, 99) -> error not_found';
    await expect(getTopicSpaceTranslation(a, 1, 99, T)).rejects.toMatchObject({ fetchCode: 'not_found', message: '99' });
    expect(rec.take()).toEqual(expected(step));

    step = "A: delete_topic_space(id) -> 'OK'";
    await deleteTopicSpace(a, 1, T);
    expect(rec.take()).toEqual(expected(step));

    step = 'A: get_topic_space(deleted id) -> error not_found';
    await expect(getTopicSpace(a, 1, T)).rejects.toMatchObject({ fetchCode: 'not_found', message: '1' });
    expect(rec.take()).toEqual(expected(step));

    step = 'A: delete_topic_space(deleted id) -> error bad_request';
    await expect(deleteTopicSpace(a, 1, T)).rejects.toMatchObject({ fetchCode: 'bad_request', message: '1' });
    expect(rec.take()).toEqual(expected(step));

    // A serves the routes of the recording.
    const pings = deferred<unknown>();
    const fetchServer = new FetchServer(a)
      .route('echo', ({ body }) => body)
      .route('noresponse', () => {})
      .route('validate', { validate: check.object({ text: check.string() }) }, ({ body }) => body)
      .route('raise', () => {
        throw new Error('boom');
      })
      .route('custom_error', () => {
        throw new CustomFetchError({ code: 42 });
      })
      .start();
    const signalServer = new SignalServer(a).route('ping', (body) => pings.resolve(body)).start();

    const echoBody = (bodies.fetch_requests.find((v) => v.step === "B: fetch('pyecho', 'echo', ...)")!.payload as { body: unknown }).body;
    step = "B: fetch('pyecho', 'echo', ...)";
    await expect(b.fetch('pyecho', 'echo', echoBody, T)).resolves.toEqual({ hello: 'world', n: 1099511627776 });
    expect(rec.take()).toEqual(expected(step));

    step = "B: fetch('pyecho', 'noresponse', ...)";
    await expect(b.fetch('pyecho', 'noresponse', 1, T)).resolves.toBeNull();
    expect(rec.take()).toEqual(expected(step));

    step = "B: fetch('pyecho', 'validate', ...)";
    await expect(b.fetch('pyecho', 'validate', { nope: 1 }, T)).rejects.toMatchObject({ fetchCode: 'bad_request' });
    const validation = rec.take(); // the answer's message text is pydantic's in Python: same shape, other text
    expect(validation.requests).toEqual(expected(step).requests);
    expect(validation.responses).toHaveLength(1);

    step = "B: fetch('pyecho', 'raise', ...)";
    await expect(b.fetch('pyecho', 'raise', null, T)).rejects.toMatchObject({ fetchCode: 'general', message: 'boom' });
    expect(rec.take()).toEqual(expected(step));

    step = "B: fetch('pyecho', 'custom_error', ...)";
    await expect(b.fetch('pyecho', 'custom_error', null, T)).rejects.toMatchObject({ fetchCode: 'custom', body: { code: 42 } });
    expect(rec.take()).toEqual(expected(step));

    step = "B: fetch('pyecho', 'unknown_route') -> no response at all";
    await expect(b.fetch('pyecho', 'unknown_route', null, T)).rejects.toMatchObject({ fetchCode: 'not_found' }); // answered here
    expect(rec.take().requests).toEqual(expected(step).requests);

    step = "B: send_signal('pyecho', 'ping', {x: 1})";
    await sendSignal(b, 'pyecho', 'ping', { x: 1 });
    await expect(pings.promise).resolves.toEqual({ x: 1 });
    expect(rec.take()).toEqual(expected(step));

    step = 'A: set_paused(True), send({timestamp, value}), set_paused(False); B receives';
    const requested = deferred();
    const data = deferred();
    a.listenTopic(100_000, { requested: (yes) => yes && requested.resolve() });
    b.listenTopic(100_000, { data: () => data.resolve() });
    a.registerOutTopics([100_000]);
    b.registerInTopics([100_000]);
    await requested.promise;
    a.sendStreamData(100_000, { timestamp: 1717171717171, value: 1 });
    await data.promise;
    expect(rec.take().topicData).toEqual(expected(step).topicData);

    step = 'A: address_name_context exit (signal unregister_address_name)';
    await registration.unregister();
    expect(rec.take()).toEqual(expected(step));

    step = "B: resolve_address_name('pyecho') after unregister";
    b.clearAddressNameCache('pyecho');
    await expect(resolveAddressName(b, 'pyecho', T)).resolves.toBeUndefined();
    expect(rec.take()).toEqual(expected(step));

    fetchServer.stop();
    signalServer.stop();
  } finally {
    jest.restoreAllMocks();
    net.close();
  }
});
