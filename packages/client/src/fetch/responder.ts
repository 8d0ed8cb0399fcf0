// The serving half of the fetch wire protocol: reading requests off a port
// and sending answers back. What to answer (routes, validation, handler
// errors) is the business of the server built on it (`@streamtasks/fetch`).
import { RawData, type AddressedMessage } from '@streamtasks/link';
import type { Client } from '../client.js';
import { surelyEncodable } from './encodable.js';
import { fetchErrorPayload, readFetchRequest, type FetchRequest, type FetchRequestFactory, type FetchResponsePayload } from './protocol.js';

const SENT: { encodeError?: unknown } = Object.freeze({});

/** Why a payload on a fetch port could not be served (it cannot be answered either: there is no return address). */
export interface MalformedFetchRequest {
  readonly reason: string;
  readonly cause?: unknown;
}

/**
 * Calls `onRequest` for every fetch request that reaches `port` of `client`,
 * with the object `make` built of its fields, and `onMalformed` for payloads
 * that are not valid MessagePack or not a request. Returns the function that
 * stops listening. Throws `PortInUseError` if the port already has a handler.
 */
export function listenFetchRequests<R>(
  client: Client,
  port: number,
  make: FetchRequestFactory<R>,
  onRequest: (request: R) => void,
  onMalformed: (problem: MalformedFetchRequest) => void,
): () => void {
  return client.listenPort(port, (message: AddressedMessage) => {
    let value: unknown;
    try {
      value = message.data.value;
    } catch (cause) {
      onMalformed({ reason: `skipped an undecodable payload on fetch port ${port}: ${errorMessage(cause)}`, cause });
      return;
    }
    const request = readFetchRequest(value, make);
    if (request !== undefined) onRequest(request);
    else onMalformed({ reason: `skipped a payload on fetch port ${port} that is not a fetch request` });
  });
}

/**
 * Sends `answer` to the requester. An answer without a MessagePack form
 * becomes `["general", "the answer could not be encoded: …"]` instead of
 * failing inside a link: an answer whose shape does not vouch for it (see
 * `encodable.ts`) is encoded here, and the encoding failure is returned so
 * the server can report it. Throws when the link refuses the message.
 */
export function sendFetchAnswer(client: Client, request: Pick<FetchRequest, 'returnAddress' | 'returnPort'>, answer: FetchResponsePayload): { encodeError?: unknown } {
  let data: RawData;
  let encodeError: unknown;
  try {
    data = encoded(answer);
  } catch (cause) {
    encodeError = cause;
    data = encoded(fetchErrorPayload('general', `the answer could not be encoded: ${errorMessage(cause)}`));
  }
  client.sendToAddress(request.returnAddress, request.returnPort, data);
  return encodeError === undefined ? SENT : { encodeError };
}

/** Wraps an answer, with its bytes computed now unless its shape vouches for them. */
function encoded(answer: FetchResponsePayload): RawData {
  const data = RawData.from(answer);
  // The answer's own map of a body and a boolean always encodes: only the body is in question.
  if (!surelyEncodable(answer.body)) void data.bytes;
  return data;
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
