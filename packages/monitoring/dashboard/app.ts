// The monitor's dashboard: live figures of one node, from the monitor's own
// JSON endpoints and its live update stream (Server-Sent Events at
// /events). Clicking a topic subscribes to it over the node's WebSocket
// server with the browser build of the streamtasks packages.
//
// Bundled by ../build-dashboard.mjs with esbuild; served by the monitor.
import type { LinkView, NodeView, ServiceView, TopicView } from '../src/views.js';
import { drawGraph } from './graph.js';
import { TopicViewer } from './topic-viewer.js';
import { $, cell, formatBytes, formatCount, formatDuration, setRows } from './dom.js';

interface LiveUpdate {
  node: NodeView;
  links: LinkView[];
  services: ServiceView[];
}

const PAGE_SIZE = 50;
const params = new URLSearchParams(location.search);
const token = params.get('token');

/** A monitor URL with the page's token passed on (EventSource cannot set headers). */
function api(path: string, query: Record<string, string | number> = {}): string {
  const q = new URLSearchParams(Object.entries(query).map(([k, v]) => [k, String(v)]));
  if (token) q.set('token', token);
  const text = q.toString();
  return text ? `${path}?${text}` : path;
}

async function getJson<T>(path: string, query?: Record<string, string | number>): Promise<T> {
  const res = await fetch(api(path, query), { cache: 'no-store' });
  if (!res.ok) throw new Error(`${path}: ${res.status}`);
  return (await res.json()) as T;
}

let topicOffset = 0;
let latest: LiveUpdate | undefined;
const viewer = new TopicViewer();

function showNode(node: NodeView): void {
  $('node-name').textContent = node.name ?? '';
  $('uptime').textContent = formatDuration(node.uptime_s);
  $('links-count').textContent = String(node.links);
  $('topics-count').textContent = String(node.topics);
  $('addresses-count').textContent = String(node.addresses);
  $('names-count').textContent = node.names === null ? '-' : String(node.names);
  $('rate-in').textContent = formatCount(node.rate.in_msgs);
  $('rate-out').textContent = formatCount(node.rate.out_msgs);
  $('forwarded').textContent = formatCount(node.switch.topic_messages);
  $('urls').textContent = node.urls.length ? `listening on ${node.urls.join(', ')}` : 'no servers';
  viewer.setUrls(node.urls);
}

function showLinks(links: LinkView[]): void {
  setRows($('links-table'), links, (l) => String(l.id), (l) => [
    cell(l.id, true), cell(l.kind), cell(l.remote ?? '-'), cell(l.cost, true),
    cell(formatCount(l.rate.in_msgs), true), cell(formatCount(l.rate.out_msgs), true),
    cell(l.in_msgs, true), cell(l.out_msgs, true), cell(l.queued_in + l.buffered_out, true), cell(l.dropped, true),
  ]);
  drawGraph($('graph') as unknown as SVGSVGElement, latest?.node.name ?? 'switch', links);
}

function showServices(services: ServiceView[]): void {
  const rows = services.flatMap((s) => s.routes.map((r) => ({ s, r })));
  setRows($('services-table'), rows, ({ s, r }) => `${s.kind}:${String(s.address)}:${s.port}:${r.descriptor}`, ({ s, r }) => [
    cell(s.name ?? '-'), cell(s.kind), cell(`${s.address === null ? '-' : String(s.address)}:${s.port}`), cell(r.descriptor),
    cell(r.requests, true), cell(r.errors, true), cell(r.average_processing_time_ms.toFixed(2), true), cell(r.last_error ?? ''),
  ]);
}

async function refreshTopics(): Promise<void> {
  const filter = ($('topic-filter') as HTMLInputElement).value.trim();
  const sort = ($('topic-sort') as HTMLSelectElement).value;
  const query: Record<string, string | number> = { offset: topicOffset, limit: PAGE_SIZE, sort, order: sort === 'topic' ? 'asc' : 'desc' };
  if (filter) query.topic = filter;
  const answer = await getJson<{ total: number; topics: TopicView[] }>('/topics', query);
  if (topicOffset >= answer.total && topicOffset > 0) {
    topicOffset = Math.max(0, Math.floor((answer.total - 1) / PAGE_SIZE) * PAGE_SIZE);
    return refreshTopics();
  }
  $('topics-total').textContent = `(${answer.total})`;
  $('topics-page').textContent = answer.total === 0 ? '0' : `${topicOffset + 1}–${Math.min(topicOffset + PAGE_SIZE, answer.total)} of ${answer.total}`;
  setRows($('topics-table'), answer.topics, (t) => String(t.topic), (t) => [
    cell(String(t.topic), true), cell(t.cost ?? '-', true), cell(t.provider === null ? '-' : `link ${t.provider}`),
    cell(t.subscribers.length, true), cell(formatCount(t.msg_rate), true), cell(formatBytes(t.byte_rate), true),
    cell(t.messages, true), cell(t.paused === null ? '-' : t.paused ? 'paused' : 'running'),
  ]);
}

async function refreshDirectory(): Promise<void> {
  const [addresses, names] = await Promise.all([
    getJson<{ total: number; addresses: Array<{ address: number | string; cost: number; link: number | null }> }>('/addresses', { limit: PAGE_SIZE }),
    getJson<{ total: number; supported: boolean; names: Array<{ name: string; address: number | string }> }>('/names', { limit: PAGE_SIZE }),
  ]);
  $('addresses-total').textContent = `(${addresses.total})`;
  setRows($('addresses-table'), addresses.addresses, (a) => String(a.address), (a) => [
    cell(String(a.address), true), cell(a.cost, true), cell(a.link === null ? '-' : `link ${a.link}`),
  ]);
  $('names-total').textContent = names.supported ? `(${names.total})` : '(no discovery in this node)';
  setRows($('names-table'), names.names, (n) => n.name, (n) => [cell(n.name), cell(String(n.address), true)]);
}

function onUpdate(update: LiveUpdate): void {
  latest = update;
  showNode(update.node);
  showLinks(update.links);
  showServices(update.services);
  void Promise.all([refreshTopics(), refreshDirectory()]).catch((err: unknown) => setStatus(`error: ${(err as Error).message}`, 'down'));
}

function setStatus(text: string, state: 'live' | 'down' | ''): void {
  const el = $('status');
  el.textContent = text;
  el.className = `status ${state}`;
}

function connectLive(): void {
  const source = new EventSource(api('/events'));
  source.addEventListener('update', (event) => {
    setStatus('live', 'live');
    onUpdate(JSON.parse((event as MessageEvent<string>).data) as LiveUpdate);
  });
  // EventSource reconnects by itself.
  source.addEventListener('error', () => setStatus('disconnected, retrying…', 'down'));
}

$('topics-prev').addEventListener('click', () => {
  topicOffset = Math.max(0, topicOffset - PAGE_SIZE);
  void refreshTopics();
});
$('topics-next').addEventListener('click', () => {
  topicOffset += PAGE_SIZE;
  void refreshTopics();
});
$('topic-filter').addEventListener('input', () => {
  topicOffset = 0;
  void refreshTopics();
});
$('topic-sort').addEventListener('change', () => {
  topicOffset = 0;
  void refreshTopics();
});
$('topics-table').addEventListener('click', (event) => {
  const row = (event.target as Element).closest('tr[data-key]');
  if (row) viewer.open(row.getAttribute('data-key')!);
});
$('topic-view-close').addEventListener('click', () => viewer.close());
addEventListener('pagehide', () => viewer.close());

connectLive();
