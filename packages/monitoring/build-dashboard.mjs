// Bundles the dashboard (dashboard/app.ts and the browser build of the
// streamtasks packages it uses) with esbuild into dist/dashboard, next to
// its page and style sheet. The monitor serves these files; nothing is
// loaded from elsewhere. Runs as the last step of the package's build.
import { copyFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const here = path.dirname(fileURLToPath(import.meta.url));
const out = path.join(here, 'dist', 'dashboard');
mkdirSync(out, { recursive: true });
await esbuild.build({
  entryPoints: [path.join(here, 'dashboard', 'app.ts')],
  outfile: path.join(out, 'app.js'),
  bundle: true,
  platform: 'browser',
  format: 'esm',
  target: 'es2022',
  minify: true,
  sourcemap: false,
  legalComments: 'none',
  logLevel: 'error',
});
for (const file of ['index.html', 'app.css']) copyFileSync(path.join(here, 'dashboard', file), path.join(out, file));

// The CommonJS build in dist/cjs has its own package.json ("type":
// "commonjs"), which is the nearest one for its files, so the package's
// "imports" map does not reach them: give dist/cjs its own `#dashboard-dir`,
// pointing at the same dist/dashboard.
const cjs = path.join(here, 'dist', 'cjs');
if (existsSync(cjs)) {
  writeFileSync(
    path.join(cjs, 'package.json'),
    JSON.stringify({ type: 'commonjs', imports: { '#dashboard-dir': './dashboard-dir.cjs' } }, null, 2) + '\n',
  );
  writeFileSync(
    path.join(cjs, 'dashboard-dir.cjs'),
    "// Where the built dashboard lives, for the CommonJS build (dist/cjs/package.json \"imports\").\n" +
      "module.exports = require('node:path').join(__dirname, '..', 'dashboard');\n",
  );
}
