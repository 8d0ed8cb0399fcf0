import { FetchError } from '@streamtasks/client';
import { FetchServer, InvalidResponseError, check, fetchAs } from '@streamtasks/fetch';
import { createNetwork } from '@streamtasks/testing';

describe('fetchAs', () => {
  test('types a valid answer and rejects an unexpected one with InvalidResponseError', async () => {
    const net = createNetwork();
    const server = new FetchServer(net.connect(1))
      .route('good', () => ({ topics: [1, 2] }))
      .route('bad', () => ({ topics: 'no' }))
      .route('err', () => {
        throw new Error('x');
      })
      .start();
    const client = net.connect(2);
    const Answer = check.object({ topics: check.array(check.id()) });
    await expect(fetchAs(client, 1, 'good', null, Answer, { timeout: 2000 })).resolves.toEqual({ topics: [1, 2] });
    const failure = await fetchAs(client, 1, 'bad', null, Answer, { timeout: 2000 }).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(InvalidResponseError);
    expect((failure as InvalidResponseError).message).toBe('unexpected answer to fetch "bad": answer.topics: expected an array');
    await expect(fetchAs(client, 1, 'err', null, Answer, { timeout: 2000 })).rejects.toBeInstanceOf(FetchError);
    server.stop();
    net.close();
  });
});
