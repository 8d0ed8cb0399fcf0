#!/usr/bin/env node
// Checks what each package under packages/ declares against what it uses:
//
//   1. every bare import in src/**/*.ts (spec and test files excepted) names a
//      package listed in that package's "dependencies" (or peer/optional
//      dependencies); Node builtins are exempt;
//   2. no import reaches into another package: neither a relative path out of
//      the package nor a subpath (`@streamtasks/x/src/...`) that the sibling
//      does not export;
//   3. every @streamtasks/* dependency is a caret range (`^x.y.z`) that the
//      sibling's current version satisfies: npm rejects `workspace:*`, `*`
//      keeps changesets from bumping dependents, and a range the local
//      sibling is outside of would install another version than the one
//      tested here. (A patch of a sibling stays inside the range, so
//      changesets leaves its dependents alone; a bump that leaves the range
//      moves the range and gives the dependent a patch.)
//   4. the dependency graph among @streamtasks packages (all dependency kinds)
//      is acyclic and follows the layer table in tools/layers.mjs;
//   5. a published package has no private sibling (one that is never
//      published) among its runtime dependencies: devDependencies only;
//   6. typedoc.json, if present, excludes exactly the private packages (the
//      API reference covers what is published);
//   7. `@streamtasks/<pkg>/internal` (what siblings need beyond the public
//      API, with no semver promise) is imported by @streamtasks packages only:
//      never by the examples, the docs and READMEs (their code is what users
//      copy), and a package has `src/internal.ts` exactly when its exports
//      map has `./internal`, whose doc comment says it carries no semver promise.
//
// usage: node tools/check-deps.mjs [--root <workspace>]
// Exits 1 and prints one line per problem when anything is wrong.
import { readFileSync, readdirSync, existsSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { layers as defaultLayers } from './layers.mjs';

const SCOPE = '@streamtasks/';
const DEP_KINDS = ['dependencies', 'peerDependencies', 'optionalDependencies', 'devDependencies'];
const RUNTIME_KINDS = ['dependencies', 'peerDependencies', 'optionalDependencies'];
const builtins = new Set(builtinModules);

/** Loads every package under `<root>/packages`. */
export function loadPackages(root) {
  const dir = path.join(root, 'packages');
  if (!existsSync(dir)) return [];
  const packages = [];
  for (const entry of readdirSync(dir).sort()) {
    const pkgDir = path.join(dir, entry);
    const manifest = path.join(pkgDir, 'package.json');
    if (!statSync(pkgDir).isDirectory() || !existsSync(manifest)) continue;
    const json = JSON.parse(readFileSync(manifest, 'utf8'));
    packages.push({ dir: pkgDir, dirName: entry, rel: path.relative(root, pkgDir), json });
  }
  return packages;
}

/** Source files of a package that ship: src/**\/*.ts without spec/test files. */
export function sourceFiles(pkgDir) {
  const out = [];
  const walk = (dir) => {
    if (!existsSync(dir)) return;
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        if (entry.name === 'node_modules' || entry.name === '__tests__' || entry.name === '__mocks__') continue;
        walk(full);
      } else if (/\.(m|c)?tsx?$/.test(entry.name) && !/\.(spec|test)\.(m|c)?tsx?$/.test(entry.name)) {
        out.push(full);
      }
    }
  };
  walk(path.join(pkgDir, 'src'));
  return out.sort();
}

/** Module specifiers imported, exported from, `import()`ed or `require`d by a file (comments ignored). */
export function importsOf(file) {
  const info = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
  return info.importedFiles.map((f) => f.fileName);
}

/**
 * Whether `range` is a caret range `^x.y.z` that `version` satisfies (npm's
 * caret: below 1.0 the first non-zero part is fixed). Pre-release versions
 * match only themselves.
 */
export function caretIncludes(range, version) {
  const m = /^\^(\d+)\.(\d+)\.(\d+)(-[0-9A-Za-z.-]+)?$/.exec(range);
  const v = /^(\d+)\.(\d+)\.(\d+)(-[0-9A-Za-z.-]+)?$/.exec(version ?? '');
  if (!m || !v) return false;
  if (m[4] || v[4]) return range === `^${version}`;
  const [a, b, c] = m.slice(1, 4).map(Number);
  const [x, y, z] = v.slice(1, 4).map(Number);
  const atLeast = x > a || (x === a && (y > b || (y === b && z >= c)));
  if (a > 0) return x === a && atLeast;
  if (b > 0) return x === 0 && y === b && z >= c;
  return x === 0 && y === 0 && z === c;
}

/** Splits a bare specifier into its package name and subpath (`''` when none). */
export function splitSpecifier(spec) {
  const parts = spec.split('/');
  const n = spec.startsWith('@') ? 2 : 1;
  return { name: parts.slice(0, n).join('/'), subpath: parts.slice(n).join('/') };
}

function tagOf(pkg) {
  const tags = (pkg.json.nx?.tags ?? []).filter((t) => t.startsWith('scope:'));
  return tags.length === 1 ? tags[0] : undefined;
}

/** Finds the cycles of a graph given as Map<node, node[]>; each as a path [a, b, ..., a]. */
export function findCycles(graph) {
  const cycles = [];
  const state = new Map(); // undefined = new, 1 = on stack, 2 = done
  const stack = [];
  const visit = (node) => {
    state.set(node, 1);
    stack.push(node);
    for (const next of graph.get(node) ?? []) {
      if (state.get(next) === 1) cycles.push([...stack.slice(stack.indexOf(next)), next]);
      else if (state.get(next) === undefined) visit(next);
    }
    stack.pop();
    state.set(node, 2);
  };
  for (const node of [...graph.keys()].sort()) if (state.get(node) === undefined) visit(node);
  return cycles;
}

/**
 * Checks the workspace at `root`. Returns the problems found (an empty list
 * when everything is in order) and the packages looked at.
 */
export function checkWorkspace(root, { layers = defaultLayers } = {}) {
  const errors = [];
  const packages = loadPackages(root);
  const byName = new Map(packages.map((p) => [p.json.name, p]));

  // The layer table itself: known tags only, and no cycles.
  const tableGraph = new Map(Object.entries(layers).map(([tag, allowed]) => [tag, [...allowed]]));
  for (const [tag, allowed] of tableGraph) {
    for (const a of allowed) if (!tableGraph.has(a)) errors.push(`layer table: ${tag} allows unknown tag ${a}`);
  }
  for (const cycle of findCycles(tableGraph)) errors.push(`layer table: cycle ${cycle.join(' -> ')}`);

  for (const pkg of packages) {
    const { name, version } = pkg.json;
    const where = `${pkg.rel}/package.json`;
    if (name !== `${SCOPE}${pkg.dirName}`) {
      errors.push(`${where}: name is ${JSON.stringify(name)}, expected "${SCOPE}${pkg.dirName}" (jest and the docs map @streamtasks/<name> to packages/<name>)`);
    }
    if (typeof version !== 'string' || !/^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/.test(version)) {
      errors.push(`${where}: version ${JSON.stringify(version)} is not x.y.z`);
    }
    const tag = tagOf(pkg);
    if (!tag) errors.push(`${where}: needs exactly one "scope:<name>" tag in "nx": { "tags": [...] }`);
    else if (!(tag in layers)) errors.push(`${where}: tag ${tag} is not in the layer table (tools/layers.mjs)`);

    // Sibling ranges.
    for (const kind of DEP_KINDS) {
      for (const [dep, range] of Object.entries(pkg.json[kind] ?? {})) {
        if (!dep.startsWith(SCOPE)) continue;
        const sibling = byName.get(dep);
        if (!sibling) {
          errors.push(`${where}: ${kind} lists ${dep}, which is not a package in packages/`);
          continue;
        }
        if (sibling.json.private && !pkg.json.private && kind !== 'devDependencies') {
          errors.push(`${where}: ${kind} lists ${dep}, which is private (never published); a published package may only list it in devDependencies`);
        }
        const want = `^${sibling.json.version}`;
        if (!caretIncludes(range, sibling.json.version)) {
          errors.push(`${where}: ${kind}.${dep} is ${JSON.stringify(range)}; use "${want}" (a caret range that the sibling's current version satisfies)`);
        }
      }
    }

    // Imports of the shipped sources.
    const runtime = new Set(RUNTIME_KINDS.flatMap((k) => Object.keys(pkg.json[k] ?? {})));
    const devOnly = new Set(Object.keys(pkg.json.devDependencies ?? {}));
    for (const file of sourceFiles(pkg.dir)) {
      const fileRel = path.relative(root, file);
      for (const spec of importsOf(file)) {
        if (spec.startsWith('.') || spec.startsWith('/')) {
          const target = path.resolve(path.dirname(file), spec);
          if (target !== pkg.dir && !target.startsWith(pkg.dir + path.sep)) {
            errors.push(`${fileRel}: relative import '${spec}' leaves the package; import the sibling by name`);
          }
          continue;
        }
        if (spec.startsWith('node:') || builtins.has(spec) || builtins.has(spec.split('/')[0])) continue;
        if (spec.startsWith('#')) {
          // A subpath import of the package itself ("imports" of its package.json).
          if (!pkg.json.imports?.[spec]) errors.push(`${fileRel}: imports '${spec}', which is not in "imports" of its package.json`);
          continue;
        }
        const { name: dep, subpath } = splitSpecifier(spec);
        if (dep === name) continue; // a package importing itself by name
        if (dep.startsWith(SCOPE)) {
          const sibling = byName.get(dep);
          if (!sibling) {
            errors.push(`${fileRel}: imports '${spec}', but there is no package ${dep} in packages/`);
            continue;
          }
          if (subpath) {
            const exported = Object.keys(sibling.json.exports ?? {});
            if (/^(src|dist|lib)(\/|$)/.test(subpath) || !exported.includes(`./${subpath}`)) {
              errors.push(`${fileRel}: imports '${spec}', an internal path of ${dep}; use its public entry (or one it exports: ${exported.join(', ') || 'none'})`);
            }
          }
        }
        if (!runtime.has(dep)) {
          errors.push(
            devOnly.has(dep)
              ? `${fileRel}: imports '${spec}', but ${dep} is only in devDependencies of ${where}; move it to "dependencies"`
              : `${fileRel}: imports '${spec}', but ${dep} is not in "dependencies" of ${where}`,
          );
        }
      }
    }
  }

  // The graph among siblings: layers and cycles.
  const graph = new Map();
  for (const pkg of packages) {
    const deps = new Set();
    for (const kind of DEP_KINDS) {
      for (const dep of Object.keys(pkg.json[kind] ?? {})) if (byName.has(dep) && dep !== pkg.json.name) deps.add(dep);
    }
    graph.set(pkg.json.name, [...deps].sort());
    const tag = tagOf(pkg);
    if (!tag || !(tag in layers)) continue;
    for (const dep of deps) {
      const depTag = tagOf(byName.get(dep));
      if (depTag && !layers[tag].includes(depTag)) {
        errors.push(
          `${pkg.rel}/package.json: ${pkg.json.name} (${tag}) depends on ${dep} (${depTag}), which its layer may not use; ` +
            `${tag} may use: ${layers[tag].join(', ') || 'nothing'}`,
        );
      }
    }
  }
  for (const cycle of findCycles(graph)) errors.push(`dependency cycle: ${cycle.join(' -> ')}`);

  const typedoc = path.join(root, 'typedoc.json');
  if (existsSync(typedoc)) {
    const excluded = new Set((JSON.parse(readFileSync(typedoc, 'utf8')).exclude ?? []).map((e) => e.replace(/\/+$/, '')));
    for (const pkg of packages) {
      const rel = pkg.rel.split(path.sep).join('/');
      if (pkg.json.private && !excluded.has(rel)) errors.push(`typedoc.json: private package ${rel} is missing from "exclude" (the API reference covers published packages)`);
      if (!pkg.json.private && excluded.has(rel)) errors.push(`typedoc.json: "exclude" leaves out ${rel}, which is published`);
    }
  }

  errors.push(...internalEntryProblems(root, packages));
  return { errors, packages };
}

const INTERNAL_SPEC = /^@streamtasks\/[a-z-]+\/internal$/;

/** Files users read and copy from: examples/** and every Markdown file outside node_modules and packages/<x>/src. */
function userFacingFiles(root) {
  const out = [];
  const walk = (dir, all) => {
    if (!existsSync(dir)) return;
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.name === 'node_modules' || entry.name.startsWith('.') || entry.name === 'dist' || entry.name === 'api') continue;
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full, all);
      else if (entry.name.endsWith('.md') || (all && /\.(m|c)?[jt]sx?$|\.html$/.test(entry.name))) out.push(full);
    }
  };
  walk(path.join(root, 'examples'), true);
  walk(path.join(root, 'docs'), false);
  for (const pkg of loadPackages(root)) walk(pkg.dir, false);
  for (const entry of existsSync(root) ? readdirSync(root) : []) if (entry.endsWith('.md')) out.push(path.join(root, entry));
  return out.sort();
}

/** Module specifiers imported by the code of a file (Markdown: its fenced code blocks). */
function codeImports(file) {
  let text = readFileSync(file, 'utf8');
  if (file.endsWith('.md')) text = [...text.matchAll(/^```[a-z]*\n([\s\S]*?)^```/gm)].map((m) => m[1]).join('\n');
  return ts.preProcessFile(text, true, true).importedFiles.map((f) => f.fileName);
}

function internalEntryProblems(root, packages) {
  const errors = [];
  for (const file of userFacingFiles(root)) {
    for (const spec of codeImports(file)) {
      if (INTERNAL_SPEC.test(spec)) {
        errors.push(`${path.relative(root, file)}: imports '${spec}', which is for @streamtasks packages only (no semver promise); use the public entry`);
      }
    }
  }
  for (const pkg of packages) {
    const file = path.join(pkg.dir, 'src', 'internal.ts');
    const exported = Object.hasOwn(pkg.json.exports ?? {}, './internal');
    if (!existsSync(path.join(pkg.dir, 'src', 'index.ts'))) continue; // a manifest without sources (as in the release tools' tests)
    if (existsSync(file) !== exported) {
      errors.push(`${pkg.rel}: ${exported ? 'exports "./internal" but has no src/internal.ts' : 'has src/internal.ts but its exports map has no "./internal"'}`);
    } else if (exported && !/no semver promise/.test(readFileSync(file, 'utf8').replace(/\s+(\*\s+)?/g, ' '))) {
      errors.push(`${pkg.rel}/src/internal.ts: its doc comment must say that it carries no semver promise`);
    }
  }
  return errors;
}

function main(argv) {
  const i = argv.indexOf('--root');
  const root = path.resolve(i >= 0 ? argv[i + 1] : path.join(path.dirname(fileURLToPath(import.meta.url)), '..'));
  const { errors, packages } = checkWorkspace(root);
  if (errors.length > 0) {
    for (const e of errors) console.error(`check-deps: ${e}`);
    console.error(`check-deps: ${errors.length} problem(s) in ${packages.length} package(s)`);
    process.exitCode = 1;
  } else {
    console.log(`check-deps: ${packages.length} package(s) OK (imports declared, sibling ranges, layers, no cycles)`);
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main(process.argv.slice(2));
