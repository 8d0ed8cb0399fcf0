// What a package's manifest promises about its tarball, shared by
// tools/release-dry-run.mjs and tools/check-packages.mjs.
import path from 'node:path';
import { loadPackages } from './check-deps.mjs';

/** The packages that are published (every package without "private": true). */
export function publicPackages(root) {
  return loadPackages(root).filter((p) => !p.json.private);
}

/** Every relative file a manifest points at (exports, main, module, types, bin), without `./`. */
export function pointers(json) {
  const out = new Set();
  const walk = (v) => {
    if (typeof v === 'string') {
      if (v.startsWith('./') && !v.includes('*')) out.add(path.posix.normalize(v));
    } else if (v && typeof v === 'object') {
      for (const x of Object.values(v)) walk(x);
    }
  };
  walk(json.exports);
  for (const key of ['main', 'module', 'types', 'typings']) if (typeof json[key] === 'string') out.add(path.posix.normalize(json[key]));
  walk(typeof json.bin === 'string' ? { bin: json.bin } : json.bin);
  return [...out].map((p) => p.replace(/^\.\//, ''));
}

/** The subpaths a package exports as modules (`.`, `./browser`; not `./package.json`), as import specifiers. */
export function entrySpecifiers(json) {
  return Object.keys(json.exports ?? { '.': null })
    .filter((k) => !k.endsWith('.json'))
    .map((k) => (k === '.' ? json.name : `${json.name}/${k.slice(2)}`));
}

/**
 * What a published manifest lacks: every exported entry needs types (for
 * `import` and `require`), and the package needs `files`, `sideEffects`,
 * `license`, `repository`, `keywords`, `engines` and a description.
 */
export function manifestProblems(json) {
  const problems = [];
  for (const key of ['description', 'license', 'repository', 'keywords', 'engines', 'files']) {
    if (json[key] === undefined || (Array.isArray(json[key]) && json[key].length === 0)) problems.push(`no "${key}"`);
  }
  if (json.sideEffects === undefined) problems.push('no "sideEffects" (false, or the files that have side effects)');
  if (!json.exports || typeof json.exports !== 'object') return [...problems, 'no "exports" map'];
  for (const [sub, target] of Object.entries(json.exports)) {
    if (sub.endsWith('.json')) continue;
    for (const cond of ['import', 'require']) {
      const t = target?.[cond];
      if (!t?.types || !t?.default) problems.push(`exports["${sub}"].${cond} needs "types" and "default"`);
      else if (Object.keys(t)[0] !== 'types') problems.push(`exports["${sub}"].${cond}: "types" must come first`);
    }
  }
  return problems;
}
