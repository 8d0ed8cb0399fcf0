// The command line's JSON keeps 64-bit integers and bytes exact both ways.
import { parseJson, toJson } from '../src/json.js';

test('big integers survive a round trip', () => {
  const v = parseJson('{"id": 18446744073709551615, "n": -9223372036854775808, "small": 42, "f": 1.5, "s": "123456789012345678901"}');
  expect(v).toEqual({ id: 18446744073709551615n, n: -9223372036854775808n, small: 42, f: 1.5, s: '123456789012345678901' });
  expect(toJson(v)).toBe('{"id":18446744073709551615,"n":-9223372036854775808,"small":42,"f":1.5,"s":"123456789012345678901"}');
});

test('bytes use the $bin form', () => {
  const v = parseJson('{"b": {"$bin": "00ff"}}') as { b: Uint8Array };
  expect(v.b).toEqual(Uint8Array.of(0, 255));
  expect(toJson(v)).toBe('{"b":{"$bin":"00ff"}}');
});

test('strings with escaped quotes and digits are left alone', () => {
  expect(parseJson('["a\\"12345678901234567890", 1e400]')).toEqual(['a"12345678901234567890', Infinity]);
  expect(toJson(new Map<unknown, unknown>([[1, 'x']]))).toBe('{"1":"x"}');
});
