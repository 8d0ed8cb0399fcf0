// Registration for the lifetime of a block (`using`).

/** Something that can be registered and unregistered: `InTopic`, `OutTopic`, `TopicsReceiver`. */
export interface Registrable {
  register(): void;
  unregister(): void;
}

/**
 * Registers `topic` now and unregisters it when the scope ends, however it
 * ends (Python: `topic.RegisterContext()`).
 *
 * @example
 * ```ts
 * const topic = new InTopic(client, 100_000, { register: false });
 * {
 *   using _registration = registerScoped(topic);
 *   await topic.recvData({ timeout: 1000 });
 * } // unregistered here
 * ```
 */
export function registerScoped(topic: Registrable): Disposable {
  topic.register();
  let done = false;
  return {
    [Symbol.dispose]() {
      if (done) return;
      done = true;
      topic.unregister();
    },
  };
}
