// Lint settings for the whole workspace. The module-boundaries rule is the
// layering check: every package carries an Nx tag `scope:<name>` and may only
// import the packages listed for its tag in tools/layers.mjs (no cycles, no
// wrong-way imports, no relative imports into another package).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import nx from '@nx/eslint-plugin';
import { layers } from './tools/layers.mjs';

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', 'docs/api/**', '.nx/**', 'coverage/**', '.readme-check/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['packages/*/src/**/*.ts', 'packages/*/test/**/*.ts', 'examples/**/*.ts', 'bench/**/*.ts'],
    plugins: { '@nx': nx },
    rules: {
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: false,
          allow: [],
          // Tests import their own package by name to exercise the public API.
          allowCircularSelfDependency: true,
          banTransitiveDependencies: true,
          depConstraints: Object.entries(layers).map(([sourceTag, allowed]) => ({
            sourceTag,
            onlyDependOnLibsWithTags: allowed,
          })),
        },
      ],
    },
  },
  {
    files: ['**/*.ts'],
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-constant-condition': ['error', { checkLoops: false }],
    },
  },
  {
    files: ['**/*.cjs', 'jest.preset.js', 'tools/**', 'bench/**', 'examples/**/*.mjs'],
    languageOptions: {
      globals: { require: 'readonly', module: 'writable', __dirname: 'readonly', process: 'readonly', console: 'readonly' },
    },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
