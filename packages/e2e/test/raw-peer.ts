// A peer that speaks the wire protocol by hand over a raw TCP socket, so
// that tests can send exactly the bytes they want (garbage included).
import { connect as netConnect, type Socket } from 'node:net';
import { AddressesChangedMessage, MessageType, decodeMessage, encodeMessage, type Id, type Message, type WireMessage } from '@streamtasks/link';
import { decodeValue, encodeValue } from '@streamtasks/link/internal';
import { parseUrl } from '@streamtasks/transports';
import { FrameParser, encodeFrame, encodeHello } from '@streamtasks/transports/internal';

export class RawPeer {
  readonly socket: Socket;
  readonly frames: Uint8Array[] = [];
  readonly closed: Promise<void>;
  private readonly parser = new FrameParser({ onFrame: (p) => this.onFrame(p) });
  private wake: (() => void) | undefined;
  private read = 0;

  /** How the server names this connection in its events (`host:port` of our end). */
  readonly remote: string;

  private constructor(socket: Socket) {
    this.socket = socket;
    this.remote = `${socket.localAddress}:${socket.localPort}`;
    socket.on('data', (chunk) => {
      try {
        this.parser.push(chunk);
      } catch {
        socket.destroy();
      }
    });
    // Writes after the server closed fail with EPIPE/ECONNRESET: that is expected here.
    socket.on('error', () => {});
    this.closed = new Promise((resolve) => socket.once('close', () => {
      resolve();
      this.wake?.();
    }));
  }

  /** Connects to a `tcp://` URL; resolves once the socket is connected. */
  static async open(url: string): Promise<RawPeer> {
    const { host, port } = parseUrl(url);
    const socket = netConnect({ host, port: port! });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    return new RawPeer(socket);
  }


  get isClosed(): boolean {
    return this.socket.destroyed;
  }

  write(bytes: Uint8Array | string): void {
    if (!this.socket.destroyed) this.socket.write(bytes);
  }

  sendFrame(payload: Uint8Array): void {
    this.write(encodeFrame(payload));
  }

  send(message: Message): void {
    this.sendFrame(encodeMessage(message));
  }

  /** Sends a hello (with `version`) and returns the decoded reply. */
  async handshake(data: ReadonlyMap<string, string> = new Map()): Promise<Record<string, unknown>> {
    this.sendFrame(encodeHello(data));
    return decodeValue(await this.next()) as Record<string, unknown>;
  }

  /** The next frame not read yet; fails when the connection closes first. */
  async next(timeout = 10_000): Promise<Uint8Array> {
    const deadline = Date.now() + timeout;
    while (this.frames.length <= this.read) {
      if (this.socket.destroyed) throw new Error('the connection closed before the frame arrived');
      if (Date.now() > deadline) throw new Error('no frame in time');
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.max(0, deadline - Date.now()));
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
    return this.frames[this.read++]!;
  }

  /** Reads messages until one matches. */
  async until(match: (m: WireMessage) => boolean, timeout = 10_000): Promise<WireMessage> {
    const deadline = Date.now() + timeout;
    for (;;) {
      const m = decodeMessage(await this.next(Math.max(1, deadline - Date.now())));
      if (match(m)) return m;
    }
  }

  /** Announces an address of this peer (the node handles it before anything sent later). */
  announceAddress(address: Id): void {
    this.send(new AddressesChangedMessage([{ id: address, cost: 0 }], []));
  }

  /** A payload map as MessagePack, keys in the given order (a `Map` keeps `__proto__` an ordinary key). */
  static payload(entries: Array<[string, unknown]>): Uint8Array {
    return encodeValue(new Map(entries));
  }

  destroy(): void {
    this.socket.destroy();
  }

  private onFrame(payload: Uint8Array): void {
    this.frames.push(payload);
    this.wake?.();
  }
}

export function isAddressedTo(address: Id) {
  return (m: WireMessage): boolean => m.type === MessageType.Addressed && m.address === address;
}
