// The local node socket end to end: `streamtasks node` serves node:// by
// default, and a client given no URL (a program or a command) reaches it.
import { existsSync } from 'node:fs';
import { Client } from '@streamtasks/client';
import { requestAddress } from '@streamtasks/discovery';
import { openClient } from '@streamtasks/cli';
import { ConnectionClosedError } from '@streamtasks/link';
import { connect, nodeSocketPath } from '@streamtasks/transports';
import { CliProcess, run } from './process.js';

const name = `e2e-socket-${process.pid}`;
const savedName = process.env['NODE_NAME'];
beforeAll(() => {
  process.env['NODE_NAME'] = name;
});
afterAll(() => {
  if (savedName === undefined) delete process.env['NODE_NAME'];
  else process.env['NODE_NAME'] = savedName;
});

test('a node started by the command line serves node://, and clients without a URL reach it', async () => {
  const node = new CliProcess(['node', '--core'], { NODE_NAME: name });
  try {
    await node.waitFor(new RegExp(`listening on node://${name}$`));
    await node.waitFor(/ready$/);
    expect(existsSync(nodeSocketPath(name))).toBe(true);

    // A program: connect() with no URL, then discovery answers through that link.
    const link = await connect();
    expect(link.cost).toBe(25);
    const client = new Client(link).start();
    expect(await requestAddress(client, { timeout: 5000 })).toBeGreaterThanOrEqual(10000);
    client.close();
    await node.waitFor(/connection from .* on node:\/\/.* closed/);

    // Commands without --url.
    const reply = new CliProcess(['reply', '--name', 'socket-echo', 'echo'], { NODE_NAME: name });
    try {
      await reply.waitFor(/serving/);
      const answered = await run(['request', 'socket-echo', 'echo', '{"via": "node socket"}'], { NODE_NAME: name });
      expect(answered).toMatchObject({ code: 0, stdout: ['{"via":"node socket"}'] });
    } finally {
      await reply.stop();
    }

    // openClient without a URL as well.
    const opened = await openClient(undefined, { address: true, timeout: 5000 });
    expect(opened.address).toBeDefined();
    opened.close();
  } finally {
    expect(await node.stop()).toBe(0);
  }
  expect(existsSync(nodeSocketPath(name))).toBe(false);
});

test('--no-node-socket leaves the node socket alone', async () => {
  const node = new CliProcess(['node', '--no-node-socket', '--serve', 'tcp://127.0.0.1:0'], { NODE_NAME: name });
  try {
    await node.waitFor(/ready$/);
    expect(node.stdout.some((line) => line.includes('node://'))).toBe(false);
    expect(existsSync(nodeSocketPath(name))).toBe(false);
    await expect(connect(undefined, { timeout: 5000 })).rejects.toBeInstanceOf(ConnectionClosedError);
  } finally {
    expect(await node.stop()).toBe(0);
  }
});
