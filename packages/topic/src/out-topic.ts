import { Emitter, toId, type Id, type WaitOptions } from '@streamtasks/link';
import type { Client } from '@streamtasks/client';
import { TopicClosedError } from './errors.js';
import { AwaitableFlag } from './flag.js';

export interface OutTopicOptions {
  /** Provide the topic right away. Default true. */
  register?: boolean;
}

/** Events of an {@link OutTopic}. */
export interface OutTopicEvents {
  /** Someone started (`true`) or stopped (`false`) wanting the topic. */
  requested: [requested: boolean];
}

const RESOLVED = Promise.resolve();

/**
 * A topic this client publishes.
 *
 * `registered` says whether it is provided on the network, `requested`
 * whether anyone downstream wants it, `paused` the state announced to
 * subscribers. Close it (or `await using`) to stop providing it.
 *
 * @example
 * ```ts
 * await using out = new OutTopic(client, 100_000);
 * await out.waitRequested(true, { timeout: 5000 });
 * await out.send({ timestamp: Date.now(), value: 1 });
 * ```
 */
export class OutTopic {
  readonly topic: Id;
  readonly events = new Emitter<OutTopicEvents>();
  private readonly client: Client;
  private readonly requestedFlag: AwaitableFlag;
  private readonly offListener: () => void;
  private readonly offStop: () => void;
  private _registered = false;
  private _paused = false;
  private _closed = false;
  private resolveClosed!: (reason: Error | undefined) => void;
  /**
   * Resolves once the topic is closed with {@link OutTopic.close} (with
   * `undefined`: an out-topic is closed only deliberately). Never rejects.
   */
  readonly closed = new Promise<Error | undefined>((resolve) => (this.resolveClosed = resolve));

  constructor(client: Client, topic: Id, options: OutTopicOptions = {}) {
    this.client = client;
    this.topic = toId(topic);
    this.requestedFlag = new AwaitableFlag(client.isRequested(this.topic));
    this.offListener = client.listenTopic(this.topic, {
      requested: (requested) => {
        this.requestedFlag.set(requested);
        this.events.emit('requested', requested);
      },
    });
    this.offStop = client.onStop((err) => this.requestedFlag.fail(err));
    if (options.register ?? true) this.register();
  }

  get registered(): boolean {
    return this._registered;
  }

  get paused(): boolean {
    return this._paused;
  }

  /** Whether someone on the network currently wants this topic. */
  get requested(): boolean {
    return this.requestedFlag.value;
  }

  get isClosed(): boolean {
    return this._closed;
  }

  /** Provides the topic on the network (no-op when already provided). */
  register(): void {
    this.assertOpen();
    if (this._registered) return;
    this.client.registerOutTopics([this.topic]);
    this._registered = true;
  }

  /** Stops providing the topic (no-op when not provided). */
  unregister(): void {
    if (!this._registered) return;
    this._registered = false;
    this.client.unregisterOutTopics([this.topic]);
  }

  /** Pauses or resumes the topic; subscribers are told only when the state changes. */
  setPaused(paused: boolean): void {
    this.assertOpen();
    if (paused === this._paused) return;
    this._paused = paused;
    this.client.sendTopicControl(this.topic, { paused });
  }

  /** Resolves once `requested` equals `value` (default true). */
  waitRequested(value = true, options?: WaitOptions): Promise<void> {
    if (this._closed) return Promise.reject(new TopicClosedError());
    return this.requestedFlag.wait(value, `topic ${String(this.topic)} to be ${value ? '' : 'no longer '}requested`, options);
  }

  /**
   * Publishes a payload. Resolves at once unless the link asks to slow down,
   * in which case it resolves when the link has drained. Every failure is a
   * rejection, never a synchronous throw: `TopicClosedError` once the topic
   * is closed, `ConnectionClosedError` once the link is.
   */
  send(data: unknown): Promise<void> {
    if (this._closed) return Promise.reject(new TopicClosedError());
    let belowHighWaterMark: boolean;
    try {
      belowHighWaterMark = this.client.sendToTopic(this.topic, data);
    } catch (err) {
      return Promise.reject(err);
    }
    return belowHighWaterMark ? RESOLVED : this.client.link.drained();
  }

  /** Stops providing the topic and ends every wait. Safe to call twice. */
  close(): void {
    if (this._closed) return;
    this._closed = true;
    if (!this.client.link.isClosed) this.unregister();
    this.offListener();
    this.offStop();
    this.requestedFlag.fail(new TopicClosedError());
    this.events.removeAllListeners();
    this.resolveClosed(undefined);
  }

  async [Symbol.asyncDispose](): Promise<void> {
    this.close();
  }

  [Symbol.dispose](): void {
    this.close();
  }

  private assertOpen(): void {
    if (this._closed) throw new TopicClosedError();
  }
}
