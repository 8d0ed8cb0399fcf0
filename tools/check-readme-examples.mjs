#!/usr/bin/env node
// Compiles the TypeScript in the documentation against the BUILT packages,
// so a README never shows code that does not compile:
//
//   - every ```ts (or ```typescript) block of README.md, packages/*/README.md,
//     docs/*.md (except LIMITS.md and KNOWN-FAULTS.md) and examples/**/README.md
//     becomes a module of its own in .readme-check/ (gitignored), with
//     top-level await allowed;
//   - the examples themselves (examples/**/*.ts) are compiled in the same
//     program.
//
// A snippet that uses variables it does not define gets them from a prelude
// written into the Markdown as an HTML comment, which applies to every block
// after it in that file:
//
//   <!-- prelude: declare const client: import('@streamtasks/client').Client; -->
//
// and `<!-- check: skip -->` right before a block leaves that block out (for
// code that is deliberately partial). Errors are reported at their line in
// the Markdown file.
//
// tools/examples.test.mjs also runs every block that needs no prelude, so a
// README's example works as it stands; `<!-- check: compile-only -->` before
// a block keeps it from being run (for code that needs a running node).
//
// usage: node tools/check-readme-examples.mjs   (after `npm run build`)
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const outDir = path.join(root, '.readme-check');
const NOT_OURS = new Set(['LIMITS.md', 'KNOWN-FAULTS.md']);

export const compilerOptions = {
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.NodeNext,
  moduleResolution: ts.ModuleResolutionKind.NodeNext,
  lib: ['lib.es2023.d.ts', 'lib.dom.d.ts', 'lib.esnext.disposable.d.ts'],
  types: ['node'],
  strict: true,
  noEmit: true,
  skipLibCheck: true,
  isolatedModules: true,
  verbatimModuleSyntax: true,
  allowImportingTsExtensions: false,
};

/** The Markdown files whose TypeScript blocks are compiled. */
export function markdownFiles(base = root) {
  const files = [];
  const add = (f) => existsSync(f) && files.push(f);
  add(path.join(base, 'README.md'));
  const list = (dir) => (existsSync(dir) ? readdirSync(dir, { withFileTypes: true }) : []);
  for (const e of list(path.join(base, 'packages'))) if (e.isDirectory()) add(path.join(base, 'packages', e.name, 'README.md'));
  for (const e of list(path.join(base, 'docs'))) if (e.isFile() && e.name.endsWith('.md') && !NOT_OURS.has(e.name)) add(path.join(base, 'docs', e.name));
  for (const e of list(path.join(base, 'examples'))) if (e.isDirectory()) add(path.join(base, 'examples', e.name, 'README.md'));
  add(path.join(base, 'examples', 'README.md'));
  return files;
}

/** TypeScript files of examples/ (not node_modules or build output). */
export function exampleFiles(base = root) {
  const out = [];
  const walk = (dir) => {
    if (!existsSync(dir)) return;
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, e.name);
      if (e.isDirectory()) {
        if (!['node_modules', 'dist'].includes(e.name)) walk(full);
      } else if (/\.(m|c)?ts$/.test(e.name) && !e.name.endsWith('.d.ts')) out.push(full);
    }
  };
  walk(path.join(base, 'examples'));
  return out.sort();
}

/**
 * The TypeScript blocks of a Markdown text: `{ line, code, prelude, runnable }`
 * where `line` is the 1-based line of the block's first code line, `prelude`
 * the text of every `<!-- prelude: ... -->` comment above it, and `runnable`
 * false when the block needs a prelude or is marked compile-only.
 */
export function extractBlocks(markdown) {
  const lines = markdown.split('\n');
  const blocks = [];
  let prelude = '';
  let skipNext = false;
  let compileOnlyNext = false;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    const comment = line.match(/^\s*<!--\s*(prelude|check):\s*([\s\S]*)$/);
    if (comment) {
      let text = comment[2];
      while (!text.includes('-->') && i + 1 < lines.length) text += `\n${lines[++i]}`;
      text = text.slice(0, text.indexOf('-->')).trim();
      if (comment[1] === 'prelude') prelude += `${text}\n`;
      else if (text === 'skip') skipNext = true;
      else if (text === 'compile-only') compileOnlyNext = true;
      continue;
    }
    const fence = line.match(/^(\s*)(`{3,}|~{3,})\s*([\w-]*)/);
    if (!fence) continue;
    const [, indent, marks, lang] = fence;
    const start = i + 1;
    const body = [];
    for (i = i + 1; i < lines.length; i++) {
      const close = lines[i].match(/^\s*(`{3,}|~{3,})\s*$/);
      if (close && close[1][0] === marks[0] && close[1].length >= marks.length) break;
      body.push(lines[i].startsWith(indent) ? lines[i].slice(indent.length) : lines[i].trimStart());
    }
    if (lang === 'ts' || lang === 'typescript') {
      if (!skipNext) blocks.push({ line: start + 1, code: body.join('\n'), prelude, runnable: !compileOnlyNext && prelude === '' });
    }
    skipNext = false;
    compileOnlyNext = false;
  }
  return blocks;
}

function main() {
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  writeFileSync(path.join(outDir, 'package.json'), '{ "type": "module", "private": true }\n');
  writeFileSync(path.join(outDir, '.gitignore'), '*\n');

  const origin = new Map(); // generated file -> { md, line, headerLines }
  const files = [];
  let blockCount = 0;
  const mdFiles = markdownFiles();
  for (const md of mdFiles) {
    const rel = path.relative(root, md);
    const slug = rel.replace(/[\\/]/g, '__').replace(/\.md$/i, '');
    extractBlocks(readFileSync(md, 'utf8')).forEach((block, n) => {
      const header = `// ${rel}:${block.line}\n${block.prelude}`;
      const file = path.join(outDir, `${slug}.${n + 1}.ts`);
      writeFileSync(file, `${header}${block.code}\nexport {};\n`);
      origin.set(path.resolve(file), { md: rel, line: block.line, headerLines: header.split('\n').length - 1 });
      files.push(file);
      blockCount++;
    });
  }
  const examples = exampleFiles();
  files.push(...examples);

  const program = ts.createProgram(files, compilerOptions);
  const diagnostics = ts.getPreEmitDiagnostics(program);
  const problems = [];
  for (const d of diagnostics) {
    const text = ts.flattenDiagnosticMessageText(d.messageText, '\n');
    if (!d.file) {
      problems.push(`error TS${d.code}: ${text}`);
      continue;
    }
    const { line, character } = d.file.getLineAndCharacterOfPosition(d.start ?? 0);
    const from = origin.get(path.resolve(d.file.fileName));
    if (from) {
      const inBlock = line - from.headerLines;
      const where = inBlock >= 0 ? `${from.md}:${from.line + inBlock}:${character + 1}` : `${from.md}:${from.line} (in the prelude)`;
      problems.push(`${where} - error TS${d.code}: ${text}`);
    } else {
      problems.push(`${path.relative(root, d.file.fileName)}:${line + 1}:${character + 1} - error TS${d.code}: ${text}`);
    }
  }
  for (const p of problems) console.error(p);
  const summary = `${blockCount} TypeScript block(s) in ${mdFiles.length} Markdown file(s) and ${examples.length} example file(s)`;
  if (problems.length) {
    console.error(`check-readme-examples: ${problems.length} error(s) in ${summary}`);
    process.exitCode = 1;
  } else {
    console.log(`check-readme-examples: ${summary} compile against the built packages`);
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
