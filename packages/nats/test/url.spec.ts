import { DEFAULT_NATS_COST, DEFAULT_NETWORK, InvalidNatsUrlError, connectNats, parseNatsUrl } from '@streamtasks/nats';

test('parses servers, credentials, network, cost and token', () => {
  const url = parseNatsUrl('nats://alice:s%3Acret+x@10.0.0.1:4222,10.0.0.2,[::1]:5222?network=factory&cost=300&token=a%20b');
  expect(url).toMatchObject({
    servers: ['10.0.0.1:4222', '10.0.0.2:4222', '[::1]:5222'],
    user: 'alice',
    pass: 's:cret+x',
    token: 'a b',
    network: 'factory',
    cost: 300,
    tls: false,
  });
  expect(url.display).not.toContain('cret');
});

test('defaults: port 4222, the default network and cost; tls:// and ?tls=true mean TLS', () => {
  expect(parseNatsUrl('nats://localhost')).toMatchObject({ servers: ['localhost:4222'], network: DEFAULT_NETWORK, cost: DEFAULT_NATS_COST, tls: false });
  expect(parseNatsUrl('tls://localhost:4443').tls).toBe(true);
  expect(parseNatsUrl('nats://localhost/?tls=true').tls).toBe(true);
});

test.each([
  ['tcp://localhost:4222', 'expected nats://'],
  ['nats://', 'expected host'],
  ['nats://h:99999', 'out of range'],
  ['nats://h?cost=0', 'cost must be'],
  ['nats://h?cost=1.5', 'cost must be'],
  ['nats://h?network=a.b', 'network must be'],
  ['nats://h?network=x&network=y', 'given twice'],
  ['nats://h?colour=red', 'unknown parameter colour'],
  ['nats://h?tls=maybe', 'tls must be'],
])('%s is refused (%s)', (text, problem) => {
  expect(() => parseNatsUrl(text)).toThrow(InvalidNatsUrlError);
  expect(() => parseNatsUrl(text)).toThrow(problem);
});

test('errors never show the password or token', () => {
  try {
    parseNatsUrl('nats://bob:hunter2@h?token=sekrit&cost=x');
  } catch (err) {
    expect(String(err)).not.toMatch(/hunter2|sekrit/);
    return;
  }
  throw new Error('expected a failure');
});

test('connecting to a port nobody listens on fails with NatsConnectError', async () => {
  const net = await import('node:net');
  const probe = net.createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const port = (probe.address() as { port: number }).port;
  await new Promise((resolve) => probe.close(resolve));
  await expect(connectNats({ url: `nats://127.0.0.1:${port}`, timeout: 2000, nats: { maxReconnectAttempts: 0 } })).rejects.toMatchObject({
    code: 'ERR_CONNECT',
  });
});
