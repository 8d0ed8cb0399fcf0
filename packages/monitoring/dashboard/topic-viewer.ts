// The live view of one topic: subscribes over the node's WebSocket server
// (the browser build of @streamtasks/transports) and shows the latest
// payloads as JSON.
import { Client } from '@streamtasks/client';
import { inTopic } from '@streamtasks/topic';
import { connectWebSocket } from '@streamtasks/transports/browser';
import { $ } from './dom.js';

const KEEP = 20;

function json(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? v.toString() : v instanceof Uint8Array ? { $bin: v.length } : v));
}

export class TopicViewer {
  private urls: readonly string[] = [];
  private client: Client | undefined;
  private session = 0;

  setUrls(urls: readonly string[]): void {
    this.urls = urls;
  }

  open(topicText: string): void {
    this.close();
    const session = ++this.session;
    $('topic-view').hidden = false;
    $('topic-view-id').textContent = topicText;
    $('topic-view-count').textContent = '0';
    $('topic-view-payloads').textContent = '';
    const ws = this.urls.find((u) => u.startsWith('ws://') || u.startsWith('wss://'));
    if (!ws) {
      $('topic-view-status').textContent = 'the node has no WebSocket server (streamtasks node --serve ws://…)';
      return;
    }
    const status = (text: string) => {
      if (session === this.session) $('topic-view-status').textContent = text;
    };
    status(`connecting to ${ws}…`);
    void this.follow(session, ws, BigInt(topicText), status).catch((err: unknown) => status(`error: ${(err as Error).message}`));
  }

  close(): void {
    this.session++;
    this.client?.close();
    this.client = undefined;
    $('topic-view').hidden = true;
  }

  private async follow(session: number, url: string, topic: bigint, status: (text: string) => void): Promise<void> {
    const link = await connectWebSocket(url, { timeout: 5000 });
    if (session !== this.session) {
      link.close();
      return;
    }
    const client = new Client(link).start();
    this.client = client;
    status(`subscribed through ${url}`);
    const latest: string[] = [];
    let count = 0;
    const id = topic <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(topic) : topic;
    for await (const data of inTopic(client, id)) {
      if (session !== this.session) break;
      latest.unshift(json(data));
      if (latest.length > KEEP) latest.pop();
      $('topic-view-count').textContent = String(++count);
      $('topic-view-payloads').textContent = latest.join('\n');
    }
  }
}
