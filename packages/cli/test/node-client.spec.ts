// node.createClient(): an in-process client on the node's switch.
import { requestAddress } from '@streamtasks/discovery';
import { startNode } from '@streamtasks/cli';

test('a client created by the node reaches its discovery service, and closes with the node', async () => {
  const node = await startNode({ core: true });
  const client = node.createClient();
  expect(client.isRunning).toBe(true);
  expect(await requestAddress(client, { timeout: 5000 })).toBeGreaterThanOrEqual(10_000);
  await node.close();
  expect(client.link.isClosed).toBe(true);
});
