#!/usr/bin/env node
// The `streamtasks` executable: runs main() with the process's arguments and
// turns SIGINT/SIGTERM into a clean stop.
import { main } from './main.js';

const stop = new AbortController();
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.once(sig, () => stop.abort(new Error(sig)));
}

const code = await main(process.argv.slice(2), {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
  signal: stop.signal,
  env: process.env,
  terminal: process.stdout.isTTY && process.stdin.isTTY ? { input: process.stdin, output: process.stdout } : undefined,
});
process.exitCode = code;
// Everything was closed; if a stray handle remains, do not hang on it.
setTimeout(() => process.exit(code), 2000).unref();
