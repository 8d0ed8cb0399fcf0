import { StreamtasksError, type Id, type WaitOptions } from '@streamtasks/link';
import { DISCOVERY_ADDRESS, FetchError, Ports, type Client } from '@streamtasks/client';
import { Bodies, DiscoveryDescriptors } from './protocol.js';

const DISCOVERY_FETCH = [DISCOVERY_ADDRESS, Ports.FETCH] as const;

/** The discovery service reached does not offer a route (e.g. a Python discovery and `list_address_names`). */
export class NotSupportedError extends StreamtasksError {
  override name = 'NotSupportedError';
  constructor(message: string, options?: ErrorOptions) {
    super(message, 'ERR_NOT_SUPPORTED', options);
  }
}

/**
 * Lists the registered address names (fetch `list_address_names`, a route
 * of this implementation's discovery; the Python discovery lacks it).
 *
 * A discovery without the route either answers `not_found` (this
 * implementation's older versions) or nothing at all (Python). To tell the
 * second case without waiting for a timeout, a `resolve_address_name`
 * request every discovery answers is sent right after the list request:
 * requests on one link are served in order, so when its answer comes first,
 * the list request was dropped and {@link NotSupportedError} is thrown.
 */
export async function listAddressNames(client: Client, options?: WaitOptions): Promise<Map<string, Id>> {
  const controller = new AbortController();
  const signal = options?.signal ? AbortSignal.any([options.signal, controller.signal]) : controller.signal;
  const list = client.fetch(DISCOVERY_FETCH, DiscoveryDescriptors.LIST_ADDRESS_NAMES, {}, { timeout: options?.timeout, signal });
  const probe = client.fetch(DISCOVERY_FETCH, DiscoveryDescriptors.RESOLVE_ADDRESS_NAME, { address_name: 'list-probe' }, { timeout: options?.timeout, signal });
  const unsupported = new NotSupportedError(`the discovery service does not support ${DiscoveryDescriptors.LIST_ADDRESS_NAMES} (a Python discovery has no such route)`);
  probe.catch(() => undefined);
  try {
    const first = await Promise.race([list.then((answer) => ({ answer })), probe.then(() => undefined)]);
    if (first === undefined) throw unsupported;
    const body = Bodies.nameList(first.answer);
    return new Map(body.address_names.map(([name, address]) => [name, address]));
  } catch (err) {
    if (err instanceof FetchError && err.fetchCode === 'not_found') throw new NotSupportedError(unsupported.message, { cause: err });
    throw err;
  } finally {
    controller.abort();
    list.catch(() => undefined);
  }
}
