// A request/response service, found by name.
//
//   npx tsx examples/fetch-service.ts
//
// A "calculator" client registers its name with discovery and serves two
// fetch routes; a second client calls them by name. Bodies are validated,
// and failures reach the caller as FetchError with a code.
import { openClient, startNode } from '@streamtasks/cli';
import { FetchError } from '@streamtasks/client';
import { registerAddressName } from '@streamtasks/discovery';
import { FetchRequestError, FetchServer, check } from '@streamtasks/fetch';

const node = await startNode({ core: true, serve: ['tcp://127.0.0.1:0'] });
const url = node.urls[0]!;

// The service: an address from discovery, a name, and routes on port 100.
const service = await openClient(url, { address: true, timeout: 5000 });
const pair = check.object({ a: check.integer(), b: check.integer() });
const server = new FetchServer(service)
  .route('add', { validate: pair }, ({ body }) => ({ sum: body.a + body.b }))
  .route('divide', { validate: pair }, ({ body }) => {
    if (body.b === 0) throw FetchRequestError.badRequest('division by zero');
    return { quotient: body.a / body.b };
  })
  .start();
await registerAddressName(service, 'calculator', undefined, { timeout: 5000 });

// The caller: needs an address of its own to receive answers.
const caller = await openClient(url, { address: true, timeout: 5000 });
try {
  console.log('add', await caller.fetch('calculator', 'add', { a: 2, b: 3 }, { timeout: 5000 }));
  console.log('divide', await caller.fetch('calculator', 'divide', { a: 1, b: 4 }, { timeout: 5000 }));
  for (const body of [{ a: 1, b: 0 }, { a: 'x', b: 1 }]) {
    try {
      await caller.fetch('calculator', 'divide', body, { timeout: 5000 });
    } catch (err) {
      if (!(err instanceof FetchError)) throw err;
      console.log(`divide ${JSON.stringify(body)} failed: ${err.fetchCode}: ${err.message}`);
    }
  }
  try {
    await caller.fetch('calculator', 'multiply', {}, { timeout: 5000 });
  } catch (err) {
    if (err instanceof FetchError) console.log(`multiply failed: ${err.fetchCode}: ${err.message}`);
  }
} finally {
  server.stop();
  caller.close();
  service.close();
  await node.close();
}
