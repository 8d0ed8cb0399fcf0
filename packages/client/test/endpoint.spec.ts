// Endpoint forms and address-name rules (SPEC §5, §8).
import { InvalidEndpointError, formatEndpoint, parseEndpoint, validateAddressName } from '@streamtasks/client';

test('parses every endpoint form', () => {
  expect(parseEndpoint(10001, 100)).toEqual({ address: 10001, port: 100 });
  expect(parseEndpoint('echo', 100)).toEqual({ address: 'echo', port: 100 });
  expect(parseEndpoint('echo:200', 100)).toEqual({ address: 'echo', port: 200 });
  expect(parseEndpoint('10001:200', 100)).toEqual({ address: 10001, port: 200 });
  expect(parseEndpoint(['echo', 7], 100)).toEqual({ address: 'echo', port: 7 });
  expect(parseEndpoint([5n, 7], 100)).toEqual({ address: 5, port: 7 });
  expect(parseEndpoint('18446744073709551615:1', 100)).toEqual({ address: 18446744073709551615n, port: 1 });
  expect(formatEndpoint({ address: 'echo', port: 7 })).toBe('echo:7');
});

test('rejects invalid endpoints and names with a typed error', () => {
  for (const bad of ['1abc', 'a:b:c', '', 'x:-1', 'x:1.5', '18446744073709551616:1']) {
    expect(() => parseEndpoint(bad, 100)).toThrow(InvalidEndpointError);
  }
  expect(() => parseEndpoint(-1, 100)).toThrow(InvalidEndpointError);
  expect(() => validateAddressName('has:colon')).toThrow(/must not contain/);
  expect(() => validateAddressName('9lives')).toThrow(/must not start with a digit/);
  expect(validateAddressName('svc-1')).toBe('svc-1');
});
