/**
 * Runs `callback` soon, never inside the caller: on Node's `process.nextTick`
 * queue where there is one, elsewhere on a microtask. Node runs that queue
 * when the current callback returns and, while microtasks are running, only
 * once the microtask queue is empty.
 *
 * Why it matters: a producer that awaits between messages (`await
 * out.send(…)`) runs on microtasks. A flush queued as a microtask runs after
 * each of its steps and carries one message; a flush on the tick queue waits
 * until the producer blocks (or stops) and carries everything sent
 * meanwhile, which is what a queue link's batching is for. Either way the
 * callback runs before any timer or I/O callback.
 */
export const scheduleFlush: (callback: () => void) => void = pickScheduler();

function pickScheduler(): (callback: () => void) => void {
  // Looked up once: later replacements of process.nextTick (fake timers in tests) do not stall delivery.
  // Only Node's own (and Bun's, Deno's): a bundler's `process` shim queues its ticks on a timer.
  const host = (globalThis as { process?: { nextTick?: (callback: () => void) => void; versions?: { node?: string } } }).process;
  const nextTick = host?.nextTick;
  if (typeof nextTick === 'function' && typeof host?.versions?.node === 'string') return (callback) => nextTick(callback);
  const resolved = Promise.resolve();
  // A resolved promise's reaction runs where queueMicrotask would run it, without its per-call wrapping.
  return (callback) => void resolved.then(callback);
}
