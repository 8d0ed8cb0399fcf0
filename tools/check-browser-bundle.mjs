#!/usr/bin/env node
// Proves that the browser graph holds nothing from Node: bundles each core
// package (link, client, topic, fetch, signal, broadcast, discovery), the
// browser entry of the transports (`@streamtasks/transports/browser`) and the
// page of examples/browser with esbuild for `platform: 'browser'` — from the
// built dist/, as a user's bundler sees the packages — and fails on any
// import of a Node builtin (`net`, `fs`, `node:*`, …) or of the `ws` package,
// naming the file that imports it. Prints the minified and gzipped size of
// each bundle.
//
// usage: node tools/check-browser-bundle.mjs   (after `npm run build`)
import { builtinModules } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { existsSync } from 'node:fs';
import * as esbuild from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** The entries a browser page may import. */
export const browserEntries = [
  '@streamtasks/link',
  '@streamtasks/client',
  '@streamtasks/topic',
  '@streamtasks/fetch',
  '@streamtasks/signal',
  '@streamtasks/broadcast',
  '@streamtasks/discovery',
  '@streamtasks/transports/browser',
  // What these packages import from each other (no semver promise, but in
  // the same browser graph). The transports' internal entry is Node only.
  '@streamtasks/link/internal',
  '@streamtasks/client/internal',
  '@streamtasks/signal/internal',
  '@streamtasks/broadcast/internal',
  '@streamtasks/discovery/internal',
];

/** Packages that must never reach a browser bundle, besides Node's builtins. */
export const forbiddenPackages = ['ws'];

const builtins = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));
const isForbidden = (spec) =>
  spec.startsWith('node:') || builtins.has(spec) || builtins.has(spec.split('/')[0]) ||
  forbiddenPackages.some((p) => spec === p || spec.startsWith(`${p}/`));

/**
 * Bundles `entry` (a module specifier, or a file path) for browsers.
 * Resolves with `{ problems, bytes, gzipped }`; a problem names the
 * forbidden import and the file it comes from.
 */
export async function bundleForBrowser(entry, { resolveDir = root } = {}) {
  const problems = [];
  const guard = {
    name: 'no-node',
    setup(build) {
      build.onResolve({ filter: /.*/ }, (args) => {
        if (args.kind === 'entry-point' || !isForbidden(args.path)) return undefined;
        problems.push(`${path.relative(root, args.importer) || args.importer} imports '${args.path}'`);
        return { path: args.path, external: true };
      });
    },
  };
  const isFile = entry.startsWith('.') || path.isAbsolute(entry);
  const result = await esbuild.build({
    ...(isFile
      ? { entryPoints: [path.resolve(resolveDir, entry)] }
      : { stdin: { contents: `export * from ${JSON.stringify(entry)};`, resolveDir, sourcefile: `<${entry}>` } }),
    bundle: true,
    platform: 'browser',
    format: 'esm',
    target: 'es2022',
    minify: true,
    write: false,
    logLevel: 'silent',
    metafile: true,
    plugins: [guard],
  }).catch((err) => ({ error: err }));
  if (result.error) {
    const msgs = result.error.errors?.map((e) => `${e.location ? `${e.location.file}:${e.location.line}: ` : ''}${e.text}`) ?? [String(result.error)];
    return { problems: [...problems, ...msgs], bytes: 0, gzipped: 0 };
  }
  for (const input of Object.keys(result.metafile.inputs)) {
    for (const p of forbiddenPackages) if (input.includes(`node_modules/${p}/`)) problems.push(`${input} is in the bundle`);
  }
  const code = result.outputFiles[0].contents;
  return { problems, bytes: code.length, gzipped: gzipSync(code).length };
}

async function main() {
  const entries = [...browserEntries];
  const page = path.join(root, 'examples', 'browser', 'main.ts');
  if (existsSync(page)) entries.push(path.relative(root, page));
  let failed = 0;
  for (const entry of entries) {
    const { problems, bytes, gzipped } = await bundleForBrowser(entry.startsWith('@') ? entry : `./${entry}`);
    if (problems.length) {
      failed++;
      console.error(`✗ ${entry}: not browser-safe`);
      for (const p of problems) console.error(`    ${p}`);
    } else {
      console.log(`✓ ${entry}: ${(bytes / 1024).toFixed(1)} KiB minified, ${(gzipped / 1024).toFixed(1)} KiB gzipped`);
    }
  }
  console.log(failed ? `check-browser-bundle: ${failed} of ${entries.length} entries import Node modules` : `check-browser-bundle: ${entries.length} entries bundle for browsers without Node builtins or ws`);
  process.exitCode = failed ? 1 : 0;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await main();
