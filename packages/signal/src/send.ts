import { Ports, parseEndpoint, type Client, type Endpoint } from '@streamtasks/client';
import type { WaitOptions } from '@streamtasks/link';
import { signalPayload } from './protocol.js';

/**
 * Sends a signal: fire and forget, nothing is answered. `endpoint` is an
 * address (number or name; port 103) or `[address, port]` / `"name:port"`.
 * Resolves once the message is handed to the link — after resolving a name
 * through discovery, which `options` bound. Rejects with
 * `AddressNameNotFoundError` for a name that is not registered.
 *
 * @example
 * ```ts
 * await sendSignal(client, 'task_manager', 'shutdown', { reason: 'maintenance' });
 * ```
 */
export async function sendSignal(
  client: Client,
  endpoint: Endpoint,
  descriptor: string,
  body: unknown,
  options?: WaitOptions,
): Promise<void> {
  const { address, port } = parseEndpoint(endpoint, Ports.SIGNAL);
  await client.sendTo([address, port], signalPayload(descriptor, body), options);
}
