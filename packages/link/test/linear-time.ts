/**
 * Measures how the cost of a decoder grows with its input, for tests that
 * assert a ratio measured in one run (never a wall-clock time). Each figure
 * is the best of several batches timed in CPU time after a warm-up: the
 * minimum of CPU time is what the code costs when nothing else on the
 * machine interferes, so a loaded machine makes the figures noisier but not
 * larger.
 */
import process from 'node:process';

/** CPU time of this process in ms: unlike the wall clock, it does not run on while other processes have the CPU. */
function cpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

export interface TimingOptions {
  /** Timed batches per figure; the fastest one counts. */
  readonly runs?: number;
  /** How long one batch should take at least, in ms (shorter batches are all noise). */
  readonly batchMs?: number;
}

/** Nanoseconds per input byte that `fn` takes on an input of `bytes` bytes. */
export function nsPerByte(fn: () => void, bytes: number, options: TimingOptions = {}): number {
  const runs = options.runs ?? 7;
  const batchMs = options.batchMs ?? 8;
  // Warm-up, and the number of calls that makes one batch last batchMs.
  let reps = 1;
  for (;;) {
    const t0 = cpuMs();
    for (let i = 0; i < reps; i++) fn();
    const took = cpuMs() - t0;
    if (took >= batchMs) break;
    reps = Math.min(reps * 2, Math.ceil((reps * batchMs * 2) / Math.max(took, 0.01)));
  }
  let best = Infinity;
  for (let run = 0; run < runs; run++) {
    const t0 = cpuMs();
    for (let i = 0; i < reps; i++) fn();
    best = Math.min(best, (cpuMs() - t0) / reps);
  }
  return (best * 1e6) / bytes;
}

/**
 * The cost per byte of the large input over that of the small one. A linear
 * decoder gives about 1 (less when fixed costs dominate the small input).
 * Measured up to three times, keeping the smallest ratio, so one or two
 * disturbed batches on a busy machine do not decide.
 */
export function growth(small: { run: () => void; bytes: number }, large: { run: () => void; bytes: number }, options?: TimingOptions): number {
  let best = Infinity;
  for (let attempt = 0; attempt < 3; attempt++) {
    const ratio = nsPerByte(large.run, large.bytes, options) / nsPerByte(small.run, small.bytes, options);
    best = Math.min(best, ratio);
    if (best <= 1.5) break;
  }
  return best;
}
