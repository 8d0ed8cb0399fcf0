// The well-known numbers and names against those the Python package exports
// (bodies.json `constants`, recorded from it).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { AddressNames, DISCOVERY_ADDRESS, Ports, Topics } from '@streamtasks/client';

const constants = (JSON.parse(fs.readFileSync(path.resolve(__dirname, '../../../../shared/vectors/bodies.json'), 'utf8')) as {
  constants: Record<string, Record<string, number | string>>;
}).constants;

test('NetworkPorts → Ports', () => {
  expect(Ports).toEqual(constants['NetworkPorts']);
});

test('NetworkAddressNames → AddressNames', () => {
  expect(AddressNames).toEqual(constants['NetworkAddressNames']);
});

test('NetworkTopics and NetworkAddresses', () => {
  const { COUNTER_INIT: _topicCounter, ...topics } = constants['NetworkTopics']!;
  expect(Topics).toEqual(topics);
  expect(DISCOVERY_ADDRESS).toBe(constants['NetworkAddresses']!['ID_DISCOVERY']);
});
