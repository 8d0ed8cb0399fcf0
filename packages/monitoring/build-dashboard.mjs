// Bundles the dashboard (dashboard/app.ts and the browser build of the
// streamtasks packages it uses) with esbuild into dist/dashboard, next to
// its page and style sheet. The monitor serves these files; nothing is
// loaded from elsewhere. Runs as the last step of the package's build.
import { copyFileSync, mkdirSync } from 'node:fs';
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
