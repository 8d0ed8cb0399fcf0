/** A bad query parameter; answered with HTTP 400 and the message. */
export class QueryError extends Error {
  override name = 'QueryError';
}

/** Paging and sorting of a list endpoint, in the style of the NATS monitor's `/connz`. */
export interface PageQuery {
  offset: number;
  limit: number;
  sort: string;
  order: 'asc' | 'desc';
}

/** Default and largest `limit`. */
export const DEFAULT_LIMIT = 1024;
export const MAX_LIMIT = 100_000;

function integerParam(params: URLSearchParams, name: string, fallback: number, max: number): number {
  const raw = params.get(name);
  if (raw === null || raw === '') return fallback;
  if (!/^[0-9]+$/.test(raw)) throw new QueryError(`${name} must be a non-negative integer, got ${JSON.stringify(raw)}`);
  return Math.min(Number(raw), max);
}

/**
 * Reads `offset`, `limit`, `sort` and `order` (`asc`/`desc`). `sort` must
 * be one of `keys`; the default order is descending for counters and rates
 * and ascending for the default key (an id).
 */
export function parsePageQuery(params: URLSearchParams, keys: readonly string[], defaultSort: string): PageQuery {
  const sort = params.get('sort') ?? defaultSort;
  if (!keys.includes(sort)) throw new QueryError(`sort must be one of ${keys.join(', ')}; got ${JSON.stringify(sort)}`);
  const order = params.get('order') ?? (sort === defaultSort ? 'asc' : 'desc');
  if (order !== 'asc' && order !== 'desc') throw new QueryError(`order must be asc or desc, got ${JSON.stringify(order)}`);
  return {
    offset: integerParam(params, 'offset', 0, Number.MAX_SAFE_INTEGER),
    limit: integerParam(params, 'limit', DEFAULT_LIMIT, MAX_LIMIT),
    sort,
    order,
  };
}

/** A sorted page of `items`, with the paging fields `/connz` answers with. */
export function page<T>(items: T[], query: PageQuery, value: (item: T, key: string) => number | bigint | string): {
  total: number;
  offset: number;
  limit: number;
  sort: string;
  order: string;
  items: T[];
} {
  const sign = query.order === 'asc' ? 1 : -1;
  const keyed = items.map((item) => [value(item, query.sort), item] as const);
  keyed.sort((a, b) => (a[0] < b[0] ? -sign : a[0] > b[0] ? sign : 0));
  return {
    total: items.length,
    offset: query.offset,
    limit: query.limit,
    sort: query.sort,
    order: query.order,
    items: keyed.slice(query.offset, query.offset + query.limit).map(([, item]) => item),
  };
}
