#!/usr/bin/env bash
# Scaffolds packages/<name> with the shared build/test/typecheck settings.
# usage: tools/new-package.sh <name> <description> [dep ...]
#   dep: a sibling (@streamtasks/link) gets "^<its current version>";
#        anything else needs its range: ws@^8.23.0
# Then add the tag scope:<name> to tools/layers.mjs and run `npm install`.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
if [ $# -lt 2 ]; then
  echo "usage: tools/new-package.sh <name> <description> [dep ...]" >&2
  exit 2
fi
name=$1; desc=$2; shift 2
if ! [[ $name =~ ^[a-z][a-z0-9-]*$ ]]; then
  echo "package name must be lower-case letters, digits and dashes: $name" >&2
  exit 2
fi
dir=packages/$name
if [ -e "$dir" ]; then
  echo "$dir exists already" >&2
  exit 1
fi
deps=""
for d in "$@"; do
  case $d in
    @streamtasks/*)
      sibling=packages/${d#@streamtasks/}/package.json
      if [ ! -f "$sibling" ]; then echo "no package $d ($sibling)" >&2; exit 1; fi
      range="^$(node -p "require('./$sibling').version")"
      dep=$d ;;
    ?*@*)
      dep=${d%@*}; range=${d##*@} ;;
    *)
      echo "give a range for $d (e.g. $d@^1.0.0)" >&2; exit 2 ;;
  esac
  deps="$deps\"$dep\": \"$range\","
done
deps=${deps%,}
mkdir -p "$dir/src" "$dir/test"
cat > "$dir/package.json" <<JSON
{
  "name": "@streamtasks/$name",
  "version": "0.1.0",
  "description": "$desc",
  "keywords": ["streamtasks"],
  "license": "MIT",
  "homepage": "https://github.com/streamtasks/streamtasks-js/tree/main/packages/$name#readme",
  "bugs": { "url": "https://github.com/streamtasks/streamtasks-js/issues" },
  "repository": { "type": "git", "url": "https://github.com/streamtasks/streamtasks-js.git", "directory": "packages/$name" },
  "type": "module",
  "sideEffects": false,
  "main": "./dist/cjs/index.js",
  "module": "./dist/index.js",
  "types": "./dist/cjs/index.d.ts",
  "exports": {
    ".": {
      "import": { "types": "./dist/index.d.ts", "default": "./dist/index.js" },
      "require": { "types": "./dist/cjs/index.d.ts", "default": "./dist/cjs/index.js" }
    },
    "./package.json": "./package.json"
  },
  "files": ["dist", "!dist/**/*.tsbuildinfo", "src", "!src/**/*.spec.ts", "README.md", "CHANGELOG.md"],
  "publishConfig": { "access": "public" },
  "engines": { "node": ">=20" },
  "scripts": {
    "build": "tsc -p tsconfig.lib.json && tsc -p tsconfig.cjs.json && node ../../tools/finish-cjs-build.mjs",
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
cat > "$dir/tsconfig.cjs.json" <<'JSON'
{
  "extends": "./tsconfig.lib.json",
  "compilerOptions": {
    "module": "commonjs",
    "moduleResolution": "bundler",
    "verbatimModuleSyntax": false,
    "outDir": "dist/cjs",
    "declaration": false,
    "declarationMap": false,
    "noCheck": true,
    "types": [],
    "tsBuildInfoFile": "dist/cjs/.tsbuildinfo"
  }
}
JSON
cp LICENSE "$dir/LICENSE"
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
cat > "$dir/typedoc.json" <<'JSON'
{
  "$schema": "https://typedoc.org/schema.json",
  "entryPoints": ["src/index.ts"]
}
JSON
cat > "$dir/README.md" <<MD
# @streamtasks/$name

$desc

\`\`\`ts
import {} from '@streamtasks/$name';
\`\`\`
MD
echo "created $dir (write the README's first example and an initial changeset: .changeset/initial-$name.md)"
if ! grep -q "'scope:$name'" tools/layers.mjs; then
  echo "next: add 'scope:$name' to tools/layers.mjs, then run npm install" >&2
fi
