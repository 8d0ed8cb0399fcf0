// Timeouts of boundedWait share one timer: they still fire no earlier than
// asked and in deadline order, settled waits leave nothing that keeps the
// process alive, pending ones do, and fake timers (installed and removed
// between waits) drive them like any timer.
import { AbortError, TimeoutError } from '@streamtasks/link';
import { boundedWait } from '@streamtasks/link/internal';

const timeouts = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
const never = () => undefined;

test('a timeout fires no earlier than asked, and several fire in deadline order', async () => {
  const order: number[] = [];
  const started = performance.now();
  const waits = [60, 20, 40, 20].map((ms, i) =>
    boundedWait(`wait ${i}`, { timeout: ms }, never).catch((err: unknown) => {
      expect(err).toBeInstanceOf(TimeoutError);
      expect(performance.now() - started).toBeGreaterThanOrEqual(ms - 1);
      order.push(ms);
    }),
  );
  await Promise.all(waits);
  expect(order).toEqual([20, 20, 40, 60]);
});

test('a settled wait keeps nothing alive; a pending one does', async () => {
  const base = timeouts();
  let resolve!: (v: number) => void;
  const pending = boundedWait<number>('a value', { timeout: 10_000 }, (ok) => {
    resolve = ok;
  });
  expect(timeouts()).toBe(base + 1);
  for (let i = 0; i < 1000; i++) {
    await boundedWait<number>('another value', { timeout: 10_000 }, (ok) => ok(i));
  }
  expect(timeouts()).toBe(base + 1);
  resolve(1);
  await expect(pending).resolves.toBe(1);
  expect(timeouts()).toBe(base);
});

test('the name of what was waited for may be built only for the error', async () => {
  let built = 0;
  const what = () => {
    built++;
    return 'a lazy thing';
  };
  await boundedWait(what, { timeout: 1000 }, (ok) => ok(1));
  expect(built).toBe(0);
  await expect(boundedWait(what, { timeout: 5 }, never)).rejects.toThrow(/a lazy thing/);
  expect(built).toBe(1);
});

test('fake timers drive timeouts, and real ones work again afterwards', async () => {
  // A real timer left armed by an earlier wait must not get in the way.
  await boundedWait('warm', { timeout: 50_000 }, (ok) => ok(0));
  jest.useFakeTimers({ doNotFake: ['queueMicrotask', 'nextTick', 'setImmediate'] });
  try {
    let failed: unknown;
    const wait = boundedWait('a fake second', { timeout: 1000 }, never).catch((err: unknown) => (failed = err));
    jest.advanceTimersByTime(999);
    await Promise.resolve();
    expect(failed).toBeUndefined();
    jest.advanceTimersByTime(1);
    await wait;
    expect(failed).toBeInstanceOf(TimeoutError);
  } finally {
    jest.useRealTimers();
  }
  await expect(boundedWait('a real moment', { timeout: 10 }, never)).rejects.toBeInstanceOf(TimeoutError);
});

test('many waits settling behind a pending one leave its timeout intact', async () => {
  const started = performance.now();
  const long = boundedWait('the long one', { timeout: 100 }, never);
  for (let i = 0; i < 20_000; i++) await boundedWait<number>('short', { timeout: 100 }, (ok) => ok(i));
  await expect(long).rejects.toBeInstanceOf(TimeoutError);
  expect(performance.now() - started).toBeGreaterThanOrEqual(99);
  // And the ones after it still time out.
  await expect(boundedWait('after', { timeout: 5 }, never)).rejects.toBeInstanceOf(TimeoutError);
});

test('a start that throws rejects the wait, and one that settles at once still gets its cleanup', async () => {
  await expect(
    boundedWait('a throwing start', { timeout: 1000 }, () => {
      throw new Error('no');
    }),
  ).rejects.toThrow('no');
  let cleaned = 0;
  const once = boundedWait<number>('at once', { timeout: 1000 }, (ok) => {
    ok(7);
    return () => cleaned++;
  });
  await expect(once).resolves.toBe(7);
  expect(cleaned).toBe(1);
});

test('an already aborted signal rejects with an AbortError naming the wait, without calling start', async () => {
  let started = 0;
  const reason = new Error('gone');
  const wait = boundedWait('the answer', { signal: AbortSignal.abort(reason) }, () => {
    started++;
  });
  await expect(wait).rejects.toBeInstanceOf(AbortError);
  await expect(wait).rejects.toMatchObject({ what: 'the answer', cause: reason });
  expect(started).toBe(0);
});
