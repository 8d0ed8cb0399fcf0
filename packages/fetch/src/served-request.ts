import type { Id } from '@streamtasks/link';
import { fetchResponsePayload, type FetchRequest, type FetchResponsePayload } from '@streamtasks/client/internal';
import type { FetchServerRequest } from './server.js';

/** Sends an answer to a request (the server's, which reports what fails). */
export type SendAnswer = (request: ServedRequest, answer: FetchResponsePayload) => void;

/**
 * One request being served: the request as read off the wire, what its
 * handler receives, and the rule that it is answered once — early with
 * `respond`/`respondError`, or when the handler settles — and not at all once
 * the server stopped. One object per request: it is built from the payload's
 * fields (no plain request beside it), and the answer functions are its own,
 * so a handler may destructure them; they are made when first read.
 */
export class ServedRequest implements FetchServerRequest, FetchRequest {
  /** The request body; once a route's `validate` ran, the body it returned. */
  body: unknown;
  readonly descriptor: string;
  readonly returnAddress: Id;
  readonly returnPort: number;
  readonly signal: AbortSignal;
  readonly #send: SendAnswer;
  #answered = false;
  #respond: ((body: unknown) => void) | undefined;
  #respondError: ((body: unknown) => void) | undefined;

  constructor(returnAddress: Id, returnPort: number, descriptor: string, body: unknown, signal: AbortSignal, send: SendAnswer) {
    this.body = body;
    this.descriptor = descriptor;
    this.returnAddress = returnAddress;
    this.returnPort = returnPort;
    this.signal = signal;
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
    this.#send(this, answer);
  }

  private answer(answer: FetchResponsePayload): void {
    if (this.#answered) throw new Error(`the fetch ${JSON.stringify(this.descriptor)} was answered already`);
    this.#answered = true;
    if (!this.signal.aborted) this.#send(this, answer);
  }
}
