import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/** Protection of a monitor: a bearer token, basic auth, or both (either one lets a request in). */
export interface MonitorAuth {
  /** Accepted as `Authorization: Bearer TOKEN` or as the `token` query parameter (for browsers opening the dashboard). */
  token?: string;
  /** Basic auth user name and password. */
  username?: string;
  password?: string;
}

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Whether the request carries the credentials `auth` asks for (always true without `auth`). */
export function authorized(auth: MonitorAuth | undefined, req: IncomingMessage, url: URL): boolean {
  if (!auth || (auth.token === undefined && auth.username === undefined)) return true;
  const header = req.headers.authorization ?? '';
  if (auth.token !== undefined) {
    if (header.startsWith('Bearer ') && same(header.slice(7), auth.token)) return true;
    const query = url.searchParams.get('token');
    if (query !== null && same(query, auth.token)) return true;
  }
  if (auth.username !== undefined && header.startsWith('Basic ')) {
    const decoded = Buffer.from(header.slice(6), 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon >= 0 && same(decoded.slice(0, colon), auth.username) && same(decoded.slice(colon + 1), auth.password ?? '')) return true;
  }
  return false;
}

/** Checks that an auth setting is complete. */
export function checkAuth(auth: MonitorAuth | undefined): void {
  if (!auth) return;
  if (auth.token !== undefined && auth.token.length === 0) throw new RangeError('monitor auth token must not be empty');
  if ((auth.username === undefined) !== (auth.password === undefined)) throw new RangeError('monitor basic auth needs both username and password');
}
