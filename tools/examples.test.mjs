// Runs every example of examples/ (with tsx, against the built packages) and
// the first-class examples of the documentation: each must print what it
// promises and exit by itself with status 0 within the time limit.
//
// examples/python-node.ts is written for a Python node; here it runs
// against a TypeScript node standing in for it (the Python package is not
// available to CI). The browser example runs in tools/browser.test.mjs.
//
// Needs `npm run build` first.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { extractBlocks, markdownFiles } from './check-readme-examples.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const LIMIT_MS = 30_000;
const built = existsSync(path.join(root, 'packages', 'cli', 'dist', 'index.js'));

/**
 * Runs a TypeScript file with tsx (as `npx tsx FILE` does, in one process:
 * `node --import tsx FILE`); resolves with { code, output } (code null when
 * it was stopped).
 */
function runTs(file, env = {}) {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', file], { cwd: root, timeout: LIMIT_MS, killSignal: 'SIGKILL', env: { ...process.env, ...env } }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : null) : 0;
      resolve({ code, output: `${stdout}${stderr}` });
    });
  });
}

function assertRan({ code, output }, what, expect) {
  assert.notEqual(code, null, `${what} did not exit by itself within ${LIMIT_MS / 1000} s:\n${output}`);
  assert.equal(code, 0, `${what} exited with ${code}:\n${output}`);
  if (expect) assert.match(output, expect, `${what} printed:\n${output}`);
}

const examples = [
  { file: 'examples/pubsub.ts', expect: /value 5/ },
  { file: 'examples/fetch-service.ts', expect: /add \{ sum: 5 \}[\s\S]*division by zero[\s\S]*multiply failed: not_found/ },
  { file: 'examples/synchronized-topics.ts', expect: /released in timestamp order/ },
  { file: 'examples/two-nodes-tcp.ts', expect: /A asks b-service: \{ served: 'on node B'[\s\S]*A reads topic/ },
  { file: 'examples/service.ts', expect: /topic \d+: temperature 20[\s\S]*humidity 42[\s\S]*sensors stopped/ },
  { file: 'examples/custom-stack.ts', expect: /get greeting -> hello[\s\S]*get missing -> not_found[\s\S]*topic 500 ->/ },
];

describe('examples', { concurrency: 2 }, () => {
  before(() => assert.ok(built, 'the packages are not built: run npm run build first'));
  for (const { file, expect } of examples) {
    it(`${file} runs and exits`, async () => assertRan(await runTs(file), file, expect));
  }

  it('examples/python-node.ts runs against a node (a TypeScript one standing in for Python)', async () => {
    const { startNode } = await import('@streamtasks/cli');
    const node = await startNode({ core: true, serve: ['tcp://127.0.0.1:0'] });
    try {
      const result = await runTs('examples/python-node.ts', { STREAMTASKS_URL: node.urls[0] });
      assertRan(result, 'examples/python-node.ts', /ts-echo answers: \{ hello: 'python' \}[\s\S]*big: 9223372036854775809n/);
    } finally {
      await node.close();
    }
  });
});

describe('README examples run as they stand', { concurrency: 2 }, () => {
  const dir = path.join(root, '.readme-check', `run-${process.pid}`);
  before(() => {
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, 'package.json'), '{ "type": "module", "private": true }\n');
  });
  after(() => rmSync(dir, { recursive: true, force: true }));
  for (const md of markdownFiles()) {
    const rel = path.relative(root, md);
    extractBlocks(readFileSync(md, 'utf8')).forEach((block, n) => {
      if (!block.runnable) return;
      it(`${rel}:${block.line}`, async () => {
        const file = path.join(dir, `${rel.replace(/[\\/]/g, '__')}.${n + 1}.ts`);
        writeFileSync(file, `${block.code}\nexport {};\n`);
        assertRan(await runTs(file), `the example at ${rel}:${block.line}`);
      });
    });
  }
});
