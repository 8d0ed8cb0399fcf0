#!/usr/bin/env node
// The last step of a package's build (its "build" script):
//
//   tsc -p tsconfig.lib.json          ESM + declarations  -> dist/
//   tsc -p tsconfig.cjs.json          CommonJS JavaScript  -> dist/cjs/
//   node ../../tools/finish-cjs-build.mjs
//
// It marks dist/cjs as CommonJS (a package.json with "type": "commonjs", so
// Node loads those files with `require` semantics although the package is
// "type": "module") and copies the declarations of dist/ beside them, so
// TypeScript reads them as CommonJS declarations for `require` consumers.
// The CommonJS pass is not type-checked again (`noCheck`): the ESM pass
// checks the same sources. Declaration maps are copied with their `sources`
// rewritten, so "go to definition" still lands in src/.
//
// usage (from a package directory): node ../../tools/finish-cjs-build.mjs [dist] [dist/cjs]
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const esmDir = path.resolve(process.argv[2] ?? 'dist');
const cjsDir = path.resolve(process.argv[3] ?? path.join(esmDir, 'cjs'));
if (!existsSync(esmDir)) {
  console.error(`finish-cjs-build: ${esmDir} does not exist (run tsc first)`);
  process.exit(1);
}
mkdirSync(cjsDir, { recursive: true });
writeFileSync(path.join(cjsDir, 'package.json'), '{\n  "type": "commonjs"\n}\n');

let copied = 0;
const walk = (from, to) => {
  for (const entry of readdirSync(from, { withFileTypes: true })) {
    const src = path.join(from, entry.name);
    if (src === cjsDir) continue;
    const dst = path.join(to, entry.name);
    if (entry.isDirectory()) {
      walk(src, dst);
    } else if (entry.name.endsWith('.d.ts')) {
      mkdirSync(to, { recursive: true });
      copyFileSync(src, dst);
      copied++;
    } else if (entry.name.endsWith('.d.ts.map')) {
      const map = JSON.parse(readFileSync(src, 'utf8'));
      map.sources = map.sources.map((s) => path.relative(to, path.resolve(from, s)).split(path.sep).join('/'));
      mkdirSync(to, { recursive: true });
      writeFileSync(dst, JSON.stringify(map));
    }
  }
};
walk(esmDir, cjsDir);
if (copied === 0) {
  console.error(`finish-cjs-build: no declarations in ${esmDir}`);
  process.exit(1);
}
