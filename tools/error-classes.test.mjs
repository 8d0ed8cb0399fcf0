// Every error class of the published packages keeps its `name`, its `code`
// and `instanceof` after the packages are bundled and minified (esbuild with
// `minify: true`, as an application's bundler does): the names are string
// literals, never a constructor's name, which the minifier renames. Runs on
// the built packages (after `npm run build`).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as esbuild from 'esbuild';
import { entrySpecifiers, publicPackages } from './package-files.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const specs = publicPackages(root).flatMap((p) => entrySpecifiers(p.json));

/** Bundles every entry into one minified module that re-exports each entry as a namespace. */
async function minifiedBundle(t) {
  const dir = mkdtempSync(path.join(tmpdir(), 'error-classes-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const names = specs.map((_, i) => `e${i}`);
  const result = await esbuild.build({
    stdin: { contents: specs.map((s, i) => `export * as ${names[i]} from '${s}';`).join('\n'), resolveDir: root, loader: 'js' },
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'node',
    target: 'es2022',
    // ws loads these optional addons inside try/catch, and Node's modules with require().
    external: ['bufferutil', 'utf-8-validate'],
    banner: { js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);" },
    write: false,
    logLevel: 'silent',
  });
  const file = path.join(dir, 'bundle.mjs');
  writeFileSync(file, result.outputFiles[0].contents);
  const mod = await import(pathToFileURL(file).href);
  return specs.map((spec, i) => [spec, mod[names[i]]]);
}

test('each error class keeps its name, an ERR_ code and instanceof when bundled and minified', async (t) => {
  const entries = await minifiedBundle(t);
  const base = entries.find(([spec]) => spec === '@streamtasks/link')[1].StreamtasksError;
  assert.equal(typeof base, 'function');
  const seen = new Map();
  let renamed = 0;
  for (const [spec, ns] of entries) {
    for (const [exportName, value] of Object.entries(ns)) {
      if (typeof value !== 'function' || !(value.prototype instanceof Error) && value !== base) continue;
      // Every constructor takes strings (a message, a name, a count) first; two are enough for each.
      const err = new value('x', 'ERR_X');
      const where = `${spec}: ${exportName}`;
      assert.ok(err instanceof value, `${where}: instanceof its class`);
      assert.ok(err instanceof base && err instanceof Error, `${where}: instanceof StreamtasksError and Error`);
      assert.equal(err.name, exportName, `${where}: name`);
      assert.match(String(err.code), /^ERR_[A-Z_]+$/, `${where}: code`);
      // ErrorOptions come after the constructor's own arguments, wherever that is.
      const cause = new Error('the cause');
      const takesOptions = [1, 2, 3, 4].some((n) => new value(...Array(n).fill('x'), { cause }).cause === cause);
      assert.ok(takesOptions, `${where}: takes ErrorOptions (cause)`);
      if (value.name !== exportName) renamed++;
      seen.set(exportName, spec);
    }
  }
  // The bundle really was minified: class identifiers were renamed, which is
  // what broke `new.target.name`.
  assert.ok(renamed > 0, 'minification renamed no class');
  for (const name of ['StreamtasksError', 'TimeoutError', 'FetchError', 'FetchRequestError', 'HandshakeRejectedError', 'SkippedBytesError', 'UsageError', 'NoRouteError', 'NoNameResolverError']) {
    assert.ok(seen.has(name), `${name} was checked`);
  }
});
