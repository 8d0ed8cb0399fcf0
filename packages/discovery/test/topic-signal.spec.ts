// waitForTopicSignal: any message on a topic ends the wait.
import { TimeoutError } from '@streamtasks/link';
import { ClientStoppedError } from '@streamtasks/client';
import { waitForTopicSignal } from '@streamtasks/discovery';
import { createNetwork, eventually } from '@streamtasks/testing';

const TOPIC = 100_000;

let net: ReturnType<typeof createNetwork>;
beforeEach(() => (net = createNetwork()));
afterEach(() => net.close());

test('resolves on data, requests the topic only for the wait', async () => {
  const publisher = net.connect();
  publisher.registerOutTopics([TOPIC]);
  const waiter = net.connect();
  const waiting = waitForTopicSignal(waiter, TOPIC, { timeout: 2000 });
  await eventually(() => publisher.isRequested(TOPIC));
  publisher.sendStreamData(TOPIC, 'hello');
  await expect(waiting).resolves.toBeUndefined();
  expect(waiter.isInTopicRegistered(TOPIC)).toBe(false);
  await eventually(() => !publisher.isRequested(TOPIC));
});

test('resolves on a control message too', async () => {
  const publisher = net.connect();
  publisher.registerOutTopics([TOPIC]);
  const waiter = net.connect();
  const waiting = waitForTopicSignal(waiter, TOPIC, { timeout: 2000 });
  await eventually(() => publisher.isRequested(TOPIC));
  publisher.sendStreamControl(TOPIC, { paused: true });
  await expect(waiting).resolves.toBeUndefined();
});

test('is bounded, and ends when the client stops', async () => {
  const waiter = net.connect();
  await expect(waitForTopicSignal(waiter, TOPIC, { timeout: 20 })).rejects.toBeInstanceOf(TimeoutError);
  expect(waiter.isInTopicRegistered(TOPIC)).toBe(false);
  const pending = waitForTopicSignal(waiter, TOPIC);
  waiter.stop();
  await expect(pending).rejects.toBeInstanceOf(ClientStoppedError);
  await expect(waitForTopicSignal(waiter, TOPIC)).rejects.toBeInstanceOf(ClientStoppedError);
});
