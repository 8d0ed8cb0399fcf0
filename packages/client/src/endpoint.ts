import { toId, type Id } from '@streamtasks/link';
import { InvalidEndpointError } from './errors.js';

/** An address given as its number or as a registered name. */
export type AddressOrName = Id | string;

/**
 * Where a message goes: an address (number or name, the operation's default
 * port is used), a `[address, port]` pair, or a string `"name:port"` /
 * `"number:port"`.
 */
export type Endpoint = AddressOrName | readonly [AddressOrName, number];

/** An endpoint with its parts separated; `address` may still be a name. */
export interface ParsedEndpoint {
  address: AddressOrName;
  port: number;
}

/**
 * Checks an address name: names must not contain `:` and must not start
 * with a digit (so they can never be mistaken for an address number).
 */
export function validateAddressName(name: string): string {
  if (name.length === 0) throw new InvalidEndpointError('an address name must not be empty');
  if (name.includes(':')) throw new InvalidEndpointError(`address name ${JSON.stringify(name)} must not contain ":"`);
  if (/^[0-9]/.test(name)) throw new InvalidEndpointError(`address name ${JSON.stringify(name)} must not start with a digit`);
  return name;
}

function parsePort(text: string | number, whole: string): number {
  const port = typeof text === 'number' ? text : /^[0-9]+$/.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(port) || port < 0) throw new InvalidEndpointError(`invalid port in endpoint ${JSON.stringify(whole)}`);
  return port;
}

function parseAddress(text: string, whole: string): AddressOrName {
  if (/^[0-9]+$/.test(text)) {
    try {
      return toId(BigInt(text));
    } catch (cause) {
      throw new InvalidEndpointError(`address out of range in endpoint ${JSON.stringify(whole)}`, { cause });
    }
  }
  return validateAddressName(text);
}

/** Splits an endpoint into address (number or name) and port. */
export function parseEndpoint(endpoint: Endpoint, defaultPort: number): ParsedEndpoint {
  if (typeof endpoint === 'number' || typeof endpoint === 'bigint') {
    return { address: checkedId(endpoint), port: defaultPort };
  }
  if (typeof endpoint === 'string') {
    const colon = endpoint.lastIndexOf(':');
    if (colon < 0) return { address: parseAddress(endpoint, endpoint), port: defaultPort };
    return {
      address: parseAddress(endpoint.slice(0, colon), endpoint),
      port: parsePort(endpoint.slice(colon + 1), endpoint),
    };
  }
  if (Array.isArray(endpoint) && endpoint.length === 2) {
    const [address, port] = endpoint;
    const whole = `${String(address)}:${String(port)}`;
    return {
      address: typeof address === 'string' ? parseAddress(address, whole) : checkedId(address),
      port: parsePort(port, whole),
    };
  }
  throw new InvalidEndpointError(`invalid endpoint ${String(endpoint)}`);
}

/** Formats an endpoint as `address:port`. */
export function formatEndpoint(endpoint: ParsedEndpoint): string {
  return `${String(endpoint.address)}:${endpoint.port}`;
}

function checkedId(value: number | bigint): Id {
  try {
    return toId(value);
  } catch (cause) {
    throw new InvalidEndpointError(`invalid address ${String(value)}`, { cause });
  }
}
