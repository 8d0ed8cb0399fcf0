// Bundles examples/browser/main.ts for browsers with esbuild.
//
//   node examples/browser/build.mjs      writes examples/browser/dist/main.js
//
// serve.mjs calls bundlePage() and serves the result from memory.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const here = path.dirname(fileURLToPath(import.meta.url));

/** The page's module, bundled: resolves with its JavaScript text. */
export async function bundlePage() {
  const result = await esbuild.build({
    entryPoints: [path.join(here, 'main.ts')],
    bundle: true,
    platform: 'browser',
    format: 'esm',
    target: 'es2022',
    sourcemap: 'inline',
    write: false,
    logLevel: 'error',
  });
  return result.outputFiles[0].text;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const code = await bundlePage();
  mkdirSync(path.join(here, 'dist'), { recursive: true });
  writeFileSync(path.join(here, 'dist', 'main.js'), code);
  console.log(`wrote ${path.relative(process.cwd(), path.join(here, 'dist', 'main.js'))} (${(code.length / 1024).toFixed(0)} KiB with its source map)`);
}
