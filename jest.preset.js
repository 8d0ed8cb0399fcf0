// Shared jest settings for every package: TypeScript through swc (CommonJS for
// jest), `.js` import suffixes stripped, and sibling packages mapped to their
// sources so tests never depend on a stale build.
const path = require('node:path');

const packagesDir = path.join(__dirname, 'packages');

module.exports = {
  testEnvironment: 'node',
  transform: {
    '^.+\\.(t|j)s$': [
      '@swc/jest',
      {
        jsc: {
          parser: { syntax: 'typescript' },
          target: 'es2022',
          transform: { useDefineForClassFields: true },
        },
        module: { type: 'commonjs' },
      },
    ],
  },
  moduleFileExtensions: ['ts', 'js', 'json'],
  moduleNameMapper: {
    '^@streamtasks/([a-z-]+)$': `${packagesDir}/$1/src/index.ts`,
    '^@streamtasks/([a-z-]+)/internal$': `${packagesDir}/$1/src/internal.ts`,
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
  testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/test/**/*.spec.ts'],
  testTimeout: 20000,
};
