// The layer table of the workspace, in one place. Each package carries the Nx
// tag `scope:<name>` (package.json → "nx": { "tags": [...] }) and may depend on
// (and import) only the packages whose tags are listed for its own tag.
//
// Read by eslint.config.mjs (`@nx/enforce-module-boundaries`, which checks
// imports) and by tools/check-deps.mjs (which checks package.json
// dependencies). Change the layering here and nowhere else.

/** @type {Readonly<Record<string, readonly string[]>>} */
export const layers = {
  'scope:link': [],
  'scope:client': ['scope:link'],
  // Shared test helpers (private): their users list them in devDependencies,
  // and check-deps keeps them out of every package's sources.
  'scope:testing': ['scope:client', 'scope:link'],
  'scope:topic': ['scope:client', 'scope:link', 'scope:testing'],
  'scope:fetch': ['scope:client', 'scope:link', 'scope:testing'],
  'scope:signal': ['scope:client', 'scope:link', 'scope:testing'],
  'scope:broadcast': ['scope:fetch', 'scope:client', 'scope:link', 'scope:testing'],
  'scope:discovery': ['scope:broadcast', 'scope:fetch', 'scope:signal', 'scope:client', 'scope:link', 'scope:testing'],
  'scope:transports': ['scope:link'],
  'scope:nats': ['scope:link', 'scope:testing'],
  // Clients for programs that are not nodes: openClient, reconnecting.
  'scope:connect': ['scope:discovery', 'scope:client', 'scope:transports', 'scope:link', 'scope:testing'],
  // Node monitoring (HTTP JSON, Prometheus, dashboard): reads every layer it shows.
  'scope:monitoring': [
    'scope:discovery', 'scope:broadcast', 'scope:signal', 'scope:fetch',
    'scope:topic', 'scope:client', 'scope:transports', 'scope:link', 'scope:testing',
  ],
  'scope:cli': [
    'scope:connect', 'scope:monitoring', 'scope:discovery', 'scope:broadcast', 'scope:signal', 'scope:fetch',
    'scope:topic', 'scope:client', 'scope:transports', 'scope:nats', 'scope:link', 'scope:testing',
  ],
  // Cross-package scenarios (private, never published) may use everything.
  'scope:e2e': [
    'scope:cli', 'scope:connect', 'scope:monitoring', 'scope:discovery', 'scope:broadcast', 'scope:signal', 'scope:fetch',
    'scope:topic', 'scope:client', 'scope:transports', 'scope:nats', 'scope:link', 'scope:testing',
  ],
};
