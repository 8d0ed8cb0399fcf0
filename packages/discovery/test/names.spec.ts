import { AbortError, MessageType, TimeoutError, type Id } from '@streamtasks/link';
import { AddressNameNotFoundError, FetchError, InvalidEndpointError, NoAddressError, type Client } from '@streamtasks/client';
import {
  registerAddressName,
  registerAddressNameScoped,
  requestAddress,
  resolveAddressName,
  trackAddressNames,
  unregisterAddressName,
  waitForAddressName,
  type AddressNameTracker,
} from '@streamtasks/discovery';
import { createDiscoveryNetwork, type DiscoveryNetwork } from './network.js';
import { deferred, nextEvent } from '@streamtasks/testing';

describe('address names', () => {
  let net: DiscoveryNetwork;
  let a: Client;
  let b: Client;

  beforeEach(async () => {
    net = createDiscoveryNetwork();
    a = net.connect();
    b = net.connect();
    await requestAddress(a, { timeout: 2000 });
    await requestAddress(b, { timeout: 2000 });
  });

  afterEach(() => net.close());

  /** Resolves with the next cache change a tracker reports for `name`. */
  function nextChange(tracker: AddressNameTracker, name: string): Promise<Id | undefined> {
    const got = deferred<Id | undefined>();
    const off = tracker.events.on('change', (n, address) => {
      if (n !== name) return;
      off();
      got.resolve(address);
    });
    return got.promise;
  }

  test('a registered name resolves (and is cached); an unknown name resolves to undefined', async () => {
    await expect(registerAddressName(a, 'echo')).resolves.toBe(10_000);
    expect(a.cachedAddressName('echo')).toBe(10_000);
    await expect(resolveAddressName(b, 'echo', { timeout: 2000 })).resolves.toBe(10_000);
    expect(b.cachedAddressName('echo')).toBe(10_000);
    await expect(resolveAddressName(b, 'nobody', { timeout: 2000 })).resolves.toBeUndefined();
    expect(b.cachedAddressName('nobody')).toBeUndefined();
    expect(net.discovery.addressNames.get('echo')).toBe(10_000);
  });

  test('a name may be registered for another address', async () => {
    await registerAddressName(a, 'other', 12_345);
    await expect(resolveAddressName(b, 'other')).resolves.toBe(12_345);
  });

  test('clearing the cache makes the next resolution ask discovery again', async () => {
    await registerAddressName(a, 'echo');
    await resolveAddressName(b, 'echo');
    await registerAddressName(a, 'echo', 20_000);
    await expect(resolveAddressName(b, 'echo')).resolves.toBe(10_000); // cached
    b.clearAddressNameCache('echo');
    await expect(resolveAddressName(b, 'echo')).resolves.toBe(20_000);
  });

  test.each([['has:colon'], ['1starts-with-digit'], ['']])('the name %j is refused locally', async (name) => {
    await expect(registerAddressName(a, name)).rejects.toBeInstanceOf(InvalidEndpointError);
  });

  test.each([['has:colon'], ['9lives']])('discovery answers bad_request for the name %j', async (name) => {
    const failure = await a.fetch(0, 'register_address_name', { address_name: name, address: 10_000 }, { timeout: 2000 })
      .catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(FetchError);
    expect((failure as FetchError).fetchCode).toBe('bad_request');
    expect(net.discovery.addressNames.has(name)).toBe(false);
  });

  test('registering needs an address', async () => {
    const anonymous = net.connect();
    await expect(registerAddressName(anonymous, 'x')).rejects.toBeInstanceOf(NoAddressError);
  });

  test('waitForAddressName: a name registered before the wait', async () => {
    await registerAddressName(a, 'early');
    await expect(waitForAddressName(b, 'early', { timeout: 2000 })).resolves.toBe(10_000);
  });

  test('waitForAddressName: a name registered after the wait began', async () => {
    // The wait subscribes, then resolves (answer: nil), then waits: register once the resolve was answered.
    const resolveAnswered = deferred();
    const offReceiver = b.addReceiver((m) => {
      if (m.type !== MessageType.Addressed || m.port < 10_000) return;
      const body = (m.data.value as { body?: unknown }).body;
      if (typeof body === 'object' && body !== null && 'address' in body) resolveAnswered.resolve();
    });
    const waiting = waitForAddressName(b, 'late', { timeout: 2000 });
    await resolveAnswered.promise;
    offReceiver();
    await registerAddressName(a, 'late');
    await expect(waiting).resolves.toBe(10_000);
    expect(b.cachedAddressName('late')).toBe(10_000);
    expect(b.isInTopicRegistered(100_000)).toBe(false); // the broadcast subscription ended
  });

  test('waitForAddressName caches every registration it sees on the way', async () => {
    const waiting = waitForAddressName(b, 'target', { timeout: 2000 });
    const tracker = await trackAddressNames(a, { timeout: 2000 });
    const seen = nextChange(tracker, 'target');
    // The tracker's subscription proves the namespace topic exists; registrations now reach both.
    await registerAddressName(a, 'bystander', 30_000);
    await registerAddressName(a, 'target');
    await seen;
    await expect(waiting).resolves.toBe(10_000);
    expect(b.cachedAddressName('bystander')).toBe(30_000);
    tracker.stop();
  });

  test('waitForAddressName is bounded and names what it waited for', async () => {
    const failure = (await waitForAddressName(b, 'never', { timeout: 30 }).catch((e: unknown) => e)) as TimeoutError;
    expect(failure).toBeInstanceOf(TimeoutError);
    expect(failure.message).toContain('address name "never" to be registered');
    const controller = new AbortController();
    const waiting = waitForAddressName(b, 'never', { signal: controller.signal });
    controller.abort();
    const aborted = (await waiting.catch((e: unknown) => e)) as AbortError;
    expect(aborted).toBeInstanceOf(AbortError);
    expect(aborted.message).toContain('address name "never"');
  });

  test('Known fault 8: unregistering is announced: caches following the announcements drop the name', async () => {
    await registerAddressName(a, 'echo');
    await resolveAddressName(b, 'echo');
    const tracker = await trackAddressNames(b, { timeout: 2000 });
    const dropped = nextChange(tracker, 'echo');
    await unregisterAddressName(a, 'echo');
    expect(a.cachedAddressName('echo')).toBeUndefined();
    await expect(dropped).resolves.toBeUndefined();
    expect(b.cachedAddressName('echo')).toBeUndefined();
    await expect(resolveAddressName(b, 'echo')).resolves.toBeUndefined();
    expect(net.discovery.addressNames.has('echo')).toBe(false);
    await tracker[Symbol.asyncDispose]();
    expect(tracker.isRunning).toBe(false);
  });

  test('a tracker also follows new registrations', async () => {
    const tracker = await trackAddressNames(b, { timeout: 2000 });
    const added = nextChange(tracker, 'fresh');
    await registerAddressName(a, 'fresh');
    await expect(added).resolves.toBe(10_000);
    expect(b.cachedAddressName('fresh')).toBe(10_000);
    tracker.stop();
    await tracker.done;
  });

  test('a scoped registration is removed when disposed', async () => {
    const tracker = await trackAddressNames(b, { timeout: 2000 });
    const added = nextChange(tracker, 'scoped');
    let removed: Promise<Id | undefined> | undefined;
    {
      await using registration = await registerAddressNameScoped(a, 'scoped');
      expect(registration.address).toBe(10_000);
      expect(registration.isRegistered).toBe(true);
      await expect(added).resolves.toBe(10_000);
      removed = nextChange(tracker, 'scoped');
    }
    await expect(removed).resolves.toBeUndefined();
    expect(net.discovery.addressNames.has('scoped')).toBe(false);
    tracker.stop();
  });

  test('unregister of a scoped registration is idempotent', async () => {
    const registration = await registerAddressNameScoped(a, 'twice');
    await registration.unregister();
    await registration.unregister();
    expect(registration.isRegistered).toBe(false);
  });

  test('an unknown name as a fetch endpoint fails with AddressNameNotFoundError', async () => {
    const failure = await b.fetch('nobody', 'x', null, { timeout: 2000 }).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(AddressNameNotFoundError);
    expect(failure).toMatchObject({ code: 'ERR_ADDRESS_NAME_NOT_FOUND', addressName: 'nobody' });
  });

  test('a name is released and announced when the address holding it leaves the network', async () => {
    await registerAddressName(a, 'leaving');
    await expect(resolveAddressName(b, 'leaving')).resolves.toBe(10_000);
    const tracker = await trackAddressNames(b, { timeout: 2000 });
    const released = nextChange(tracker, 'leaving');
    a.close();
    await expect(released).resolves.toBeUndefined();
    expect(net.discovery.addressNames.has('leaving')).toBe(false);
    expect(b.cachedAddressName('leaving')).toBeUndefined();
    await expect(resolveAddressName(b, 'leaving')).resolves.toBeUndefined();
    tracker.stop();
  });

  test('a client drops cached names of an address the network withdraws, without following announcements', async () => {
    await registerAddressName(a, 'cached');
    await expect(resolveAddressName(b, 'cached')).resolves.toBe(10_000);
    const withdrawn = nextEvent<[]>((listener) => b.addReceiver((m) => {
      if (m.type === MessageType.AddressesChangedRecv && m.remove.some((p) => p.id === 10_000)) listener();
    }));
    a.close();
    await withdrawn;
    expect(b.cachedAddressName('cached')).toBeUndefined();
  });

  test('a name held by another reachable address is refused, unless replace is asked for', async () => {
    await registerAddressName(a, 'taken');
    const refused = await registerAddressName(b, 'taken').catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(FetchError);
    expect((refused as FetchError).fetchCode).toBe('bad_request');
    expect((refused as FetchError).message).toMatch(/held by address 10000/);
    expect(net.discovery.addressNames.get('taken')).toBe(10_000);
    expect(b.cachedAddressName('taken')).toBeUndefined();
    // An explicit replace takes it (the holder itself may always move its name).
    await expect(registerAddressName(b, 'taken', undefined, { replace: true })).resolves.toBe(10_001);
    expect(net.discovery.addressNames.get('taken')).toBe(10_001);
  });

  test('a name whose holder left may be taken by the next service', async () => {
    await registerAddressName(a, 'successor');
    const tracker = await trackAddressNames(b, { timeout: 2000 });
    const released = nextChange(tracker, 'successor');
    a.close();
    await released;
    await expect(registerAddressName(b, 'successor')).resolves.toBe(10_001);
    tracker.stop();
  });

  test('the announcement of a registration has the bytes of bodies.json', async () => {
    const tracker = await trackAddressNames(b, { timeout: 2000 });
    const raw = nextEvent<[unknown]>((listener) =>
      b.listenTopic(100_000, { data: (d) => listener(Buffer.from(d.bytes).toString('hex')) }));
    await registerAddressName(a, 'pyecho');
    await expect(raw).resolves.toEqual(['82ac616464726573735f6e616d65a670796563686fa761646472657373cd2710']);
    tracker.stop();
  });
});
