// Type tests, checked by `npm run typecheck` (tsc over test/**), never run:
// a fetch answer is `unknown` unless a validator types it, and a type
// argument alone cannot claim a type the answer was never checked against.
import type { Client } from '@streamtasks/client';

declare const client: Client;
const isCount = (value: unknown): { count: number } => {
  if (typeof value !== 'object' || value === null || typeof (value as { count?: unknown }).count !== 'number') throw new Error('no count');
  return value as { count: number };
};

export async function answers(): Promise<void> {
  const plain = await client.fetch(10_000, 'x', null);
  // @ts-expect-error the answer of an unchecked fetch is unknown
  void plain.count;
  const known: unknown = plain;
  void known;

  // @ts-expect-error a type argument without a validator does not type the answer
  await client.fetch<{ count: number }>(10_000, 'x', null);
  // @ts-expect-error nor with options that have no validator
  await client.fetch<{ count: number }>(10_000, 'x', null, { timeout: 100 });

  const checked = await client.fetch(10_000, 'x', null, { timeout: 100, validate: isCount });
  const n: number = checked.count;
  void n;

  const fetchCount = client.fetchAs(isCount);
  const viaFetchAs = await fetchCount(10_000, 'x', null, { timeout: 100 });
  const m: number = viaFetchAs.count;
  // @ts-expect-error fetchAs types the answer exactly
  const s: string = viaFetchAs.count;
  void m;
  void s;
}
