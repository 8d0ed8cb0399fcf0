import type { Id } from '@streamtasks/link';
import { fetchResponsePayload, type FetchRequest, type FetchResponsePayload } from '@streamtasks/client/internal';
import type { FetchServerRequest } from './server.js';

/**
 * One request being served: what its handler receives, and the rule that
 * it is answered once — early with `respond`/`respondError`, or when the
 * handler settles — and not at all once the server stopped. One object per
 * request (the answer functions are its own, so a handler may destructure
 * them; they are made when first read).
 */
export class ServedRequest implements FetchServerRequest {
  body: unknown = undefined;
  readonly descriptor: string;
  readonly returnAddress: Id;
  readonly returnPort: number;
  readonly signal: AbortSignal;
  readonly #request: FetchRequest;
  readonly #send: (request: FetchRequest, answer: FetchResponsePayload) => void;
  #answered = false;
  #respond: ((body: unknown) => void) | undefined;
  #respondError: ((body: unknown) => void) | undefined;

  constructor(request: FetchRequest, signal: AbortSignal, send: (request: FetchRequest, answer: FetchResponsePayload) => void) {
    this.descriptor = request.descriptor;
    this.returnAddress = request.returnAddress;
    this.returnPort = request.returnPort;
    this.signal = signal;
    this.#request = request;
    this.#send = send;
  }

  get responded(): boolean {
    return this.#answered;
  }

  // Made when first read: most handlers return their answer and never use them.
  get respond(): (body: unknown) => void {
    return (this.#respond ??= (body) => this.answer(fetchResponsePayload(body === undefined ? null : body, false)));
  }

  get respondError(): (body: unknown) => void {
    return (this.#respondError ??= (body) => this.answer(fetchResponsePayload(body, true)));
  }

  /** The request as the handler sees it: with its body checked. */
  withBody(body: unknown): this {
    this.body = body;
    return this;
  }

  /** The handler settled with `answer`: sent unless the request was answered early or the server stopped. */
  finish(answer: FetchResponsePayload): void {
    if (this.#answered || this.signal.aborted) return;
    this.#answered = true;
    this.#send(this.#request, answer);
  }

  private answer(answer: FetchResponsePayload): void {
    if (this.#answered) throw new Error(`the fetch ${JSON.stringify(this.descriptor)} was answered already`);
    this.#answered = true;
    if (!this.signal.aborted) this.#send(this.#request, answer);
  }
}
