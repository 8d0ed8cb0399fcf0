import { Ports } from './constants.js';

const LAST_PORT = 0xffff_ffff;

/**
 * Hands out dynamic ports from 10000 upward. Ports are not reused until the
 * counter wraps (after four billion allocations), so a late answer to a port
 * that was released can never reach a later request.
 */
export class PortAllocator {
  private next: number = Ports.DYNAMIC_START;
  private readonly used = new Set<number>();

  /** @param taken tells the ports in use that {@link take} handed out (their owner keeps track of them) */
  constructor(private readonly taken: (port: number) => boolean = () => false) {}

  /** A port in use until {@link release}d. */
  allocate(): number {
    const port = this.take();
    this.used.add(port);
    return port;
  }

  /**
   * A port that is neither allocated nor `taken`, not recorded here: the
   * caller keeps it (and `taken` says so) until it is done with it.
   */
  take(): number {
    for (;;) {
      const port = this.next;
      this.next = port >= LAST_PORT ? Ports.DYNAMIC_START : port + 1;
      if (!this.used.has(port) && !this.taken(port)) return port;
    }
  }

  release(port: number): void {
    this.used.delete(port);
  }

  get inUse(): number {
    return this.used.size;
  }
}
