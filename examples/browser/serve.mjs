// Serves the browser example: a streamtasks node with a WebSocket server,
// a demo service and publisher on it, and the page over HTTP.
//
//   npm run build && node examples/browser/serve.mjs [--http-port 8080] [--ws-port 9003]
//
// then open the printed URL. The demo service registers the name "demo" and
// answers the fetch "info" with the topic it publishes a counter on (every
// 200 ms). Ctrl-C stops everything.
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import path from 'node:path';
import { clearInterval, setInterval } from 'node:timers';
import { URL, fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { openClient, startNode } from '@streamtasks/cli';
import { registerAddressName, requestTopicIds } from '@streamtasks/discovery';
import { FetchServer } from '@streamtasks/fetch';
import { outTopic } from '@streamtasks/topic';
import { bundlePage } from './build.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));

/**
 * Starts the node (ws://127.0.0.1:<wsPort>, discovery included), the demo
 * service and the HTTP server for the page (127.0.0.1:<httpPort>; 0 picks
 * free ports). `token` is put into every payload and answer, so a test can
 * tell them apart. Resolves with `{ pageUrl, wsUrl, topic, close() }`.
 */
export async function startDemo({ httpPort = 0, wsPort = 0, token = 'demo', interval = 200 } = {}) {
  const node = await startNode({ core: true, serve: [`ws://127.0.0.1:${wsPort}`] });
  const wsUrl = node.urls[0];
  const service = await openClient(wsUrl, { address: true, timeout: 5000 });
  const [topic] = await requestTopicIds(service, 1, { timeout: 5000 });
  const server = new FetchServer(service)
    .route('info', ({ body }) => ({ topic, greeting: `hello from node (${token})`, asked: body?.from ?? null }))
    .start();
  await registerAddressName(service, 'demo', undefined, { timeout: 5000 });
  const out = outTopic(service, topic);
  let value = 0;
  const timer = setInterval(() => {
    out.send({ timestamp: Date.now(), value: ++value, token }).catch(() => {});
  }, interval);

  const html = readFileSync(path.join(here, 'index.html'));
  const script = await bundlePage();
  const http = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname === '/' || url.pathname === '/index.html') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(html);
    } else if (url.pathname === '/dist/main.js') {
      res.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8' }).end(script);
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise((resolve, reject) => {
    http.once('error', reject);
    http.listen(httpPort, '127.0.0.1', resolve);
  });
  const pageUrl = `http://127.0.0.1:${http.address().port}/?node=${encodeURIComponent(wsUrl)}`;

  return {
    pageUrl,
    wsUrl,
    topic,
    async close() {
      clearInterval(timer);
      http.closeAllConnections();
      await new Promise((resolve) => http.close(resolve));
      out.close();
      server.stop();
      service.close();
      await node.close();
    },
  };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({ options: { 'http-port': { type: 'string', default: '8080' }, 'ws-port': { type: 'string', default: '9003' } } });
  const demo = await startDemo({ httpPort: Number(values['http-port']), wsPort: Number(values['ws-port']) });
  console.log(`node: ${demo.wsUrl} (publishing on topic ${demo.topic})`);
  console.log(`open: ${demo.pageUrl}`);
  const stop = () => demo.close().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}
