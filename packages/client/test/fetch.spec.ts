// The request side of fetch against a stand-in responder written with the
// client's own port API: success, error body mapping, timeout, abort, a late
// answer ignored, names resolved through a stand-in resolver, and stop()
// ending every wait.
import { AbortError, TimeoutError, RawData, type AddressedMessage } from '@streamtasks/link';
import { ClientStoppedError, DEFAULT_FETCH_TIMEOUT, FetchError, InvalidEndpointError, InvalidResponseError, LimitExceededError, NoAddressError, NoNameResolverError, NoRouteError, Ports } from '@streamtasks/client';
import { parseFetchRequest, type FetchRequest } from '@streamtasks/client/internal';
import { network, until } from './helpers.js';

import type { Client } from '@streamtasks/client';

type Reply = (request: FetchRequest) => { body: unknown; error: boolean } | undefined | Promise<undefined>;

/** Answers fetch requests on port 100 of `client` with `reply`. */
function responder(client: Client, reply: Reply): FetchRequest[] {
  const seen: FetchRequest[] = [];
  client.listenPort(Ports.FETCH, (message: AddressedMessage) => {
    const request = parseFetchRequest(message.data.value)!;
    seen.push(request);
    const answer = reply(request);
    if (answer && !(answer instanceof Promise)) client.sendToAddress(request.returnAddress, request.returnPort, answer);
  });
  return seen;
}

describe('fetch', () => {
  let net: ReturnType<typeof network>;
  let server: Client;
  let caller: Client;
  beforeEach(async () => {
    net = network(true);
    server = net.client();
    caller = net.client();
    server.setAddress(20_000);
    caller.setAddress(20_001);
  });
  afterEach(() => net.close());

  test('returns the answer body; request carries return address and a fresh port', async () => {
    const seen = responder(server, (r) => ({ body: { echo: r.body }, error: false }));
    await expect(caller.fetch(20_000, 'echo', { n: 1n << 60n }, { timeout: 2000 })).resolves.toEqual({ echo: { n: 1n << 60n } });
    await expect(caller.fetch([20_000, 100], 'echo', 2, { timeout: 2000 })).resolves.toEqual({ echo: 2 });
    expect(seen.map((r) => [r.returnAddress, r.descriptor])).toEqual([[20_001, 'echo'], [20_001, 'echo']]);
    expect(seen[0]!.returnPort).not.toBe(seen[1]!.returnPort);
  });

  test('a nil answer resolves to null', async () => {
    responder(server, () => ({ body: null, error: false }));
    await expect(caller.fetch(20_000, 'noresponse', 1, { timeout: 2000 })).resolves.toBeNull();
  });

  test.each([
    ['bad_request', 'invalid body'],
    ['not_found', '99'],
    ['general', 'boom'],
  ] as const)('an error answer [%s] becomes a FetchError', async (code, message) => {
    responder(server, () => ({ body: [code, message], error: true }));
    const err = await caller.fetch(20_000, 'x', null, { timeout: 2000 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FetchError);
    expect(err).toMatchObject({ code: 'ERR_FETCH', fetchCode: code, message, body: [code, message] });
  });

  test('a custom error body is kept', async () => {
    responder(server, () => ({ body: { code: 42 }, error: true }));
    const err = await caller.fetch(20_000, 'x', null, { timeout: 2000 }).catch((e: unknown) => e);
    expect(err).toMatchObject({ fetchCode: 'custom', body: { code: 42 } });
  });

  test('Known fault 6: times out with a TimeoutError naming the request; a late answer is ignored', async () => {
    const pending: FetchRequest[] = [];
    responder(server, (r) => {
      pending.push(r);
      return undefined;
    });
    const err = await caller.fetch(20_000, 'slow', null, { timeout: 50 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TimeoutError);
    expect((err as TimeoutError).message).toMatch(/fetch "slow" from 20000:100/);

    // The late answer arrives while the next fetch waits: it must not be taken for it.
    const next = caller.fetch(20_000, 'second', null, { timeout: 2000 });
    await new Promise<void>((resolve) => {
      const check = () => (pending.length === 2 ? resolve() : setImmediate(check));
      check();
    });
    server.sendToAddress(pending[0]!.returnAddress, pending[0]!.returnPort, { body: 'late', error: false });
    server.sendToAddress(pending[1]!.returnAddress, pending[1]!.returnPort, { body: 'right', error: false });
    await expect(next).resolves.toBe('right');
  });

  test('a fetch that waits while hundreds of later ones come and go still gets its answer, and each of those its own', async () => {
    const held: FetchRequest[] = [];
    responder(server, (r) => {
      if (r.descriptor === 'held') {
        held.push(r);
        return undefined;
      }
      return { body: r.body, error: false };
    });
    const first = caller.fetch(20_000, 'held', null, { timeout: 5000 });
    // More calls than the slots of the table of waiting fetches: some return ports share a slot with the held one.
    for (let i = 0; i < 600; i++) await expect(caller.fetch(20_000, 'echo', i, { timeout: 2000 })).resolves.toBe(i);
    const second = caller.fetch(20_000, 'held', null, { timeout: 5000 });
    await new Promise<void>((resolve) => {
      const check = () => (held.length === 2 ? resolve() : setImmediate(check));
      check();
    });
    server.sendToAddress(held[1]!.returnAddress, held[1]!.returnPort, { body: 'second', error: false });
    server.sendToAddress(held[0]!.returnAddress, held[0]!.returnPort, { body: 'first', error: false });
    await expect(first).resolves.toBe('first');
    await expect(second).resolves.toBe('second');
  });

  test('an address number that is no id is an invalid endpoint; a timeout names the endpoint as given', async () => {
    for (const bad of [-1, 1.5, Number.NaN]) await expect(caller.fetch(bad, 'x', null)).rejects.toBeInstanceOf(InvalidEndpointError);
    responder(server, () => undefined);
    const err = await caller.fetch([20_000, 100], 'slow', null, { timeout: 20 }).catch((e: unknown) => e);
    expect((err as TimeoutError).message).toMatch(/fetch "slow" from 20000:100/);
  });

  test('Known fault 6: a fetch to an address nobody has fails with a TimeoutError that names it', async () => {
    const err = await caller.fetch(99_999, 'lost', null, { timeout: 30 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TimeoutError);
    expect((err as TimeoutError).message).toMatch(/fetch "lost" from 99999:100/);
  });

  test('without a timeout of its own, a fetch is bounded by the client\'s fetchTimeout (default 10 s)', async () => {
    const impatient = net.client({ fetchTimeout: 30 });
    impatient.setAddress(20_003);
    responder(server, () => undefined);
    const started = Date.now();
    await expect(impatient.fetch(20_000, 'slow', null)).rejects.toBeInstanceOf(TimeoutError);
    expect(Date.now() - started).toBeLessThan(5000);
    expect(DEFAULT_FETCH_TIMEOUT).toBe(10_000);
  });

  test('Known fault 6: aborts with an AbortError, before and during the wait', async () => {
    responder(server, () => undefined);
    const early = new AbortController();
    early.abort();
    await expect(caller.fetch(20_000, 'x', null, { signal: early.signal })).rejects.toBeInstanceOf(AbortError);
    const ctrl = new AbortController();
    const waiting = caller.fetch(20_000, 'x', null, { signal: ctrl.signal, timeout: 5000 });
    ctrl.abort();
    await expect(waiting).rejects.toBeInstanceOf(AbortError);
  });

  test('an undecodable answer is reported and skipped', async () => {
    const errors: Error[] = [];
    caller.events.on('error', (e) => errors.push(e));
    server.listenPort(Ports.FETCH, (m) => {
      const r = parseFetchRequest(m.data.value)!;
      server.sendToAddress(r.returnAddress, r.returnPort, RawData.fromBytes(Uint8Array.of(0xc1)));
      server.sendToAddress(r.returnAddress, r.returnPort, { body: 'ok', error: false });
    });
    await expect(caller.fetch(20_000, 'x', null, { timeout: 2000 })).resolves.toBe('ok');
    expect(errors[0]?.name).toBe('DecodeError');
  });

  test('needs an address, a running client, and respects maxPendingFetches', async () => {
    const anonymous = net.client();
    await expect(anonymous.fetch(20_000, 'x', null, { timeout: 100 })).rejects.toBeInstanceOf(NoAddressError);
    const limited = net.client({ maxPendingFetches: 1 });
    limited.setAddress(20_002);
    responder(server, () => undefined);
    const first = limited.fetch(20_000, 'x', null, { timeout: 5000 });
    await expect(limited.fetch(20_000, 'y', null)).rejects.toBeInstanceOf(LimitExceededError);
    limited.stop();
    await expect(first).rejects.toBeInstanceOf(ClientStoppedError);
    await expect(limited.fetch(20_000, 'x', null)).rejects.toBeInstanceOf(ClientStoppedError);
  });

  test('names resolve through the installed resolver (a stand-in discovery at address 0) and are cached', async () => {
    caller.nameResolver = {
      async resolve(client, name, options) {
        const answer = await client.fetch(0, 'resolve_address_name', { address_name: name }, options) as { address: number | null };
        return answer.address ?? undefined;
      },
    };
    const discovery = net.client();
    discovery.setAddress(0);
    const lookups = responder(discovery, (r) => ({
      body: { address: (r.body as { address_name: string }).address_name === 'echo' ? 20_000 : null },
      error: false,
    }));
    responder(server, (r) => ({ body: r.body, error: false }));
    await until(caller, () => caller.link.addresses.has(0));
    await expect(caller.fetch('echo', 'echo', 'hi', { timeout: 2000 })).resolves.toBe('hi');
    await expect(caller.fetch('echo:100', 'echo', 'again', { timeout: 2000 })).resolves.toBe('again');
    expect(lookups).toHaveLength(1);
    expect(lookups[0]).toMatchObject({ descriptor: 'resolve_address_name', body: { address_name: 'echo' } });
    expect(caller.cachedAddressName('echo')).toBe(20_000);
    await expect(caller.resolveAddressName('nobody', { timeout: 2000 })).resolves.toBeUndefined();
    const err = await caller.fetch('nobody', 'x', null, { timeout: 2000 }).catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'AddressNameNotFoundError', code: 'ERR_ADDRESS_NAME_NOT_FOUND', addressName: 'nobody' });
    caller.clearAddressNameCache('echo');
    expect(caller.cachedAddressName('echo')).toBeUndefined();
  });

  test('without a resolver, names resolve from the cache only, and a missing one says so', async () => {
    responder(server, (r) => ({ body: r.body, error: false }));
    expect(caller.nameResolver).toBeUndefined();
    const err = await caller.fetch('echo', 'echo', 'hi', { timeout: 2000 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NoNameResolverError);
    expect(err).toMatchObject({ name: 'NoNameResolverError', code: 'ERR_NO_NAME_RESOLVER', addressName: 'echo' });
    await expect(caller.resolveAddressName('echo')).rejects.toBeInstanceOf(NoNameResolverError);
    caller.cacheAddressName('echo', 20_000);
    await expect(caller.fetch('echo', 'echo', 'hi', { timeout: 2000 })).resolves.toBe('hi');
  });

  test('the request payload is byte-identical to what a Python client sends', async () => {
    // The vector: a client at 10000 asks discovery (0:100) for one topic, answer port 10000.
    const fresh = net.client();
    fresh.setAddress(10_000);
    const discovery = net.client();
    discovery.setAddress(0);
    const raw: string[] = [];
    discovery.listenPort(Ports.FETCH, (m) => {
      raw.push(Buffer.from(m.data.bytes).toString('hex'));
      const r = parseFetchRequest(m.data.value)!;
      discovery.sendToAddress(r.returnAddress, r.returnPort, { body: { topics: [100000] }, error: false });
    });
    await until(fresh, () => fresh.link.addresses.has(0));
    await expect(fresh.fetch(0, 'request_topics', { count: 1 }, { timeout: 2000 })).resolves.toEqual({ topics: [100000] });
    expect(raw).toEqual([
      '84ae72657475726e5f61646472657373cd2710ab72657475726e5f706f7274cd2710aa64657363726970746f72ae726571756573745f746f70696373a4626f647981a5636f756e7401',
    ]);
  });
});

describe('no route', () => {
  test('fails with NoRouteError after the grace period; an address announced meanwhile is used', async () => {
    const net = network(true);
    try {
      const caller = net.client({ routeGrace: 50 });
      caller.setAddress(20_001);
      await expect(caller.fetch(20_000, 'x', null, { timeout: 60_000 })).rejects.toMatchObject({ name: 'NoRouteError', address: 20_000 });
      await expect(caller.sendTo([20_000, 103], null, { timeout: 60_000 })).rejects.toBeInstanceOf(NoRouteError);

      const patient = net.client({ routeGrace: 60_000 });
      patient.setAddress(20_002);
      const server = net.client();
      responder(server, (r) => ({ body: r.body, error: false }));
      const answer = patient.fetch(20_000, 'echo', 'late', { timeout: 60_000 });
      server.setAddress(20_000);
      await expect(answer).resolves.toBe('late');
    } finally {
      net.close();
    }
  });

  test('a timeout shorter than the grace period is a TimeoutError; a stop ends the wait', async () => {
    const net = network(true);
    try {
      const caller = net.client({ routeGrace: 60_000 });
      caller.setAddress(20_001);
      await expect(caller.fetch(20_000, 'x', null, { timeout: 20 })).rejects.toBeInstanceOf(TimeoutError);
      const waiting = caller.fetch(20_000, 'x', null, { timeout: 60_000 });
      caller.stop();
      await expect(waiting).rejects.toBeInstanceOf(ClientStoppedError);
      await expect(caller.sendTo([20_000, 103], null)).rejects.toBeInstanceOf(NoRouteError); // stopped: nothing can be announced
    } finally {
      net.close();
    }
  });
});

describe('checked answers', () => {
  test('validate types the answer; one that does not pass rejects with InvalidResponseError', async () => {
    const net = network(true);
    try {
      const server = net.client();
      server.setAddress(20_000);
      const caller = net.client();
      caller.setAddress(20_001);
      responder(server, (r) => ({ body: r.body, error: false }));
      const isCount = (value: unknown, path = 'answer'): { count: number } => {
        if (typeof (value as { count?: unknown } | null)?.count !== 'number') throw new Error(`${path}: expected a count`);
        return value as { count: number };
      };
      await expect(caller.fetch(20_000, 'echo', { count: 3 }, { timeout: 2000, validate: isCount })).resolves.toEqual({ count: 3 });
      const fetchCount = caller.fetchAs(isCount);
      await expect(fetchCount(20_000, 'echo', { count: 4 }, { timeout: 2000 })).resolves.toEqual({ count: 4 });
      const err = await fetchCount(20_000, 'echo', 'no count', { timeout: 2000 }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(InvalidResponseError);
      expect(err).toMatchObject({ code: 'ERR_INVALID_RESPONSE', message: 'unexpected answer to fetch "echo": answer: expected a count' });
    } finally {
      net.close();
    }
  });
});
