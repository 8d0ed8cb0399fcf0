// Address names: the client's cache of them, and the pluggable resolver that
// looks up the names the cache does not hold. The client knows no service
// that keeps names; `@streamtasks/discovery` provides the resolver that asks
// the discovery service.
import { toId, type Id, type WaitOptions } from '@streamtasks/link';
import type { Client } from './client.js';
import { validateAddressName } from './endpoint.js';
import { AddressNameNotFoundError, NoNameResolverError } from './errors.js';

/**
 * Looks address names up for a client (installed with `ClientOptions.nameResolver`
 * or `client.nameResolver = …`). `@streamtasks/discovery` exports one that asks
 * the discovery service (`discoveryNames`).
 */
export interface NameResolver {
  /**
   * The address registered for `name`, or `undefined` when no one has
   * registered it. Bounded by `options`; the client caches what it returns.
   */
  resolve(client: Client, name: string, options: WaitOptions): Promise<Id | undefined>;
}

/** A client's address names: the cache, in front of the resolver. */
export class AddressNameCache {
  resolver: NameResolver | undefined;
  private readonly names = new Map<string, Id>();

  constructor(resolver: NameResolver | undefined) {
    this.resolver = resolver;
  }

  get(name: string): Id | undefined {
    return this.names.get(name);
  }

  /** Records (or with `undefined`, forgets) a name's address. */
  set(name: string, address: Id | undefined): void {
    if (address === undefined) this.names.delete(name);
    else this.names.set(name, toId(address));
  }

  /** Forgets one name, or all of them. */
  clear(name?: string): void {
    if (name === undefined) this.names.clear();
    else this.names.delete(name);
  }

  /** Drops the names of an address the network withdrew: their holder is gone. */
  forgetAddress(address: Id): void {
    for (const [name, holder] of this.names) if (holder === address) this.names.delete(name);
  }

  /** The cached address, else the resolver's answer (cached); throws {@link NoNameResolverError} without a resolver. */
  async resolve(client: Client, name: string, options: WaitOptions): Promise<Id | undefined> {
    validateAddressName(name);
    const cached = this.names.get(name);
    if (cached !== undefined) return cached;
    if (!this.resolver) throw new NoNameResolverError(name);
    const resolved = await this.resolver.resolve(client, name, options);
    if (resolved === undefined) return undefined;
    const id = toId(resolved);
    this.names.set(name, id);
    return id;
  }

  /** Like {@link AddressNameCache.resolve}, but a name no one registered is an {@link AddressNameNotFoundError}. */
  async resolveOrThrow(client: Client, name: string, options: WaitOptions): Promise<Id> {
    const address = await this.resolve(client, name, options);
    if (address === undefined) throw new AddressNameNotFoundError(name);
    return address;
  }
}
