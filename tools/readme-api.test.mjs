// tools/readme-api.mjs: the README API sections come from the doc comments.
import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { END, START, apiSummaries, withSection } from './readme-api.mjs';
import { publicPackages } from './package-files.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const byName = new Map(publicPackages(root).map((p) => [p.json.name, p]));

test('a section replaces the one between the markers and keeps the hand-written text around it', () => {
  const readme = `# x\n\nintro\n\n${START}\nold\n${END}\n\n## After\n`;
  assert.equal(withSection(readme, `${START}\nnew\n${END}`), `# x\n\nintro\n\n${START}\nnew\n${END}\n\n## After\n`);
  assert.equal(withSection('# x\n\nintro\n', `${START}\nnew\n${END}`), `# x\n\nintro\n\n${START}\nnew\n${END}\n`);
});

test('each export is listed with its kind and the first paragraph of its doc comment, {@link} resolved to its text', () => {
  const [main] = apiSummaries(byName.get('@streamtasks/connect'));
  const open = main.items.find((i) => i.name === 'openClient');
  assert.equal(open.kind, 'function');
  assert.match(open.summary, /^Connects to a node \(TypeScript or Python\)/);
  assert.doesNotMatch(open.summary, /\n|@example|\{@link/);
  const client = main.items.find((i) => i.name === 'ReconnectingClient');
  assert.equal(client.kind, 'class');
  // Every public entry gets its own list (transports has a browser entry).
  assert.deepEqual(apiSummaries(byName.get('@streamtasks/transports')).map((e) => e.spec), ['@streamtasks/transports', '@streamtasks/transports/browser']);
});
