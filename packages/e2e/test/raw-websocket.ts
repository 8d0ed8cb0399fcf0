// A WebSocket client written by hand over a raw TCP socket (RFC 6455), so
// that tests can send what no WebSocket library sends: slow or unfinished
// upgrade requests, extensions offered, frames with any flags, opcode and
// announced length, continuation frames out of place.
import { randomBytes } from 'node:crypto';
import { connect as netConnect, type Socket } from 'node:net';

export const Opcode = { Continuation: 0x0, Text: 0x1, Binary: 0x2, Close: 0x8, Ping: 0x9, Pong: 0xa } as const;

export interface FrameOptions {
  /** Last fragment of a message (default true). */
  fin?: boolean;
  /** RSV1: the frame says it is compressed (permessage-deflate). */
  rsv1?: boolean;
  /** The length written in the header, whatever the payload is (a lie, or a header without a body). */
  announce?: bigint | number;
}

/** A client frame: masked, as RFC 6455 requires of clients. */
export function clientFrame(opcode: number, payload: Uint8Array = new Uint8Array(0), options: FrameOptions = {}): Buffer {
  const length = BigInt(options.announce ?? payload.length);
  const head = [((options.fin ?? true) ? 0x80 : 0) | (options.rsv1 ? 0x40 : 0) | opcode];
  if (length < 126n) head.push(0x80 | Number(length));
  else if (length < 0x10000n) head.push(0x80 | 126, Number(length >> 8n), Number(length & 0xffn));
  else {
    head.push(0x80 | 127);
    for (let shift = 56n; shift >= 0n; shift -= 8n) head.push(Number((length >> shift) & 0xffn));
  }
  const mask = randomBytes(4);
  const body = Buffer.from(payload);
  for (let i = 0; i < body.length; i++) body[i]! ^= mask[i % 4]!;
  return Buffer.concat([Buffer.from(head), mask, body]);
}

export interface ServerFrame {
  opcode: number;
  payload: Buffer;
}

export class RawWebSocket {
  readonly socket: Socket;
  readonly closed: Promise<void>;
  /** The response to the upgrade request: status line and headers, lower-cased names. */
  status = '';
  readonly headers = new Map<string, string>();
  readonly frames: ServerFrame[] = [];
  private buffered = Buffer.alloc(0);
  private upgraded = false;
  private waiters: Array<() => void> = [];

  private constructor(socket: Socket) {
    this.socket = socket;
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', () => {});
    this.closed = new Promise((resolve) => socket.once('close', () => {
      resolve();
      this.wakeAll();
    }));
  }

  /** Opens a TCP connection to `host:port` without sending anything. */
  static async open(host: string, port: number): Promise<RawWebSocket> {
    const socket = netConnect({ host, port });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    return new RawWebSocket(socket);
  }

  /** The upgrade request, with any extra header lines. */
  static request(extra: string[] = []): string {
    return [
      'GET / HTTP/1.1',
      'Host: 127.0.0.1',
      'Upgrade: websocket',
      'Connection: Upgrade',
      `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}`,
      'Sec-WebSocket-Version: 13',
      ...extra,
      '',
      '',
    ].join('\r\n');
  }

  /** Sends the upgrade request and waits for the response headers. */
  async upgrade(extra: string[] = []): Promise<void> {
    this.write(RawWebSocket.request(extra));
    await this.until(() => this.upgraded, 'the upgrade response');
  }

  write(bytes: Uint8Array | string): void {
    if (!this.socket.destroyed) this.socket.write(bytes);
  }

  send(opcode: number, payload?: Uint8Array, options?: FrameOptions): void {
    this.write(clientFrame(opcode, payload, options));
  }

  /** The next server frame other than a pong (pongs are counted in `frames`). */
  async nextData(): Promise<ServerFrame> {
    let read = 0;
    for (;;) {
      await this.until(() => this.frames.length > read, 'a frame');
      const frame = this.frames[read++]!;
      if (frame.opcode !== Opcode.Pong) {
        this.frames.splice(0, read);
        return frame;
      }
    }
  }

  /** Waits for the server's close frame (or the connection's end) and returns the close code, if any. */
  async closeCode(): Promise<number | undefined> {
    await this.until(() => this.frames.some((f) => f.opcode === Opcode.Close), 'a close frame').catch(() => undefined);
    const close = this.frames.find((f) => f.opcode === Opcode.Close);
    return close && close.payload.length >= 2 ? close.payload.readUInt16BE(0) : undefined;
  }

  /** Resolves when `ready()` holds; rejects if the connection closes first. */
  until(ready: () => boolean, what: string): Promise<void> {
    return new Promise((resolve, reject) => {
      const check = () => {
        if (ready()) resolve();
        else if (this.socket.destroyed || this.socket.readableEnded) reject(new Error(`the connection closed before ${what}`));
        else this.waiters.push(check);
      };
      check();
    });
  }

  destroy(): void {
    this.socket.destroy();
  }

  private wakeAll(): void {
    for (const w of this.waiters.splice(0)) w();
  }

  private onData(chunk: Buffer): void {
    this.buffered = Buffer.concat([this.buffered, chunk]);
    if (!this.upgraded) {
      const end = this.buffered.indexOf('\r\n\r\n');
      if (end < 0) return;
      const [status, ...lines] = this.buffered.subarray(0, end).toString('latin1').split('\r\n');
      this.status = status!;
      for (const line of lines) {
        const colon = line.indexOf(':');
        this.headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
      }
      this.buffered = this.buffered.subarray(end + 4);
      this.upgraded = true;
    }
    // Server frames are not masked.
    for (;;) {
      const b = this.buffered;
      if (b.length < 2) break;
      let length = b[1]! & 0x7f;
      let at = 2;
      if (length === 126) {
        if (b.length < 4) break;
        length = b.readUInt16BE(2);
        at = 4;
      } else if (length === 127) {
        if (b.length < 10) break;
        length = Number(b.readBigUInt64BE(2));
        at = 10;
      }
      if (b.length < at + length) break;
      this.frames.push({ opcode: b[0]! & 0x0f, payload: Buffer.from(b.subarray(at, at + length)) });
      this.buffered = b.subarray(at + length);
    }
    this.wakeAll();
  }
}
