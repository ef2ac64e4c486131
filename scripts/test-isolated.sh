#!/usr/bin/env bash
# Builds into a private folder and runs the given test files against a private Redis and
# Kafka, so several people can test side by side in one checkout.
#   scripts/test-isolated.sh NAME [compiled test paths relative to dist, e.g. test/e2e/x.test.js]
set -euo pipefail
cd "$(dirname "$0")/.."
name=$1; shift
out=/tmp/gw-build-$name
export PATH="$PWD/node_modules/.bin:$PATH"
# The private build has no node_modules above it.
export NODE_PATH="$PWD/node_modules"
tsc -p tsconfig.json --outDir "$out/dist" --tsBuildInfoFile "$out/tsbuildinfo" --noEmitOnError false --incremental | grep -v '^ ' | head -20 || true
tsc-alias -p tsconfig.json --outDir "$out/dist"
node scripts/link-mains.mjs "$out/dist"
files=()
for f in "$@"; do files+=("$out/dist/$f"); done
exec node "$out/dist/scripts/test.js" --no-lint "${files[@]}"
