// The page of examples/browser: joins a streamtasks node over a WebSocket,
// calls a fetch route and shows a topic's data live. Bundled for the browser
// by build.mjs; it uses only browser-safe packages (no Node modules).
//
// The node's address comes from the page URL: ?node=ws://127.0.0.1:9003
import { Client } from '@streamtasks/client';
import { discoveryNames, requestAddress } from '@streamtasks/discovery';
import { check } from '@streamtasks/fetch';
import { inTopic } from '@streamtasks/topic';
import { connectWebSocket } from '@streamtasks/transports/browser';

const show = (id: string, text: string): void => {
  const el = document.getElementById(id);
  if (el) el.textContent = text;
};
const json = (value: unknown): string =>
  JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));

async function run(): Promise<void> {
  const params = new URLSearchParams(location.search);
  const url = params.get('node') ?? `ws://${location.hostname || '127.0.0.1'}:9003`;

  const link = await connectWebSocket(url, { timeout: 5000 });
  const client = new Client(link, { nameResolver: discoveryNames }).start();
  const address = await requestAddress(client, { timeout: 5000 });
  show('status', `connected to ${url} as address ${address}`);
  addEventListener('pagehide', () => client.close());

  // Request/response: the name "demo" is resolved through discovery.
  const info = await client.fetch('demo', 'info', { from: 'a browser page' }, {
    timeout: 5000,
    validate: check.object({ topic: check.id(), greeting: check.string(), asked: check.unknown() }),
  });
  show('answer', json(info));

  // Subscribe to the topic the service named and show every payload.
  let count = 0;
  for await (const data of inTopic(client, info.topic)) {
    show('data', json(data));
    show('count', String(++count));
  }
}

run().catch((err: unknown) => {
  console.error(err);
  show('error', err instanceof Error ? `${err.name}: ${err.message}` : String(err));
  show('status', 'failed');
});
