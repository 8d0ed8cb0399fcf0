// Runs the page of examples/browser in headless Chromium (Debian's chromium
// package, driven by playwright-core; no browser is ever downloaded) against
// a node started here: a WebSocket server on port 0, the demo service and the
// page served over HTTP on 127.0.0.1:0. Asserts that the page shows data
// published from Node and the answer of a fetch route.
//
// Needs the built packages (npm run build). Without chromium the test is
// skipped with a message, except under CI=true, where it fails: .ci/run
// installs chromium.
/* global document -- page.evaluate and waitForFunction callbacks run in the page */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
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

test('the browser example shows data published from Node and a fetch answer', { skip, timeout: 90_000 }, async () => {
  assert.ok(haveChromium, `chromium is missing at ${CHROMIUM}; CI must install it (.ci/run does, with apt)`);
  assert.ok(existsSync(path.join(root, 'packages', 'cli', 'dist', 'index.js')), 'the packages are not built: run npm run build first');
  const { startDemo } = await import('../examples/browser/serve.mjs');
  const { chromium } = await import('playwright-core');

  const token = randomBytes(6).toString('hex');
  const demo = await startDemo({ token, interval: 100 });
  let browser;
  try {
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS, timeout: 30_000 });
    const page = await browser.newPage();
    const problems = [];
    page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
    page.on('console', (msg) => msg.type() === 'error' && problems.push(`console: ${msg.text()}`));
    const state = async () =>
      JSON.stringify(await page.evaluate(() => Object.fromEntries(['status', 'answer', 'count', 'data', 'error'].map((id) => [id, document.getElementById(id)?.textContent])))) +
      (problems.length ? `\n${problems.join('\n')}` : '');

    await page.goto(demo.pageUrl);
    try {
      await page.waitForFunction((t) => document.getElementById('answer')?.textContent?.includes(t), token, { timeout: 20_000 });
      await page.waitForFunction(() => Number(document.getElementById('count')?.textContent) >= 3, undefined, { timeout: 20_000 });
    } catch (err) {
      assert.fail(`the page did not show the answer and three payloads: ${err.message}\npage: ${await state()}`);
    }

    const answer = JSON.parse(await page.textContent('#answer'));
    assert.equal(answer.topic, demo.topic, await state());
    assert.equal(answer.greeting, `hello from node (${token})`);
    assert.equal(answer.asked, 'a browser page', 'the fetch body reached the service');
    const data = JSON.parse(await page.textContent('#data'));
    assert.equal(data.token, token, await state());
    assert.ok(Number.isInteger(data.value) && data.value >= 3, await state());
    assert.equal(await page.textContent('#error'), '', await state());
    assert.match(await page.textContent('#status'), /^connected to ws:\/\/127\.0\.0\.1:\d+ as address \d+$/);
    assert.deepEqual(problems, []);
  } finally {
    await browser?.close();
    await demo.close();
  }
});
