import { DEFAULT_COSTS, InvalidUrlError, formatUrl, parseUrl } from '@streamtasks/transports';
import { loadVectors, type HandshakeVectors } from './vectors.js';

const vectors = loadVectors<HandshakeVectors>('handshake.json');

const SCHEME_OF_CLASS: Record<string, string[]> = {
  TCPConnectionData: ['tcp'],
  UnixConnectionData: ['unix'],
  WebsocketConnectionData: ['ws', 'wss'],
};

describe('parseUrl', () => {
  test.each(vectors.url_parsing)('$url (reference vector)', ({ url, class: cls, cost, handshake_data }) => {
    const parsed = parseUrl(url);
    expect(SCHEME_OF_CLASS[cls]).toContain(parsed.scheme);
    expect(parsed.cost).toBe(cost);
    // Same entries in the same order as the Python reference.
    expect([...parsed.handshakeData]).toEqual(Object.entries(handshake_data));
  });

  test('client_hello URL', () => {
    const parsed = parseUrl(vectors.client_hello.url);
    const { version: _version, ...data } = vectors.client_hello.decoded;
    expect([...parsed.handshakeData]).toEqual(Object.entries(data));
    expect(parsed).toMatchObject({ scheme: 'tcp', host: '127.0.0.1', port: 9, cost: 5 });
  });

  test('default costs are the reference ones', () => {
    expect(DEFAULT_COSTS).toEqual(vectors.default_costs);
    expect(parseUrl('tcp://h:1').cost).toBe(DEFAULT_COSTS.TCP);
    expect(parseUrl('unix:///tmp/a.sock').cost).toBe(DEFAULT_COSTS.UNIX);
    expect(parseUrl('ws://h').cost).toBe(DEFAULT_COSTS.WEBSOCKET);
    expect(parseUrl('wss://h').cost).toBe(DEFAULT_COSTS.WEBSOCKET);
  });

  test('cost must be all digits and non-zero, else the default applies', () => {
    expect(parseUrl('tcp://h:1?cost=0').cost).toBe(100);
    expect(parseUrl('tcp://h:1?cost=-3').cost).toBe(100);
    expect(parseUrl('tcp://h:1?cost=2.5').cost).toBe(100);
    expect(parseUrl('tcp://h:1?cost=7&cost=8').cost).toBe(100);
    expect(parseUrl('tcp://h:1?cost=007').cost).toBe(7);
    expect(() => parseUrl('tcp://h:1?cost=99999999999')).toThrow(InvalidUrlError);
  });

  test('query parsing follows parse_qs: decoding, blanks and repeats', () => {
    const parsed = parseUrl('tcp://h:1?a=x%20y&b=1+2&empty=&flag&c=%zz&a2=&d=1&d=2&e=%E2%82%AC');
    expect(Object.fromEntries(parsed.handshakeData)).toEqual({ a: 'x y', b: '1 2', c: '%zz', e: '€' });
  });

  test('user info is taken as written; a later query parameter overrides it in place', () => {
    expect([...parseUrl('tcp://us%40er:p:w@h:1').handshakeData]).toEqual([
      ['username', 'us%40er'],
      ['password', 'p:w'],
    ]);
    expect([...parseUrl('tcp://:@h:1').handshakeData]).toEqual([
      ['username', ''],
      ['password', ''],
    ]);
    expect([...parseUrl('tcp://u@h:1?username=v').handshakeData]).toEqual([['username', 'v']]);
  });

  test('hosts, ports and paths', () => {
    expect(parseUrl('tcp://[::1]:5000')).toMatchObject({ host: '::1', port: 5000 });
    expect(parseUrl('tcp://LocalHost:5')).toMatchObject({ host: 'localhost', port: 5 });
    expect(parseUrl('unix:///run/x.sock?auth=a')).toMatchObject({ host: '', path: '/run/x.sock', port: undefined });
    expect(parseUrl('ws://h:8080/net/path?x=1')).toMatchObject({ host: 'h', port: 8080, path: '/net/path', query: 'x=1' });
    expect(parseUrl('wss://h')).toMatchObject({ port: undefined, path: '/' });
    expect(parseUrl('TCP://h:1').scheme).toBe('tcp');
  });

  test('display hides credentials and the query', () => {
    expect(parseUrl('tcp://user:secret@h:1?auth=x').display).toBe('tcp://h:1');
  });

  test.each([
    ['http://h:1', /unknown scheme/],
    ['tcp://h', /port is missing/],
    ['tcp://:5', /host is missing/],
    ['tcp://h:70000', /port/],
    ['tcp://h:abc', /port/],
    ['unix://', /path is missing/],
    ['unix://host/x.sock', /empty host/],
    ['not a url', /scheme/],
  ])('rejects %s', (url, message) => {
    expect(() => parseUrl(url)).toThrow(message);
    try {
      parseUrl(url);
    } catch (err) {
      expect(err).toBeInstanceOf(InvalidUrlError);
      expect((err as InvalidUrlError).code).toBe('ERR_INVALID_URL');
    }
  });

  test('errors never repeat credentials', () => {
    expect(() => parseUrl('http://user:secret@h')).toThrow(/\*\*\*@h/);
    expect(() => parseUrl('http://user:secret@h')).not.toThrow(/secret/);
  });

  test('formatUrl', () => {
    expect(formatUrl('tcp', '127.0.0.1', 80, '/')).toBe('tcp://127.0.0.1:80');
    expect(formatUrl('tcp', '::1', 80, '/')).toBe('tcp://[::1]:80');
    expect(formatUrl('ws', 'h', 1, '/p')).toBe('ws://h:1/p');
    expect(formatUrl('unix', '', undefined, '/tmp/s')).toBe('unix:///tmp/s');
  });
});
