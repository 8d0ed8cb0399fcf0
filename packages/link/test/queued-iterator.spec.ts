// The queued async iterator under the link inbox, topics and receivers:
// items go to a waiting consumer or queue up within a bound (oldest dropped,
// counted), stop() ends every consumer with its error, leaving a loop runs
// the cleanup hook, and bounded waits lose nothing when they time out or are
// aborted.
import { AbortError, TimeoutError } from '@streamtasks/link';
import { QueuedIterator, SKIP } from '@streamtasks/link/internal';

class StoppedError extends Error {
  override name = 'StoppedError';
}

test('items queue in order and are counted as pending until taken', async () => {
  const q = new QueuedIterator<number>();
  for (let i = 1; i <= 100; i++) q.push(i);
  expect(q.pending).toBe(100);
  expect(q.shift()).toBe(1);
  expect(await q.recv()).toBe(2);
  expect(q.pending).toBe(98);
  const rest: number[] = [];
  for (let item = q.shift(); item !== undefined; item = q.shift()) rest.push(item);
  expect(rest).toEqual(Array.from({ length: 98 }, (_, i) => i + 3));
  expect(q.pending).toBe(0);
  expect(q.shift()).toBeUndefined();
});

test('a full queue drops its oldest items, counts them and reports each drop', () => {
  const reported: number[] = [];
  const q = new QueuedIterator<number>({ maxPending: 3, onDrop: (n) => reported.push(n) });
  for (let i = 1; i <= 5; i++) q.push(i);
  expect(q.pending).toBe(3);
  expect(q.dropped).toBe(2);
  expect(reported).toEqual([1, 2]);
  expect([q.shift(), q.shift(), q.shift()]).toEqual([3, 4, 5]);
  expect(() => new QueuedIterator({ maxPending: 0 })).toThrow(RangeError);
});

test('an item pushed while a consumer waits goes to it, not to the queue', async () => {
  const q = new QueuedIterator<string>();
  const first = q.recv();
  const second = q.recv();
  q.push('a');
  q.push('b');
  q.push('c');
  await expect(first).resolves.toBe('a');
  await expect(second).resolves.toBe('b');
  expect(q.pending).toBe(1);
});

test('a wait that times out or is aborted takes nothing: the next item stays queued', async () => {
  const q = new QueuedIterator<string>({ description: 'a test item' });
  await expect(q.recv({ timeout: 5 })).rejects.toBeInstanceOf(TimeoutError);
  const abort = new AbortController();
  const aborted = q.recv({ signal: abort.signal });
  abort.abort();
  await expect(aborted).rejects.toBeInstanceOf(AbortError);
  await expect(q.recv({ signal: abort.signal })).rejects.toThrow(/a test item/);
  q.push('kept');
  expect(q.pending).toBe(1);
  await expect(q.recv({ timeout: 5 })).resolves.toBe('kept');
});

test('stop() with an error ends waits and iterations with it; closed resolves with it', async () => {
  const q = new QueuedIterator<number>();
  const closed = q.closed;
  const waiting = q.recv();
  const iteration = (async () => {
    for await (const _ of q) void _;
  })();
  q.push(1); // to the first waiter
  await expect(waiting).resolves.toBe(1);
  const failure = new Error('link lost');
  q.stop(failure);
  await expect(iteration).rejects.toBe(failure);
  await expect(closed).resolves.toBe(failure);
  await expect(q.recv()).rejects.toBe(failure);
  q.push(2);
  expect(q.pending).toBe(0);
  expect(q.isClosed).toBe(true);
});

test('stop() without an error ends iterations quietly and waits with closedError()', async () => {
  const q = new QueuedIterator<number>({ closedError: () => new StoppedError('stopped') });
  const waiting = q.recv();
  const seen: number[] = [];
  const iteration = (async () => {
    for await (const n of q) seen.push(n);
  })();
  q.push(1);
  q.push(2);
  q.push(3);
  await new Promise((resolve) => setImmediate(resolve));
  q.stop();
  await expect(waiting).resolves.toBe(1);
  await expect(iteration).resolves.toBeUndefined();
  expect(seen).toEqual([2, 3]);
  await expect(q.recv()).rejects.toBeInstanceOf(StoppedError);
  await expect(q.closed).resolves.toBeUndefined();
});

test('stop() drops what is queued, unless asked to drain it first', async () => {
  const dropping = new QueuedIterator<number>();
  dropping.push(1);
  dropping.stop();
  expect(dropping.pending).toBe(0);

  const draining = new QueuedIterator<number>();
  draining.push(1);
  draining.push(2);
  draining.stop(new Error('gone'), { drain: true });
  expect(await draining.recv()).toBe(1);
  const seen: number[] = [];
  await expect(
    (async () => {
      for await (const n of draining) seen.push(n);
    })(),
  ).rejects.toThrow('gone');
  expect(seen).toEqual([2]);
});

test('leaving a for await loop runs the cleanup hook once; a loop that ended does not', async () => {
  let released = 0;
  const q = new QueuedIterator<number>({ onReturn: () => released++ });
  q.push(1);
  q.push(2);
  for await (const n of q) if (n === 1) break;
  expect(released).toBe(1);
  // A waiting iterator returned by hand ends its pending step.
  const iterator = q[Symbol.asyncIterator]();
  expect(await iterator.next()).toEqual({ value: 2, done: false });
  const pending = iterator.next();
  await iterator.return!();
  await expect(pending).resolves.toEqual({ value: undefined, done: true });
  expect(released).toBe(2);
  q.push(3);
  expect(q.pending).toBe(1); // nobody waits any more
  q.stop();
  const ended = q[Symbol.asyncIterator]();
  expect(await ended.next()).toEqual({ value: undefined, done: true });
  await ended.return!();
  expect(released).toBe(2);
});

test('map turns items into what iteration hands out and skips what it rejects', async () => {
  const q = new QueuedIterator<number, string>({ map: (n) => (n % 2 === 0 ? SKIP : `#${n}`) });
  const seen: string[] = [];
  const iteration = (async () => {
    for await (const s of q) {
      seen.push(s);
      if (seen.length === 3) break;
    }
  })();
  q.push(2); // skipped while waiting: the iteration keeps waiting
  q.push(1);
  await new Promise((resolve) => setImmediate(resolve));
  q.push(4);
  q.push(3);
  q.push(6);
  q.push(5);
  await iteration;
  expect(seen).toEqual(['#1', '#3', '#5']);
  q.push(7);
  expect(await q.recv()).toBe(7); // recv hands out the items as they are
});

test('a next() called while another waits takes the item after it', async () => {
  const q = new QueuedIterator<number>();
  const iterator = q[Symbol.asyncIterator]();
  const a = iterator.next();
  const b = iterator.next();
  q.push(1);
  q.push(2);
  expect(await a).toEqual({ value: 1, done: false });
  expect(await b).toEqual({ value: 2, done: false });
});

test('unshift puts an item back in front, also when the buffer wraps around', () => {
  const q = new QueuedIterator<number>();
  for (let round = 0; round < 3; round++) {
    for (let i = 0; i < 40; i++) q.push(i);
    for (let i = 0; i < 25; i++) q.shift();
    q.unshift(-1);
    expect(q.shift()).toBe(-1);
    expect(q.shift()).toBe(25);
    while (q.shift() !== undefined);
  }
  expect(q.pending).toBe(0);
});
