// Runs the monitor's dashboard in headless Chromium (Debian's chromium,
// driven by playwright-core) against a node started here with traffic the
// test generates: a TCP and a WebSocket server, the monitor, a service with
// a fetch route and a name, two topics with known message counts and 10 000
// more topics. Checks that the page's figures match that traffic, that the
// topic table pages through the 10 000 topics, and that clicking a topic
// shows its payloads live (subscribed over the node's WebSocket server from
// the page). Saves a screenshot as artifacts/dashboard.png.
//
// Needs the built packages (npm run build). Without chromium the test is
// skipped with a message, except under CI=true, where it fails.
/* global document -- page.evaluate and waitForFunction callbacks run in the page */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CHROMIUM = process.env.STREAMTASKS_CHROMIUM ?? '/usr/bin/chromium';
const ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];
const inCI = Boolean(process.env.CI);
const haveChromium = existsSync(CHROMIUM);
const skip = !haveChromium && !inCI
  ? `chromium not found at ${CHROMIUM}: install Debian's chromium (apt-get install chromium) or set STREAMTASKS_CHROMIUM to run this test`
  : false;

const TOPIC_A = 500_000;
const TOPIC_B = 500_001;
const LIVE_TOPIC = 500_002;
const COUNT_A = 37;
const COUNT_B = 12;
const FETCHES = 5;
const MANY = 10_000;

test('the dashboard shows the node, its links, topics, names and services as the traffic made them', { skip, timeout: 120_000 }, async () => {
  assert.ok(haveChromium, `chromium is missing at ${CHROMIUM}; CI must install it (.ci/run does, with apt)`);
  assert.ok(existsSync(path.join(root, 'packages', 'monitoring', 'dist', 'dashboard', 'app.js')), 'the dashboard is not built: run npm run build first');
  const { startNode, openClient } = await import('@streamtasks/cli');
  const { registerAddressName } = await import('@streamtasks/discovery');
  const { FetchServer } = await import('@streamtasks/fetch');
  const { inTopic, outTopic } = await import('@streamtasks/topic');
  const { chromium } = await import('playwright-core');

  const node = await startNode({
    core: true,
    serve: ['tcp://127.0.0.1:0', 'ws://127.0.0.1:0'],
    monitor: { listen: '127.0.0.1:0', interval: 250 },
    lighthouseInterval: 60_000,
  });
  const tcp = node.urls.find((u) => u.startsWith('tcp://'));
  const publisher = await openClient(tcp, { address: true, timeout: 5000 });
  const subscriber = await openClient(tcp, { address: true, timeout: 5000 });
  const many = await openClient(tcp, { timeout: 5000 });
  let browser;
  let live;
  const topics = [];
  try {
    const service = new FetchServer(publisher, { name: 'demo-service' }).route('info', () => ({ ok: true })).start();
    await registerAddressName(publisher, 'demo', undefined, { timeout: 5000 });
    for (let i = 0; i < FETCHES; i++) await subscriber.fetch('demo', 'info', null, { timeout: 5000 });

    // Known traffic on two topics, every message received before the page opens.
    for (const [topic, count] of [[TOPIC_A, COUNT_A], [TOPIC_B, COUNT_B]]) {
      const sub = inTopic(subscriber, topic);
      const out = outTopic(publisher, topic);
      topics.push(sub, out);
      await out.waitRequested(true, { timeout: 5000 });
      for (let i = 0; i < count; i++) await out.send({ topic, i });
      for (let i = 0; i < count; i++) assert.deepEqual(await sub.recvData({ timeout: 5000 }), { topic, i });
    }
    many.registerOutTopics(Array.from({ length: MANY }, (_, i) => 1_000_000 + i));

    browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS, timeout: 30_000 });
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    const problems = [];
    page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
    page.on('console', (msg) => msg.type() === 'error' && problems.push(`console: ${msg.text()}`));
    const text = (id) => page.evaluate((i) => document.getElementById(i)?.textContent ?? '', id);
    const until = async (what, fn, arg) => {
      try {
        await page.waitForFunction(fn, arg, { timeout: 20_000 });
      } catch (err) {
        mkdirSync(path.join(root, 'artifacts'), { recursive: true });
        await page.screenshot({ path: path.join(root, 'artifacts', 'dashboard-failed.png'), fullPage: true });
        assert.fail(`${what}: ${err.message} (screenshot: artifacts/dashboard-failed.png)\n${problems.join('\n')}`);
      }
    };

    await page.goto(`${node.monitorUrl}/`);
    await until('live updates', () => document.getElementById('status')?.textContent === 'live');
    // 4 links: discovery (in-process) and three TCP clients.
    await until('the link count', () => document.getElementById('links-count')?.textContent === '4');
    await until('the topic count', (n) => Number(document.getElementById('topics-count')?.textContent) >= n, MANY + 4);
    assert.equal(await text('names-count'), '1');
    assert.equal(await page.locator('#graph circle.peer').count(), 4, 'one peer per link in the graph');
    assert.match(await page.locator('#graph').textContent(), /cost 100/);

    // The topic table is paged: 50 rows of more than 10 000 topics.
    await until('the paged topic table', () => /^1–50 of \d+$/.test(document.getElementById('topics-page')?.textContent ?? ''));
    assert.equal(await page.locator('#topics-table tbody tr').count(), 50);
    await page.click('#topics-next');
    await until('the second page', () => (document.getElementById('topics-page')?.textContent ?? '').startsWith('51–100 of'));

    // Sorted by messages, the two topics with traffic come first, with their counts.
    await page.selectOption('#topic-sort', 'messages');
    await until('the topics sorted by messages', (a) => document.querySelector('#topics-table tbody tr')?.getAttribute('data-key') === String(a), TOPIC_A);
    const row = async (topic) => page.evaluate((t) => Array.from(document.querySelector(`#topics-table tr[data-key="${t}"]`)?.cells ?? [], (c) => c.textContent), topic);
    const rowA = await row(TOPIC_A);
    const rowB = await row(TOPIC_B);
    assert.equal(rowA[6], String(COUNT_A), `messages of topic ${TOPIC_A}: ${rowA}`);
    assert.equal(rowB[6], String(COUNT_B), `messages of topic ${TOPIC_B}: ${rowB}`);
    assert.equal(rowA[3], '1', 'one subscriber');
    assert.equal(rowA[1], '100', 'cost of the provider over TCP');

    // Names and services.
    const names = await page.locator('#names-table tbody tr').allTextContents();
    assert.deepEqual(names, [`demo${publisher.address}`]);
    await until('the fetch route stats', (n) => Array.from(document.querySelectorAll('#services-table tbody tr'))
      .some((tr) => tr.cells[0]?.textContent === 'demo-service' && tr.cells[3]?.textContent === 'info' && tr.cells[4]?.textContent === String(n)), FETCHES);

    // A filter finds one topic among the 10 000.
    await page.fill('#topic-filter', '1009999');
    await until('the filtered table', () => document.querySelectorAll('#topics-table tbody tr').length === 1);
    await page.fill('#topic-filter', '');

    // Live traffic: the rate shows, and a click on the topic shows its payloads.
    const out = outTopic(publisher, LIVE_TOPIC);
    topics.push(out);
    let sent = 0;
    let running = true;
    live = (async () => {
      while (running) {
        await out.send({ live: true, n: ++sent });
        await sleep(20);
      }
    })();
    const liveSub = inTopic(subscriber, LIVE_TOPIC); // someone wants it, so the switch forwards it
    topics.push(liveSub);
    await page.selectOption('#topic-sort', 'msg_rate');
    await until('the live topic on top by rate', (t) => document.querySelector('#topics-table tbody tr')?.getAttribute('data-key') === String(t), LIVE_TOPIC);
    await until('a rate in', () => Number.parseFloat(document.getElementById('rate-in')?.textContent ?? '0') > 0);
    await page.click(`#topics-table tr[data-key="${LIVE_TOPIC}"]`);
    await until('the live payloads', () => Number(document.getElementById('topic-view-count')?.textContent) >= 3);
    const payloads = (await text('topic-view-payloads')).split('\n').map((l) => JSON.parse(l));
    assert.equal(payloads[0].live, true);
    assert.ok(payloads[0].n > payloads[1].n, 'newest first');
    assert.match(await text('topic-view-status'), /^subscribed through ws:\/\/127\.0\.0\.1:\d+$/);

    mkdirSync(path.join(root, 'artifacts'), { recursive: true });
    await page.screenshot({ path: path.join(root, 'artifacts', 'dashboard.png'), fullPage: true });
    running = false;
    await live;
    assert.deepEqual(problems, []);
    service.stop();
  } finally {
    await browser?.close();
    for (const t of topics) t.close();
    publisher.close();
    subscriber.close();
    many.close();
    await node.close();
  }
});
