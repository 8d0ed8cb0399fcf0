// The descriptor route registry shared by the fetch and signal servers.
import { RouteStats } from '@streamtasks/client';
import { DescriptorRoutes } from '@streamtasks/client/internal';

test('routes take a handler with or without options; a missing handler is a TypeError', () => {
  const routes = new DescriptorRoutes<(body: unknown) => unknown>();
  const plain = (b: unknown) => b;
  const check = (v: unknown) => Number(v);
  routes.set('a', plain);
  routes.set('b', { validate: check }, plain);
  expect(routes.get('a')).toMatchObject({ handler: plain, validate: undefined });
  expect(routes.get('b')).toMatchObject({ handler: plain, validate: check });
  expect(() => routes.set('c', { validate: check })).toThrow(TypeError);
  expect(routes.delete('a')).toBe(true);
  expect(routes.get('a')).toBeUndefined();
});

test('each route keeps its stats, also when its handler is replaced', () => {
  const routes = new DescriptorRoutes<() => void>();
  routes.set('a', () => {});
  const stats = routes.get('a')!.stats;
  expect(stats).toBeInstanceOf(RouteStats);
  stats.record(performance.now());
  stats.record(performance.now(), new Error('boom'));
  routes.set('a', () => {});
  expect(routes.get('a')!.stats).toBe(stats);
  expect(routes.stats().get('a')).toMatchObject({ requests: 2, errors: 1, lastError: 'boom' });
  expect(stats.averageProcessingTime).toBeGreaterThanOrEqual(0);
  expect(new RouteStats().averageProcessingTime).toBe(0);
});
