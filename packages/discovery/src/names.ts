import { ConnectionClosedError, Emitter, type Id, type WaitOptions } from '@streamtasks/link';
import { DISCOVERY_ADDRESS, NoAddressError, Ports, validateAddressName, type Client } from '@streamtasks/client';
import { BroadcastReceiver } from '@streamtasks/broadcast';
import { sendSignal } from '@streamtasks/signal';
import { ADDRESS_NAME_REGISTERED, Bodies, DiscoveryDescriptors, DiscoverySignals, tryCheck } from './protocol.js';
import { resolveAddressName } from './resolver.js';
import { Deadline, relabel } from './wait.js';

const DISCOVERY_FETCH = [DISCOVERY_ADDRESS, Ports.FETCH] as const;
const DISCOVERY_SIGNAL = [DISCOVERY_ADDRESS, Ports.SIGNAL] as const;

/** Options of {@link registerAddressName}. */
export interface RegisterAddressNameOptions extends WaitOptions {
  /**
   * Take the name even when another reachable address holds it (default
   * false: such a registration fails with a `bad_request` FetchError).
   */
  replace?: boolean;
}

/**
 * Registers `name` for `address` (default: the client's own address) with
 * discovery and caches it. Discovery announces it on the broadcast namespace
 * `address-name/registered`. Names must not contain `:` nor start with a digit.
 *
 * A name held by another address that is still reachable is refused (a
 * `FetchError` with code `bad_request`) unless `options.replace` is set, or
 * the client registering it is the holder. A name whose holder left the
 * network was already released by discovery and is free.
 */
export async function registerAddressName(client: Client, name: string, address?: Id, options?: RegisterAddressNameOptions): Promise<Id> {
  validateAddressName(name);
  const target = address ?? client.address;
  if (target === undefined) throw new NoAddressError('registerAddressName needs an address: give one or set the client\'s');
  // `replace` is sent only when set: the body stays the one Python clients send.
  const body = options?.replace ? { address_name: name, address: target, replace: true } : { address_name: name, address: target };
  await client.fetch(DISCOVERY_FETCH, DiscoveryDescriptors.REGISTER_ADDRESS_NAME, body, { timeout: options?.timeout, signal: options?.signal });
  client.cacheAddressName(name, target);
  return target;
}

/**
 * Removes a name registration (signal `unregister_address_name`; nothing is
 * answered) and drops it from the client's cache. Discovery announces the
 * removal (`address: nil`), so other clients following the announcements drop
 * it too.
 */
export async function unregisterAddressName(client: Client, name: string, options?: WaitOptions): Promise<void> {
  validateAddressName(name);
  client.clearAddressNameCache(name);
  await sendSignal(client, DISCOVERY_SIGNAL, DiscoverySignals.UNREGISTER_ADDRESS_NAME, { address_name: name }, options);
}

/** A name registration that is removed when disposed (`await using`). */
export interface AddressNameRegistration extends AsyncDisposable {
  readonly name: string;
  readonly address: Id;
  /** False once unregistered. */
  readonly isRegistered: boolean;
  /** Removes the registration; safe to call twice. */
  unregister(): Promise<void>;
}

/**
 * Registers a name for as long as the returned registration lives.
 *
 * @example
 * ```ts
 * await using registration = await registerAddressNameScoped(client, 'echo');
 * // ... serve; the name is unregistered when the block ends
 * ```
 */
export async function registerAddressNameScoped(
  client: Client,
  name: string,
  address?: Id,
  options?: RegisterAddressNameOptions,
): Promise<AddressNameRegistration> {
  const registered = await registerAddressName(client, name, address, options);
  let active = true;
  const unregister = async (): Promise<void> => {
    if (!active) return;
    active = false;
    if (client.link.isClosed) {
      client.clearAddressNameCache(name);
      return;
    }
    await unregisterAddressName(client, name);
  };
  return {
    name,
    address: registered,
    get isRegistered() {
      return active;
    },
    unregister,
    [Symbol.asyncDispose]: unregister,
  };
}

/** Applies one announcement to the client's cache; returns it when valid. */
function applyAnnouncement(client: Client, data: unknown): { name: string; address: Id | undefined } | undefined {
  const announcement = tryCheck(Bodies.nameAnnouncement, data);
  if (!announcement) return undefined;
  const address = announcement.address ?? undefined;
  client.cacheAddressName(announcement.address_name, address);
  return { name: announcement.address_name, address };
}

/**
 * Waits until `name` is registered and returns its address — whether it is
 * registered before or after the wait begins: it subscribes to the
 * announcements first, then resolves, then waits for an announcement. Every
 * announcement seen on the way updates the client's cache. Bounded by
 * `options` (default 10 s; `timeout: Infinity` waits without a limit);
 * fails with `TimeoutError` / `AbortError` naming the name.
 */
export async function waitForAddressName(client: Client, name: string, options?: WaitOptions): Promise<Id> {
  validateAddressName(name);
  const cached = client.cachedAddressName(name);
  if (cached !== undefined) return cached;
  const deadline = new Deadline(options);
  const step = () => ({ signal: options?.signal, timeout: deadline.remaining() });
  const receiver = new BroadcastReceiver<unknown>(client, [ADDRESS_NAME_REGISTERED]);
  try {
    await receiver.start(step());
    const resolved = await resolveAddressName(client, name, step());
    if (resolved !== undefined) return resolved;
    for (;;) {
      const [, data] = await receiver.recv(step());
      const seen = applyAnnouncement(client, data);
      if (seen?.name === name && seen.address !== undefined) return seen.address;
    }
  } catch (err) {
    throw relabel(err, `address name ${JSON.stringify(name)} to be registered`, deadline.timeout);
  } finally {
    receiver.stop();
  }
}

/** Events of an {@link AddressNameTracker}. */
export interface AddressNameTrackerEvents {
  /** A name was registered (`address`) or removed (`undefined`); the cache already follows. */
  change: [name: string, address: Id | undefined];
}

/**
 * Keeps a client's name cache in step with discovery's announcements while
 * it runs (see {@link trackAddressNames}).
 */
export class AddressNameTracker implements AsyncDisposable {
  readonly events = new Emitter<AddressNameTrackerEvents>();
  private readonly receiver: BroadcastReceiver<unknown>;
  /** Resolves when the tracker has stopped (also when the client's link closed). */
  readonly done: Promise<void>;

  /** Trackers are made with {@link trackAddressNames}. */
  constructor(client: Client, receiver: BroadcastReceiver<unknown>) {
    this.receiver = receiver;
    this.done = (async () => {
      try {
        for await (const [, data] of receiver) {
          const seen = applyAnnouncement(client, data);
          if (seen) this.events.emit('change', seen.name, seen.address);
        }
      } catch (err) {
        // The link went: there is nothing left to follow, and the client's cache goes with it.
        if (!(err instanceof ConnectionClosedError)) throw err;
      }
    })();
  }

  get isRunning(): boolean {
    return this.receiver.isRunning;
  }

  /** Stops following; safe to call twice. */
  stop(): void {
    this.receiver.stop();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    this.stop();
    await this.done;
  }
}

/**
 * Follows discovery's name announcements: every registration updates the
 * client's cache and every removal drops the cached entry, so a stale
 * address is not used after its name was unregistered. `options` bound the
 * subscription.
 */
export async function trackAddressNames(client: Client, options?: WaitOptions): Promise<AddressNameTracker> {
  const receiver = new BroadcastReceiver<unknown>(client, [ADDRESS_NAME_REGISTERED]);
  await receiver.start(options);
  return new AddressNameTracker(client, receiver);
}
