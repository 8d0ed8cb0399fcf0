#!/usr/bin/env bash
# Scaffolds packages/<name> with the shared build/test/typecheck settings.
# usage: tools/new-package.sh <name> <description> [dep ...]
set -euo pipefail
name=$1; desc=$2; shift 2
dir=packages/$name
mkdir -p "$dir/src" "$dir/test"
deps=""
for d in "$@"; do deps="$deps\"$d\": \"^0.1.0\","; done
deps=${deps%,}
cat > "$dir/package.json" <<JSON
{
  "name": "@streamtasks/$name",
  "version": "0.1.0",
  "description": "$desc",
  "license": "MIT",
  "repository": { "type": "git", "url": "https://github.com/streamtasks/streamtasks-js.git", "directory": "packages/$name" },
  "type": "module",
  "sideEffects": false,
  "main": "./dist/index.js",
  "types": "./dist/index.d.ts",
  "exports": {
    ".": { "types": "./dist/index.d.ts", "default": "./dist/index.js" },
    "./package.json": "./package.json"
  },
  "files": ["dist", "README.md"],
  "engines": { "node": ">=20" },
  "scripts": {
    "build": "tsc -p tsconfig.lib.json",
    "typecheck": "tsc -p tsconfig.spec.json --noEmit",
    "test": "jest -c jest.config.cjs"
  },
  "dependencies": { $deps },
  "nx": { "tags": ["scope:$name"] }
}
JSON
cat > "$dir/tsconfig.lib.json" <<'JSON'
{
  "extends": "../../tsconfig.base.json",
  "compilerOptions": { "rootDir": "src", "outDir": "dist", "tsBuildInfoFile": "dist/.tsbuildinfo" },
  "include": ["src/**/*.ts"],
  "exclude": ["src/**/*.spec.ts"]
}
JSON
cat > "$dir/tsconfig.spec.json" <<'JSON'
{
  "extends": "../../tsconfig.base.json",
  "compilerOptions": { "noEmit": true, "types": ["node", "jest"] },
  "include": ["src/**/*.ts", "test/**/*.ts"]
}
JSON
cat > "$dir/jest.config.cjs" <<'JS'
module.exports = { ...require('../../jest.preset.js'), rootDir: __dirname, displayName: require('./package.json').name };
JS
echo "created $dir"
