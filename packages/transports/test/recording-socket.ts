// A socket stand-in for the tests of SocketChannel's writes.
import { Duplex } from 'node:stream';

/** Records each write a channel makes (a corked batch is one entry); `push` feeds it reads. */
export class RecordingSocket extends Duplex {
  readonly writes: Buffer[][] = [];
  setNoDelay(): this {
    return this;
  }
  destroySoon(): void {
    this.end(() => this.destroy());
  }
  override _read(): void {}
  override _writev(chunks: Array<{ chunk: Buffer }>, callback: () => void): void {
    this.writes.push(chunks.map((c) => c.chunk));
    callback();
  }
  override _write(chunk: Buffer, _encoding: string, callback: () => void): void {
    this.writes.push([chunk]);
    callback();
  }
}
