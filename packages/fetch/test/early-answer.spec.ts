// Handlers that answer before they return (Python's FetchRequest.respond /
// respond_error), and validation errors thrown inside a handler.
import { FetchError, type Client } from '@streamtasks/client';
import { FetchServer, check } from '@streamtasks/fetch';
import { createNetwork, deferred, nextEvent } from '@streamtasks/testing';

const SERVER = 10_000;

let net: ReturnType<typeof createNetwork>;
let requester: Client;
let server: FetchServer;
beforeEach(() => {
  net = createNetwork();
  server = new FetchServer(net.connect(SERVER)).start();
  requester = net.connect(10_001);
});
afterEach(() => {
  server.stop();
  net.close();
});

const fetch = (descriptor: string, body: unknown = null) => requester.fetch(SERVER, descriptor, body, { timeout: 2000 });

test('respond() answers at once; the handler keeps working and its return value is not sent', async () => {
  const answerSeen = deferred();
  const finished = deferred<string>();
  server.route('job', async (request) => {
    expect(request.responded).toBe(false);
    request.respond({ accepted: request.body });
    expect(request.responded).toBe(true);
    // The follow-up work waits for the requester to have the answer: the answer did not wait for it.
    await answerSeen.promise;
    finished.resolve('done');
    return 'ignored';
  });
  await expect(fetch('job', 7)).resolves.toEqual({ accepted: 7 });
  answerSeen.resolve();
  await expect(finished.promise).resolves.toBe('done');
  // Nothing else arrives for that request: a second fetch is answered normally.
  server.route('plain', () => 'returned');
  await expect(fetch('plain')).resolves.toBe('returned');
});

test('respondError() answers with an error body, built-in or custom', async () => {
  server.route('builtin', (request) => request.respondError(['not_found', 'item 9']));
  server.route('custom', (request) => request.respondError({ reason: 'busy' }));
  await expect(fetch('builtin')).rejects.toMatchObject({ fetchCode: 'not_found', message: expect.stringContaining('item 9') });
  const custom = await fetch('custom').catch((err: unknown) => err);
  expect(custom).toBeInstanceOf(FetchError);
  expect(custom).toMatchObject({ fetchCode: 'custom', body: { reason: 'busy' } });
});

test('answering twice throws in the handler; a throw after answering is reported, not sent', async () => {
  const secondTry = deferred<unknown>();
  server.route('twice', async (request) => {
    request.respond(1);
    try {
      request.respond(2);
    } catch (err) {
      secondTry.resolve(err);
    }
    throw new Error('after the answer');
  });
  const reported = nextEvent<[unknown, string]>((l) => server.events.on('handler-error', l));
  await expect(fetch('twice')).resolves.toBe(1);
  expect(await secondTry.promise).toMatchObject({ message: expect.stringMatching(/answered already/) });
  const [error, descriptor] = await reported;
  expect(descriptor).toBe('twice');
  expect(error).toMatchObject({ message: 'after the answer' });
});

test('the return-value form is unchanged; returning nothing answers nil', async () => {
  server.route('value', ({ body }) => ({ got: body }));
  server.route('nothing', () => undefined);
  await expect(fetch('value', 'x')).resolves.toEqual({ got: 'x' });
  await expect(fetch('nothing')).resolves.toBeNull();
});

test('a validation error thrown inside a handler answers bad_request, as pydantic errors do in Python', async () => {
  const Body = check.object({ count: check.integer() });
  server.route('count', ({ body }) => Body(body, 'body').count + 1);
  await expect(fetch('count', { count: 1 })).resolves.toBe(2);
  const error = await fetch('count', { count: 'many' }).catch((err: unknown) => err);
  expect(error).toBeInstanceOf(FetchError);
  expect(error).toMatchObject({ fetchCode: 'bad_request' });
  expect((error as Error).message).toMatch(/body\.count/);
  // Other errors stay general.
  server.route('broken', () => {
    throw new TypeError('oops');
  });
  await expect(fetch('broken')).rejects.toMatchObject({ fetchCode: 'general', message: expect.stringContaining('oops') });
});
