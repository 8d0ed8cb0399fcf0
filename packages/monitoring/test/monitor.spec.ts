// The monitor over real sockets: a switch with discovery, a TCP server,
// a publisher and a subscriber connected over TCP; every endpoint is read
// with fetch() and checked against the traffic the test generated.
import { Switch, createQueueLinkPair, type Link } from '@streamtasks/link';
import { Client } from '@streamtasks/client';
import { DiscoveryService, discoveryNames, registerAddressName, requestAddress } from '@streamtasks/discovery';
import { FetchServer } from '@streamtasks/fetch';
import { inTopic, outTopic } from '@streamtasks/topic';
import { connect, createServer, type TransportServer } from '@streamtasks/transports';
import { eventually } from '@streamtasks/testing';
import { startMonitor, type LinkView, type MonitorServer, type NodeView, type ServiceView, type TopicView } from '@streamtasks/monitoring';

const TOPIC = 200_001;
const MESSAGES = 50;

let hub: Switch;
let discovery: DiscoveryService;
let server: TransportServer;
let monitor: MonitorServer;
let publisher: Client;
let subscriber: Client;
let service: FetchServer;
/** `/links` and `/metrics` just before the test traffic: the tests check what it added. */
let before: { links: LinkView[] };
let metricsBefore: string;

async function get<T = Record<string, unknown>>(path: string, init?: RequestInit): Promise<T> {
  const res = await fetch(`${monitor.url}${path}`, init);
  expect(res.status).toBe(200);
  return (await res.json()) as T;
}

async function tcpClient(): Promise<Client> {
  const link: Link = await connect(server.url, { timeout: 5000 });
  return new Client(link, { nameResolver: discoveryNames }).start();
}

beforeAll(async () => {
  hub = new Switch();
  const [switchSide, serviceSide] = createQueueLinkPair();
  hub.addLink(switchSide);
  discovery = new DiscoveryService(serviceSide, { lighthouseInterval: 60_000 }).start();
  server = await createServer('tcp://127.0.0.1:0', { switch: hub });
  monitor = await startMonitor({ switch: hub, discovery, urls: () => [server.url], name: 'test-node' }, { listen: '127.0.0.1:0', interval: 50 });

  publisher = await tcpClient();
  subscriber = await tcpClient();
  await requestAddress(publisher, { timeout: 5000 });
  service = new FetchServer(publisher, { name: 'echo-service' })
    .route('echo', ({ body }) => body)
    .route('fail', () => {
      throw new Error('always fails');
    })
    .start();
  await registerAddressName(publisher, 'echo-svc', undefined, { timeout: 5000 });

  await requestAddress(subscriber, { timeout: 5000 });
  expect(await subscriber.fetch('echo-svc', 'echo', 'hi', { timeout: 5000 })).toBe('hi');
  await expect(subscriber.fetch('echo-svc', 'fail', null, { timeout: 5000 })).rejects.toThrow('always fails');

  const sub = inTopic(subscriber, TOPIC);
  const out = outTopic(publisher, TOPIC);
  await out.waitRequested(true, { timeout: 5000 });
  before = await get('/links');
  metricsBefore = await fetch(`${monitor.url}/metrics`).then((r) => r.text());
  for (let i = 0; i < MESSAGES; i++) await out.send({ i, text: 'x'.repeat(10) });
  for (let i = 0; i < MESSAGES; i++) expect(await sub.recvData({ timeout: 5000 })).toEqual({ i, text: 'x'.repeat(10) });
});

/** What the test traffic added to a counter of a link. */
function added(links: { links: LinkView[] }, id: number | null, pick: (link: LinkView) => number): number {
  const was = before.links.find((l) => l.id === id);
  return pick(links.links.find((l) => l.id === id)!) - (was ? pick(was) : 0);
}

function metric(text: string, line: string): number {
  return Number(text.split('\n').find((l) => l.startsWith(line + ' '))?.slice(line.length + 1) ?? 0);
}

afterAll(async () => {
  await monitor?.close();
  service?.stop();
  publisher?.close();
  subscriber?.close();
  await server?.close();
  discovery?.close();
  hub?.close();
});

test('listens on loopback and answers /healthz', async () => {
  expect(monitor.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  expect(await get('/healthz')).toEqual({ status: 'ok' });
});

test('/node shows the links, topics, names and totals', async () => {
  const node = await get<NodeView>('/node');
  expect(node).toMatchObject({ name: 'test-node', core: true, links: 3, urls: [server.url], names: 1 });
  expect(node.topics).toBeGreaterThanOrEqual(3); // lighthouse, addresses created, the test topic
  expect(node.switch.topic_messages).toBeGreaterThanOrEqual(MESSAGES);
  expect(node.discovery!.addresses_allocated).toBe(2);
  expect(node.in_msgs).toBeGreaterThan(MESSAGES);
});

test('/topics counts the forwarded messages per topic, with provider and subscribers', async () => {
  const { topics, total } = await get<{ topics: TopicView[]; total: number }>(`/topics?topic=${TOPIC}`);
  expect(total).toBe(1);
  const topic = topics[0]!;
  expect(topic).toMatchObject({ topic: TOPIC, messages: MESSAGES, cost: 100, paused: null });
  expect(topic.subscribers).toHaveLength(1);
  expect(topic.bytes).toBeGreaterThan(MESSAGES * 10);
  const links = await get<{ links: LinkView[] }>('/links');
  expect(links.links.find((l) => l.id === topic.provider)!.kind).toBe('tcp');
  expect(added(links, topic.provider, (l) => l.by_type.TopicData.in_msgs)).toBe(MESSAGES);
  expect(added(links, topic.provider, (l) => l.by_type.TopicData.in_bytes)).toBe(topic.bytes);
  expect(added(links, topic.subscribers[0]!, (l) => l.by_type.TopicData.out_msgs)).toBe(MESSAGES);
  expect(added(links, topic.subscribers[0]!, (l) => l.by_type.TopicData.out_bytes)).toBe(topic.bytes);
});

test('/links pages and sorts like /connz', async () => {
  const all = await get<{ total: number; links: LinkView[] }>('/links?sort=in_msgs');
  expect(all.total).toBe(3);
  const counts = all.links.map((l) => l.in_msgs);
  expect(counts).toEqual([...counts].sort((a, b) => b - a));
  const second = await get<{ links: LinkView[]; offset: number; limit: number }>('/links?sort=in_msgs&offset=1&limit=1');
  expect(second).toMatchObject({ offset: 1, limit: 1 });
  expect(second.links.map((l) => l.id)).toEqual([all.links[1]!.id]);
  const asc = await get<{ links: LinkView[] }>('/links?sort=in_msgs&order=asc');
  const ascending = asc.links.map((l) => l.in_msgs);
  expect(ascending).toEqual([...ascending].sort((a, b) => a - b));
  const bad = await fetch(`${monitor.url}/links?sort=nope`);
  expect(bad.status).toBe(400);
  expect((await bad.json()).error).toMatch(/sort must be one of/);
  expect((await fetch(`${monitor.url}/links?limit=-1`)).status).toBe(400);
  expect((await fetch(`${monitor.url}/nothing`)).status).toBe(404);
  expect((await fetch(`${monitor.url}/node`, { method: 'POST' })).status).toBe(405);
});

test('/addresses, /names and /services', async () => {
  const { addresses } = await get<{ addresses: Array<{ address: number }> }>('/addresses');
  expect(addresses.map((a) => a.address)).toEqual(expect.arrayContaining([0, publisher.address, subscriber.address]));
  const { names, supported } = await get<{ names: Array<{ name: string; address: number }>; supported: boolean }>('/names');
  expect(supported).toBe(true);
  expect(names).toEqual([{ name: 'echo-svc', address: publisher.address }]);
  const { services } = await get<{ services: ServiceView[] }>('/services');
  const echo = services.find((s) => s.name === 'echo-service');
  expect(echo).toMatchObject({ kind: 'fetch', port: 100, address: publisher.address });
  expect(echo!.routes.find((r) => r.descriptor === 'echo')).toMatchObject({ requests: 1, errors: 0 });
  expect(echo!.routes.find((r) => r.descriptor === 'fail')).toMatchObject({ requests: 1, errors: 1, last_error: 'always fails' });
  const discoveryFetch = services.find((s) => s.name === 'discovery' && s.kind === 'fetch');
  expect(discoveryFetch!.routes.find((r) => r.descriptor === 'register_address_name')!.requests).toBe(1);
  const discoverySignal = services.find((s) => s.name === 'discovery' && s.kind === 'signal');
  expect(discoverySignal!.routes.find((r) => r.descriptor === 'request_addresses')!.requests).toBe(2);
});

test('/metrics is the Prometheus text format with the node\'s counters', async () => {
  const res = await fetch(`${monitor.url}/metrics`);
  expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
  const text = await res.text();
  const value = (line: string) => metric(text, line);
  const growth = (line: string) => metric(text, line) - metric(metricsBefore, line);
  expect(text).toMatch(/^# HELP streamtasks_link_messages_total /m);
  expect(text).toMatch(/^# TYPE streamtasks_link_messages_total counter$/m);
  expect(growth('streamtasks_link_messages_total{kind="tcp",direction="in",type="TopicData"}')).toBe(MESSAGES);
  expect(growth('streamtasks_link_messages_total{kind="tcp",direction="out",type="TopicData"}')).toBe(MESSAGES);
  expect(growth('streamtasks_switch_topic_messages_total')).toBe(MESSAGES);
  expect(value('streamtasks_links{kind="tcp"}')).toBe(2);
  expect(value('streamtasks_links{kind="queue"}')).toBe(1);
  expect(value('streamtasks_switch_topic_messages_total')).toBeGreaterThanOrEqual(MESSAGES);
  expect(value('streamtasks_route_requests_total{kind="fetch",service="echo-service",descriptor="echo"}')).toBe(1);
  expect(value('streamtasks_route_errors_total{kind="fetch",service="echo-service",descriptor="fail"}')).toBe(1);
  expect(value('streamtasks_discovery_names')).toBe(1);
  // Labels are bounded: no topic or address ever becomes a label.
  expect(text).not.toMatch(new RegExp(`${TOPIC}`));
});

test('counters of closed links stay in the totals', async () => {
  const before = await fetch(`${monitor.url}/metrics`).then((r) => r.text());
  const total = (text: string) => Number(/^streamtasks_links_opened_total\{kind="tcp"\} (\d+)$/m.exec(text)?.[1]);
  const extra = await tcpClient();
  extra.close();
  await new Promise<void>((resolve) => {
    const off = hub.events.on('link-removed', () => {
      off();
      resolve();
    });
  });
  const after = await fetch(`${monitor.url}/metrics`).then((r) => r.text());
  expect(total(after)).toBe(total(before) + 1);
  expect(/^streamtasks_links\{kind="tcp"\} (\d+)$/m.exec(after)?.[1]).toBe('2');
});

test('rates follow the traffic and live updates arrive as server-sent events', async () => {
  const controller = new AbortController();
  const res = await fetch(`${monitor.url}/events`, { signal: controller.signal });
  expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  const out = outTopic(publisher, TOPIC);
  let sending = true;
  const pump = (async () => {
    while (sending) {
      await out.send({ busy: true });
      await new Promise((r) => setTimeout(r, 2));
    }
  })();
  let rate = 0;
  while (rate === 0) {
    const { value, done } = await reader.read();
    if (done) throw new Error('event stream ended');
    buffer += decoder.decode(value, { stream: true });
    let end: number;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const event = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const data = event.split('\n').find((l) => l.startsWith('data: '));
      if (data) rate = JSON.parse(data.slice(6)).node.rate.in_msgs;
    }
  }
  sending = false;
  await pump;
  controller.abort();
  expect(rate).toBeGreaterThan(0);
});

test('a client that never reads does not stop the switch or the monitor', async () => {
  const net = await import('node:net');
  const port = monitor.port;
  const stuck = net.connect(port, '127.0.0.1');
  await new Promise<void>((resolve) => stuck.once('connect', () => resolve()));
  stuck.pause();
  stuck.write('GET /events HTTP/1.1\r\nHost: x\r\n\r\nGET /topics HTTP/1.1\r\nHost: x\r\n\r\n');
  const sub = inTopic(subscriber, TOPIC + 1);
  const out = outTopic(publisher, TOPIC + 1);
  await out.waitRequested(true, { timeout: 5000 });
  for (let i = 0; i < 200; i++) await out.send(i);
  for (let i = 0; i < 200; i++) expect(await sub.recvData({ timeout: 5000 })).toBe(i);
  expect(await get('/healthz')).toEqual({ status: 'ok' });
  stuck.destroy();
  sub.close();
  out.close();
});

test('a live-update client that stops reading is disconnected once its unsent bytes pass the limit', async () => {
  const net = await import('node:net');
  // Many links make every update large (each carries the link list), so the buffers fill fast.
  const extra = Array.from({ length: 100 }, () => createQueueLinkPair());
  for (const [switchSide] of extra) hub.addLink(switchSide);
  await using fast = await startMonitor({ switch: hub, discovery }, { listen: '127.0.0.1:0', interval: 10, maxClientBuffer: 16 * 1024 });
  const stuck = net.connect(fast.port, '127.0.0.1');
  stuck.on('error', () => undefined);
  await new Promise<void>((resolve) => stuck.once('connect', () => resolve()));
  stuck.pause();
  stuck.write('GET /events HTTP/1.1\r\nHost: x\r\n\r\n');
  await eventually(() => fast.liveClientCount === 1, 10_000);
  // Updates pile up in the kernel's buffers, then in the server's: the client is dropped.
  await eventually(() => fast.liveClientCount === 0, 60_000);
  // The monitor and the switch carry on.
  expect((await fetch(`${fast.url}/healthz`)).status).toBe(200);
  stuck.destroy();
  for (const [, other] of extra) other.close();
}, 90_000);

describe('auth', () => {
  test('a token is required when configured (Bearer or ?token=), /healthz stays open', async () => {
    await using secured = await startMonitor({ switch: hub }, { listen: '127.0.0.1:0', auth: { token: 's3cret' } });
    expect((await fetch(`${secured.url}/node`)).status).toBe(401);
    expect((await fetch(`${secured.url}/node`, { headers: { authorization: 'Bearer wrong' } })).status).toBe(401);
    expect((await fetch(`${secured.url}/node`, { headers: { authorization: 'Bearer s3cret' } })).status).toBe(200);
    expect((await fetch(`${secured.url}/metrics?token=s3cret`)).status).toBe(200);
    expect((await fetch(`${secured.url}/healthz`)).status).toBe(200);
  });

  test('basic auth', async () => {
    await using secured = await startMonitor({ switch: hub }, { listen: '127.0.0.1:0', auth: { username: 'ops', password: 'pw' } });
    const denied = await fetch(`${secured.url}/links`);
    expect(denied.status).toBe(401);
    expect(denied.headers.get('www-authenticate')).toMatch(/^Basic /);
    const basic = (u: string, p: string) => ({ authorization: `Basic ${Buffer.from(`${u}:${p}`).toString('base64')}` });
    expect((await fetch(`${secured.url}/links`, { headers: basic('ops', 'nope') })).status).toBe(401);
    expect((await fetch(`${secured.url}/links`, { headers: basic('ops', 'pw') })).status).toBe(200);
  });

  test('bad settings are refused before listening', async () => {
    await expect(startMonitor({ switch: hub }, { listen: 'nope' })).rejects.toThrow(RangeError);
    await expect(startMonitor({ switch: hub }, { listen: 0, auth: { token: '' } })).rejects.toThrow(/token/);
    await expect(startMonitor({ switch: hub }, { listen: 0, auth: { username: 'x' } })).rejects.toThrow(/password/);
  });
});
