// The node socket: the `node://[NAME]` scheme, the naming rule shared with
// the Python package, and a server and a client that meet there.
import { hostname } from 'node:os';
import { existsSync } from 'node:fs';
import { ConnectionClosedError } from '@streamtasks/link';
import {
  DEFAULT_COSTS,
  InvalidUrlError,
  NODE_NAME_ENV,
  connect,
  createServer,
  nodeName,
  nodeSocketPath,
  parseUrl,
} from '@streamtasks/transports';
import { nextEvent, tempSocketDir } from './harness.js';

describe('node:// URLs', () => {
  test('name, cost and handshake data', () => {
    expect(parseUrl('node://edge-1')).toMatchObject({ scheme: 'node', host: 'edge-1', path: '', cost: DEFAULT_COSTS.NODE, display: 'node://edge-1' });
    expect(parseUrl('node://')).toMatchObject({ scheme: 'node', host: '', cost: 25 });
    // The name is a host name to Python's URL parser: lowercased.
    expect(parseUrl('node://Edge').host).toBe('edge');
    const withExtras = parseUrl('node://u:p@n?auth=s&cost=3');
    expect(withExtras.cost).toBe(3);
    expect([...withExtras.handshakeData]).toEqual([['username', 'u'], ['password', 'p'], ['auth', 's'], ['cost', '3']]);
  });

  test.each(['node://n:5', 'node://n/path'])('rejects %s', (url) => {
    expect(() => parseUrl(url)).toThrow(InvalidUrlError);
  });
});

describe('the node socket path', () => {
  test('is streamtasks-NAME.sock in the temporary directory, as for Python', () => {
    expect(NODE_NAME_ENV).toBe('NODE_NAME');
    expect(nodeSocketPath('abc', { TMPDIR: '/run/user/7' })).toBe('/run/user/7/streamtasks-abc.sock');
    expect(nodeSocketPath('abc', { TEMP: '/a', TMP: '/b' })).toBe('/a/streamtasks-abc.sock');
    expect(nodeSocketPath('abc', { TMP: '/b/' })).toBe('/b/streamtasks-abc.sock');
    expect(nodeSocketPath('abc', {})).toBe('/tmp/streamtasks-abc.sock');
  });

  test('the name is $NODE_NAME (even empty), else the host name', () => {
    expect(nodeName({ NODE_NAME: 'lab' })).toBe('lab');
    expect(nodeName({ NODE_NAME: '' })).toBe('');
    expect(nodeName({})).toBe(hostname());
    expect(nodeSocketPath(undefined, { NODE_NAME: 'lab', TMPDIR: '/t' })).toBe('/t/streamtasks-lab.sock');
    expect(nodeSocketPath(undefined, { TMPDIR: '/t' })).toBe(`/t/streamtasks-${hostname()}.sock`);
  });
});

describe('a node socket server', () => {
  const dir = tempSocketDir();
  const saved = { TMPDIR: process.env['TMPDIR'], NODE_NAME: process.env['NODE_NAME'] };
  beforeAll(() => {
    process.env['TMPDIR'] = dir.path('');
    process.env['NODE_NAME'] = `t${process.pid}`;
  });
  afterAll(() => {
    for (const [key, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
    dir.remove();
  });

  test('connect() without a URL reaches node://, at the node cost on both ends', async () => {
    const server = await createServer('node://');
    try {
      const name = `t${process.pid}`;
      expect(server.url).toBe(`node://${name}`);
      expect(server.address).toEqual({ path: nodeSocketPath(name) });
      expect(existsSync(nodeSocketPath(name))).toBe(true);
      const accepted = nextEvent<[{ cost: number }, unknown]>((l) => server.events.on('connection-accepted', l));
      const link = await connect();
      const [serverEnd] = await accepted;
      expect(link.cost).toBe(25);
      expect(serverEnd.cost).toBe(25);
      link.close();
      // A named node URL reaches the same socket.
      const named = await connect(`node://${name}`);
      named.close();
    } finally {
      await server.close();
    }
    expect(existsSync(nodeSocketPath(`t${process.pid}`))).toBe(false);
  });

  test('a node that is not running is a clear connection error', async () => {
    await expect(connect('node://nobody-here', { timeout: 5000 })).rejects.toBeInstanceOf(ConnectionClosedError);
  });

  test('a second server on a live node socket fails, the first keeps serving', async () => {
    const first = await createServer('node://twice');
    try {
      await expect(createServer('node://twice')).rejects.toMatchObject({ code: 'EADDRINUSE' });
      const link = await connect('node://twice');
      link.close();
    } finally {
      await first.close();
    }
  });
});
