import * as fs from 'node:fs';
import * as path from 'node:path';
import { toId } from '@streamtasks/link';

/** The golden vectors, in the shared folder beside the repository. */
export const VECTORS_DIR = path.resolve(__dirname, '../../../../shared/vectors');

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
  const raw = JSON.parse(fs.readFileSync(path.join(VECTORS_DIR, 'bodies.json'), 'utf8')) as unknown;
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
