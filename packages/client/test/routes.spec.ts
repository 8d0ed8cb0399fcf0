// The descriptor route registry shared by the fetch and signal servers.
import { DescriptorRoutes } from '@streamtasks/client/internal';

test('routes take a handler with or without options; a missing handler is a TypeError', () => {
  const routes = new DescriptorRoutes<(body: unknown) => unknown>();
  const plain = (b: unknown) => b;
  const check = (v: unknown) => Number(v);
  routes.set('a', plain);
  routes.set('b', { validate: check }, plain);
  expect(routes.get('a')).toEqual({ handler: plain, validate: undefined });
  expect(routes.get('b')).toEqual({ handler: plain, validate: check });
  expect(() => routes.set('c', { validate: check })).toThrow(TypeError);
  expect(routes.delete('a')).toBe(true);
  expect(routes.get('a')).toBeUndefined();
});
