import * as fs from 'node:fs';
import * as path from 'node:path';
import { toId } from '@streamtasks/link';

export interface Deferred<T> {
  promise: Promise<T>;
  resolve(value: T): void;
  reject(error: unknown): void;
}

export function deferred<T = void>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** Resolves after pending I/O callbacks and microtasks ran (not a timed sleep). */
export function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Resolves with the next emission of an emitter event. */
export function nextEvent<A extends unknown[]>(on: (listener: (...args: A) => void) => () => void): Promise<A> {
  return new Promise((resolve) => {
    const off = on((...args) => {
      off();
      resolve(args);
    });
  });
}

const vectorsDir = path.resolve(__dirname, '../../../../shared/vectors');

interface VectorEntry {
  step: string;
  address: number;
  port: number;
  payload: unknown;
  payload_hex: string;
}

export interface BodiesVectors {
  fetch_requests: VectorEntry[];
  fetch_responses: VectorEntry[];
  signals: VectorEntry[];
  topic_data: Array<VectorEntry & { topic: number }>;
}

/** bodies.json with its tagged values ($bigint, $bin, ...) turned into JS values. */
export function loadBodies(): BodiesVectors {
  const raw = JSON.parse(fs.readFileSync(path.join(vectorsDir, 'bodies.json'), 'utf8')) as unknown;
  return untag(raw) as BodiesVectors;
}

function untag(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(untag);
  if (typeof value !== 'object' || value === null) return value;
  const record = value as Record<string, unknown>;
  if ('$bigint' in record) return toId(BigInt(record.$bigint as string));
  if ('$bin' in record) return Uint8Array.from(Buffer.from(record.$bin as string, 'hex'));
  if ('$float' in record) return record.$float;
  return Object.fromEntries(Object.entries(record).map(([k, v]) => [k, untag(v)]));
}

/** The vector of one step. */
export function vectorOf(list: VectorEntry[], step: string): VectorEntry {
  const found = list.find((v) => v.step === step);
  if (!found) throw new Error(`no vector for step ${step}`);
  return found;
}

export function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex');
}
