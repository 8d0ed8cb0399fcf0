import { ValidationError, check, type Infer } from '@streamtasks/fetch';

describe('check', () => {
  const Body = check.object({
    count: check.integer({ min: 1, max: 10 }),
    name: check.optional(check.string()),
    address: check.nullable(check.id()),
    flags: check.array(check.boolean(), { maxLength: 2 }),
    extra: check.unknown(),
  });

  test('returns the checked value typed; unknown keys are ignored', () => {
    const value: Infer<typeof Body> = Body({ count: 2, address: 2n ** 64n - 1n, flags: [true], extra: [1], other: 'x' });
    expect(value).toEqual({ count: 2, name: undefined, address: 2n ** 64n - 1n, flags: [true], extra: [1] });
  });

  test('integer messages name the range that was asked for', () => {
    expect(() => check.integer()('x')).toThrow('body: expected an integer');
    expect(() => check.integer({ min: 1 })(0)).toThrow('body: expected an integer >= 1');
    expect(() => check.integer({ max: 9 })(10)).toThrow('body: expected an integer <= 9');
    expect(() => check.integer({ min: 1, max: 9 })(1.5)).toThrow('body: expected an integer from 1 to 9');
  });

  test('ids come back canonical: a small bigint becomes a number', () => {
    expect(check.id()(5n)).toBe(5);
    expect(() => check.id()(-1)).toThrow(ValidationError);
    expect(() => check.id()(2n ** 64n)).toThrow(ValidationError);
    expect(() => check.id()(1.5)).toThrow(ValidationError);
  });

  test.each([
    [{ count: 0, address: null, flags: [] }, 'body.count'],
    [{ count: 1, address: 'x', flags: [] }, 'body.address'],
    [{ count: 1, address: null, flags: [1] }, 'body.flags[0]'],
    [{ count: 1, address: null, flags: [true, true, true] }, 'body.flags'],
    [{ count: 1, name: 3, address: null, flags: [] }, 'body.name'],
    [[1], 'body'],
    [new Uint8Array(1), 'body'],
  ])('%j fails at %s', (value, path) => {
    try {
      Body(value);
      throw new Error('no failure');
    } catch (err) {
      expect(err).toBeInstanceOf(ValidationError);
      expect((err as ValidationError).path).toBe(path);
      expect((err as ValidationError).code).toBe('ERR_VALIDATION');
    }
  });

  test('record checks every value and keeps a __proto__ key an ordinary key', () => {
    const parsed = JSON.parse('{"a": 1, "__proto__": 2}') as unknown;
    const out = check.record(check.integer())(parsed);
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(Object.keys(out)).toEqual(['a', '__proto__']);
    expect(() => check.record(check.integer())({ a: 'x' })).toThrow('body.a: expected an integer');
  });
});
