import type { ServerResponse } from 'node:http';

/**
 * The clients of the live update stream (Server-Sent Events at `/events`).
 * Each update is written to every client whose socket keeps up; a client
 * with more than `maxBuffered` bytes still unsent is disconnected, so a
 * reader that stops reading costs a bounded amount of memory and never
 * delays the switch (writes never wait).
 */
export class LiveClients {
  private readonly clients = new Set<ServerResponse>();

  constructor(
    private readonly maxClients: number,
    private readonly maxBuffered: number,
  ) {}

  get size(): number {
    return this.clients.size;
  }

  /** Starts an event stream on `res`; false (and 503) when there are too many. */
  add(res: ServerResponse, first: string): boolean {
    if (this.clients.size >= this.maxClients) {
      res.writeHead(503, { 'content-type': 'text/plain; charset=utf-8' }).end('too many live clients\n');
      return false;
    }
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
    });
    this.clients.add(res);
    res.on('close', () => this.clients.delete(res));
    this.write(res, first);
    return true;
  }

  /** Sends one `update` event (JSON text) to every client. */
  broadcast(json: string): void {
    for (const res of this.clients) this.write(res, json);
  }

  closeAll(): void {
    for (const res of this.clients) res.destroy();
    this.clients.clear();
  }

  private write(res: ServerResponse, json: string): void {
    if (res.writableLength > this.maxBuffered) {
      this.clients.delete(res);
      res.destroy();
      return;
    }
    res.write(`event: update\ndata: ${json}\n\n`);
  }
}
