#!/usr/bin/env node
// `npm run check:packages` (after a build): proves that the published
// packages install and load outside this repository, as a user gets them.
//
//   1. `npm pack` every public package; its package.json must have the
//      metadata users and tools read (exports with types for import and
//      require, files, sideEffects, license, repository, keywords, engines);
//      each tarball must hold every file its package.json points at, its
//      README and LICENSE, the CommonJS marker dist/cjs/package.json, and no
//      tests or build leftovers.
//   2. An empty project outside the repository installs all tarballs
//      (`npm install <tgz...>`; external dependencies such as `ws` come from
//      the registry or npm's cache). Every @streamtasks package must come
//      from its tarball. For each entry point (`@streamtasks/transports/browser`
//      included): ESM `import` and CommonJS `require` both load, export the
//      same names, and a small program (fetch round trip in-process, a node
//      over TCP with a client) runs under both. The `streamtasks` bin runs.
//   3. TypeScript consumers typecheck against the installed declarations
//      (without @types/ws, which is no runtime dependency of any package):
//      `moduleResolution: nodenext` (an ESM `.ts` and a CommonJS `.cts` file,
//      `skipLibCheck: false`, so every declaration file is checked),
//      `moduleResolution: bundler`, and a browser program (DOM lib, no Node
//      types, `skipLibCheck: false`) over the browser-safe entries.
//   4. A second empty project installs only @streamtasks/fetch with its
//      dependencies (link, client): node_modules holds exactly those three and
//      nothing else (no transports, discovery or ws), and fetch works there.
//
// usage: node tools/check-packages.mjs [--keep]   (--keep leaves the temporary projects)
// Exits 1 when any check fails; prints one line per check.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { entrySpecifiers, manifestProblems, pointers, publicPackages } from './package-files.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const keep = process.argv.includes('--keep');
const tsc = path.join(root, 'node_modules', 'typescript', 'bin', 'tsc');
const rootJson = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));

let failures = 0;
const started = Date.now();
const ok = (msg) => console.log(`✓ ${msg}  [${((Date.now() - started) / 1000).toFixed(1)}s]`);
const fail = (msg, detail) => {
  failures++;
  console.error(`✗ ${msg}${detail ? `\n${String(detail).trim().replace(/^/gm, '    ')}` : ''}`);
};

/** Like run(), without blocking: the tsc programs run side by side. */
function runAsync(cmd, args, cwd) {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('error', (err) => resolve({ status: 1, out: String(err) }));
    child.on('close', (code) => resolve({ status: code ?? 1, out }));
  });
}

function run(cmd, args, cwd, { env } = {}) {
  const res = spawnSync(cmd, args, { cwd, encoding: 'utf8', env: { ...process.env, ...env }, maxBuffer: 64 * 1024 * 1024 });
  return { status: res.status ?? 1, out: `${res.stdout ?? ''}${res.stderr ?? ''}`, stdout: res.stdout ?? '' };
}

const packages = publicPackages(root);
for (const pkg of packages) {
  const main = path.join(pkg.dir, 'dist', 'index.js');
  if (!existsSync(main)) {
    console.error(`check-packages: ${path.relative(root, main)} is missing; run \`npm run build\` first`);
    process.exit(1);
  }
}

const scratch = mkdtempSync(path.join(tmpdir(), 'streamtasks-packages-'));
const tarballs = path.join(scratch, 'tarballs');
mkdirSync(tarballs);

// 1. Pack.
const byName = new Map();
{
  const args = ['pack', '--json', '--ignore-scripts', '--pack-destination', tarballs, ...packages.flatMap((p) => ['-w', p.json.name])];
  const res = run('npm', args, root);
  if (res.status !== 0) {
    fail('npm pack', res.out);
    finish();
  }
  for (const entry of JSON.parse(res.stdout)) {
    const pkg = packages.find((p) => p.json.name === entry.name);
    const files = new Set(entry.files.map((f) => f.path));
    byName.set(entry.name, { pkg, tgz: path.join(tarballs, entry.filename) });
    const missing = [...pointers(pkg.json), 'README.md', 'LICENSE', 'package.json', 'dist/cjs/package.json'].filter((f) => !files.has(f));
    const stray = [...files].filter((f) => /\.(spec|test)\.[cm]?[jt]s$|(^|\/)test\/|tsbuildinfo$|jest\.config|tsconfig/.test(f));
    const manifest = manifestProblems(pkg.json);
    if (manifest.length) fail(`${entry.id}: package.json: ${manifest.join('; ')}`);
    else if (missing.length) fail(`${entry.id}: the tarball lacks ${missing.join(', ')}`);
    else if (stray.length) fail(`${entry.id}: the tarball holds files users do not need: ${stray.slice(0, 5).join(', ')}`);
    else ok(`${entry.id}: ${files.size} files, ${(entry.size / 1024).toFixed(1)} KiB packed`);
  }
}

/** Creates an empty project and installs the given tarballs (and extra registry packages) into it. */
function project(name, names, extra = []) {
  const dir = path.join(scratch, name);
  mkdirSync(dir);
  writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: `check-${name}`, version: '0.0.0', private: true }, null, 2));
  const tgzs = names.map((n) => byName.get(n).tgz);
  const res = run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error', ...tgzs, ...extra], dir);
  if (res.status !== 0) {
    fail(`${name}: npm install of ${names.join(', ')}`, res.out);
    return undefined;
  }
  // Every @streamtasks package must be the tarball's, installed once at the top.
  const nested = run('npm', ['ls', '--all', '--json', '--loglevel=error'], dir);
  const found = [];
  const walk = (deps, depth) => {
    for (const [dep, info] of Object.entries(deps ?? {})) {
      if (dep.startsWith('@streamtasks/')) found.push({ dep, depth, version: info.version });
      walk(info.dependencies, depth + 1);
    }
  };
  walk(JSON.parse(nested.stdout || '{}').dependencies, 0);
  for (const { dep, depth, version } of found) {
    const ours = byName.get(dep)?.pkg.json;
    if (!ours) fail(`${name}: ${dep}@${version} was installed although it is not one of the packed tarballs`);
    else if (version !== ours.version) fail(`${name}: ${dep}@${version} installed, the tarball is ${ours.version}`);
    else if (depth > 0) {
      const installed = path.join(dir, 'node_modules', ...dep.split('/'), 'package.json');
      if (!existsSync(installed)) fail(`${name}: ${dep} is not installed at the top of node_modules`);
    }
  }
  ok(`${name}: installed ${names.length} tarball(s)${extra.length ? ` and ${extra.join(', ')}` : ''}`);
  return dir;
}

// The small program both module systems run: in-process fetch round trip
// through a switch over a serialized link, and (when the cli is installed)
// a node over TCP with a client that gets an address from discovery.
function smokeProgram(kind, withNode) {
  const imports = [
    ['@streamtasks/link', ['Switch', 'createQueueLinkPair']],
    ['@streamtasks/client', ['Client']],
    ['@streamtasks/fetch', ['FetchServer', 'check']],
    ...(withNode ? [['@streamtasks/cli', ['startNode', 'openClient']]] : []),
  ];
  const head = imports
    .map(([spec, names]) => (kind === 'esm' ? `import { ${names.join(', ')} } from '${spec}';` : `const { ${names.join(', ')} } = require('${spec}');`))
    .join('\n');
  const body = `
const hub = new Switch();
const [s1, l1] = createQueueLinkPair();
const [s2, l2] = createQueueLinkPair({ serialize: true });
hub.addLink(s1);
hub.addLink(s2);
const serving = new Client(l1).start();
serving.setAddress(10000);
const asking = new Client(l2).start();
asking.setAddress(10001);
new FetchServer(serving)
  .route('add', { validate: check.object({ a: check.integer(), b: check.integer() }) }, ({ body }) => body.a + body.b)
  .start();
const sum = await asking.fetch(10000, 'add', { a: 1, b: 2 }, { timeout: 5000 });
if (sum !== 3) throw new Error('fetch answered ' + JSON.stringify(sum));
serving.close();
asking.close();
${withNode ? `const node = await startNode({ core: true, serve: ['tcp://127.0.0.1:0'] });
const client = await openClient(node.urls[0], { address: true, timeout: 5000 });
if (typeof client.address !== 'number') throw new Error('no address from discovery');
client.close();
await node.close();` : ''}
console.log('${kind} ok');
`;
  return kind === 'esm' ? `${head}\n${body}` : `${head}\n(async () => {\n${body}\n})().catch((err) => { console.error(err); process.exit(1); });\n`;
}

/** Loads every entry with import and require in `dir`, compares the export names, runs the smoke program. */
function checkLoading(dir, name, names, withNode) {
  const specs = names.flatMap((n) => entrySpecifiers(byName.get(n).pkg.json));
  writeFileSync(
    path.join(dir, 'exports.mjs'),
    `import { createRequire } from 'node:module';
const require = createRequire(import.meta.url);
const out = {};
for (const spec of ${JSON.stringify(specs)}) {
  const esm = Object.keys(await import(spec)).sort();
  const cjs = Object.keys(require(spec)).filter((k) => k !== '__esModule').sort();
  out[spec] = { esm, cjs, cjsPath: require.resolve(spec), esmPath: import.meta.resolve(spec) };
}
console.log(JSON.stringify(out));
`,
  );
  const res = run(process.execPath, ['exports.mjs'], dir);
  if (res.status !== 0) {
    fail(`${name}: loading the entries`, res.out);
  } else {
    const table = JSON.parse(res.stdout);
    for (const [spec, { esm, cjs, cjsPath, esmPath }] of Object.entries(table)) {
      const missing = esm.filter((k) => !cjs.includes(k));
      const extra = cjs.filter((k) => !esm.includes(k));
      if (esm.length === 0) fail(`${name}: import('${spec}') exports nothing`);
      else if (!/\/dist\/cjs\/[^/]+\.js$/.test(cjsPath)) fail(`${name}: require('${spec}') loads ${cjsPath}, not the CommonJS build`);
      else if (/\/dist\/cjs\//.test(esmPath)) fail(`${name}: import('${spec}') loads the CommonJS build`);
      else if (missing.length || extra.length) fail(`${name}: '${spec}' exports differ: only ESM ${missing.join(', ') || '-'}; only CommonJS ${extra.join(', ') || '-'}`);
      else ok(`${name}: '${spec}': import and require both load ${esm.length} exports`);
    }
  }
  for (const [kind, file] of [['esm', 'smoke.mjs'], ['cjs', 'smoke.cjs']]) {
    writeFileSync(path.join(dir, file), smokeProgram(kind, withNode));
    const r = run(process.execPath, [file], dir);
    if (r.status !== 0 || !r.out.includes(`${kind} ok`)) fail(`${name}: ${file} (${kind === 'esm' ? 'ESM import' : 'CommonJS require'})`, r.out);
    else ok(`${name}: ${kind === 'esm' ? 'ESM' : 'CommonJS'} program runs (fetch round trip${withNode ? ', node over TCP with discovery' : ''})`);
  }
}

/** Writes a TypeScript project into `dir/<sub>` and runs tsc on it (resolves when it is done). */
async function typecheck(dir, name, sub, compilerOptions, files, { type = 'module' } = {}) {
  const d = path.join(dir, sub);
  mkdirSync(d, { recursive: true });
  writeFileSync(path.join(d, 'package.json'), JSON.stringify({ private: true, type }));
  writeFileSync(
    path.join(d, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: { target: 'ES2022', strict: true, noEmit: true, skipLibCheck: false, skipDefaultLibCheck: true, ...compilerOptions },
      files: Object.keys(files),
    }, null, 2),
  );
  for (const [file, text] of Object.entries(files)) writeFileSync(path.join(d, file), text);
  const res = await runAsync(process.execPath, [tsc, '-p', 'tsconfig.json', '--pretty', 'false'], d);
  if (res.status !== 0) fail(`${name}: tsc (${sub})`, res.out);
  else ok(`${name}: tsc ${sub} (${Object.keys(files).join(', ')})`);
}

const typedProgram = (withNode) => `import { Switch, createQueueLinkPair, type Link } from '@streamtasks/link';
import { Client, FetchError } from '@streamtasks/client';
import { FetchServer, FetchRequestError, check, type Infer } from '@streamtasks/fetch';
${withNode ? `import { inTopic, outTopic } from '@streamtasks/topic';
import { SignalServer, sendSignal } from '@streamtasks/signal';
import { BroadcastingServer, BroadcastReceiver } from '@streamtasks/broadcast';
import { DiscoveryService, requestAddress, waitForAddressName } from '@streamtasks/discovery';
import { connect, createServer, type TransportServer } from '@streamtasks/transports';
import { connectWebSocket } from '@streamtasks/transports/browser';
import { startNode, openClient, type NodeOptions } from '@streamtasks/cli';
` : ''}
const Add = check.object({ a: check.integer(), b: check.integer() });
type Add = Infer<typeof Add>;

export async function demo(): Promise<number> {
  const hub = new Switch();
  const [s1, l1] = createQueueLinkPair();
  const [s2, l2]: [Link, Link] = createQueueLinkPair({ serialize: true });
  hub.addLink(s1);
  hub.addLink(s2);
  const serving = new Client(l1).start();
  serving.setAddress(10_000);
  const asking = new Client(l2).start();
  asking.setAddress(10_001);
  new FetchServer(serving)
    .route('add', { validate: Add }, ({ body }: { body: Add }) => body.a + body.b)
    .route('fail', () => {
      throw FetchRequestError.notFound('nothing');
    })
    .start();
  try {
    return (await asking.fetch(10_000, 'add', { a: 1, b: 2 }, { timeout: 1000 })) as number;
  } catch (err) {
    if (err instanceof FetchError) return -1;
    throw err;
  }
}
${withNode ? `
export async function all(options: NodeOptions): Promise<void> {
  const node = await startNode(options);
  const client = await openClient(node.urls[0]!, { address: true });
  await requestAddress(client);
  await using out = outTopic(client, 100_000);
  await using sub = inTopic(client, 100_000);
  await out.send({ timestamp: Date.now(), value: 1 });
  await sub.recvData({ timeout: 100 });
  new SignalServer(client).route('x', () => undefined).start();
  await sendSignal(client, 10_000, 'x', null);
  new BroadcastingServer(client, { allocateTopics: (n) => Array.from({ length: n }, (_, i) => i) }).start();
  await new BroadcastReceiver(client, ['ns']).start();
  await waitForAddressName(client, 'x', { timeout: 1 });
  const server: TransportServer = await createServer('tcp://127.0.0.1:0', { switch: new Switch() });
  (await connect(server.url)).close();
  void connectWebSocket;
  void DiscoveryService;
  await node.close();
}
` : ''}`;

const browserProgram = `import { Switch } from '@streamtasks/link';
import { Client } from '@streamtasks/client';
import { inTopic } from '@streamtasks/topic';
import { FetchServer } from '@streamtasks/fetch';
import { sendSignal } from '@streamtasks/signal';
import { BroadcastReceiver } from '@streamtasks/broadcast';
import { requestAddress, DiscoveryService } from '@streamtasks/discovery';
import { connectWebSocket } from '@streamtasks/transports/browser';

export async function page(element: HTMLElement): Promise<void> {
  const link = await connectWebSocket('ws://127.0.0.1:9003', { timeout: 5000 });
  const client = new Client(link).start();
  await requestAddress(client);
  const topic = inTopic(client, 100_000);
  for await (const data of topic) element.textContent = JSON.stringify(data);
  void [Switch, FetchServer, sendSignal, BroadcastReceiver, DiscoveryService];
}
`;

// 2 and 3: everything installed. The tsc programs run in the background
// while the fetch-only project is installed and checked.
const typechecks = [];
const allNames = packages.map((p) => p.json.name);
const nodeTypes = `@types/node@${rootJson.devDependencies['@types/node']}`;
const all = project('all', allNames, [nodeTypes]);
if (all) {
  // The declarations must not need types that are not runtime dependencies:
  // without @types/ws installed, a .d.ts that imports 'ws' fails the nodenext check below.
  if (existsSync(path.join(all, 'node_modules', '@types', 'ws'))) fail('all: @types/ws was installed: some package lists it as a dependency');
  else ok('all: no @types/ws installed (the declarations typecheck without it)');
  checkLoading(all, 'all', allNames, true);
  const bin = run(path.join(all, 'node_modules', '.bin', 'streamtasks'), ['--help'], all);
  if (bin.status !== 0 || !bin.out.includes('usage: streamtasks')) fail('all: the streamtasks bin', bin.out);
  else ok('all: the streamtasks bin runs (--help)');
  typechecks.push(typecheck(all, 'all', 'nodenext', { module: 'nodenext', moduleResolution: 'nodenext', types: ['node'] }, {
    'esm.ts': `${typedProgram(true)}\nconsole.log(await demo());\n`,
    'cjs.cts': typedProgram(true),
  }));
  // The declarations themselves were checked by the nodenext program (the same
  // files); here only resolution and use, which keeps @types/node unchecked.
  typechecks.push(typecheck(all, 'all', 'bundler', { module: 'esnext', moduleResolution: 'bundler', types: ['node'], skipLibCheck: true }, {
    'index.ts': `${typedProgram(true)}\nconsole.log(await demo());\n`,
  }));
  typechecks.push(typecheck(all, 'all', 'browser', { module: 'esnext', moduleResolution: 'bundler', lib: ['ES2023', 'DOM', 'ESNext.Disposable'], types: [] }, {
    'page.ts': browserProgram,
  }));
}

// 4: only fetch with its dependencies.
const fetchNames = ['@streamtasks/fetch', ...Object.keys(byName.get('@streamtasks/fetch')?.pkg.json.dependencies ?? {})];
const onlyFetch = project('only-fetch', fetchNames);
if (onlyFetch) {
  const nm = path.join(onlyFetch, 'node_modules');
  const top = readdirSync(nm).filter((e) => !e.startsWith('.'));
  const scoped = readdirSync(path.join(nm, '@streamtasks')).sort();
  const expected = fetchNames.map((n) => n.split('/')[1]).sort();
  const unwanted = ['transports', 'discovery', 'cli', 'topic', 'signal', 'broadcast'].filter((n) => scoped.includes(n));
  if (unwanted.length || top.includes('ws') || top.includes('@types')) {
    fail(`only-fetch: installing @streamtasks/fetch brought along ${[...unwanted.map((n) => `@streamtasks/${n}`), ...top.filter((t) => t === 'ws' || t === '@types')].join(', ')}`);
  } else if (JSON.stringify(top) !== JSON.stringify(['@streamtasks']) || JSON.stringify(scoped) !== JSON.stringify(expected)) {
    fail(`only-fetch: node_modules holds ${top.join(', ')} / @streamtasks: ${scoped.join(', ')}; expected @streamtasks: ${expected.join(', ')} only`);
  } else {
    ok(`only-fetch: node_modules holds @streamtasks/{${scoped.join(',')}} and nothing else`);
  }
  checkLoading(onlyFetch, 'only-fetch', fetchNames, false);
}

await Promise.all(typechecks);
finish();

function finish() {
  if (keep) console.log(`check-packages: left the projects in ${scratch}`);
  else rmSync(scratch, { recursive: true, force: true });
  console.log(failures ? `check-packages: ${failures} check(s) failed` : `check-packages: ${packages.length} packages install and load (ESM, CommonJS, TypeScript nodenext/bundler/browser)`);
  process.exit(failures ? 1 : 0);
}
