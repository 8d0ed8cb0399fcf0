// The fetch wire protocol, both halves: the payloads a requester sends and a
// server answers, and the one set of parsers that reads them. Keys and their
// order match the Python implementation (pinned by shared/vectors/bodies.json).
import { type Id } from '@streamtasks/link';
import { isId } from '@streamtasks/link/internal';
import type { FetchErrorCode } from '../errors.js';

/**
 * The payload of a fetch request (an Addressed message to the server's fetch
 * port): `{return_address, return_port, descriptor, body}`.
 */
export interface FetchRequestPayload<B = unknown> {
  return_address: Id;
  return_port: number;
  descriptor: string;
  body: B;
}

/** The payload of a fetch response: `{body, error}`. */
export interface FetchResponsePayload<B = unknown> {
  body: B;
  error: boolean;
}

/** A fetch request as received by a server. */
export interface FetchRequest<B = unknown> {
  returnAddress: Id;
  returnPort: number;
  descriptor: string;
  body: B;
}

export function fetchRequestPayload<B>(returnAddress: Id, returnPort: number, descriptor: string, body: B): FetchRequestPayload<B> {
  return { return_address: returnAddress, return_port: returnPort, descriptor, body };
}

export function fetchResponsePayload<B>(body: B, error: boolean): FetchResponsePayload<B> {
  return { body, error };
}

/** The answer of a built-in error: body `[code, message]`, `error: true`. */
export function fetchErrorPayload(code: FetchErrorCode, message: string): FetchResponsePayload<[FetchErrorCode, string]> {
  return fetchResponsePayload([code, message], true);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Uint8Array) && !(value instanceof Map);
}

/** Makes the object a server keeps for one request from its checked fields. */
export type FetchRequestFactory<R> = (returnAddress: Id, returnPort: number, descriptor: string, body: unknown) => R;

/** Reads a fetch request payload; undefined when it does not have the request's shape. */
export function parseFetchRequest(value: unknown): FetchRequest | undefined {
  return readFetchRequest(value, plainRequest);
}

/**
 * Reads a fetch request payload into the object `make` builds of its fields
 * (a server's own object per request, so that no plain request is made only
 * to be copied); undefined when it does not have the request's shape.
 */
export function readFetchRequest<R>(value: unknown, make: FetchRequestFactory<R>): R | undefined {
  if (!isRecord(value)) return undefined;
  const { return_address, return_port, descriptor, body } = value;
  if (!isId(return_address) || typeof return_port !== 'number' || !Number.isSafeInteger(return_port) || return_port < 0) return undefined;
  if (typeof descriptor !== 'string') return undefined;
  return make(return_address, return_port, descriptor, body);
}

function plainRequest(returnAddress: Id, returnPort: number, descriptor: string, body: unknown): FetchRequest {
  return { returnAddress, returnPort, descriptor, body };
}

/** Whether a decoded payload has the shape of a fetch response (read in place: `error` is true only when it is `true`). */
export function isFetchResponse(value: unknown): value is { body: unknown; error?: unknown } {
  return isRecord(value) && 'body' in value;
}

/** Reads a fetch response payload; undefined when it does not have the response's shape. */
export function parseFetchResponse(value: unknown): FetchResponsePayload | undefined {
  if (!isFetchResponse(value)) return undefined;
  return { body: value.body, error: value.error === true };
}
