#!/usr/bin/env bash
# A copy of a release build whose worker wasm keeps its function names, for
# `node tests/bench/trace-steps.mjs --functions N --dist OUT` (the release build's wasm-opt drops them).
#
# Usage: tests/bench/with-names.sh [DIST] [OUT]   (defaults: dist, /tmp/dist-names)
# DIST must be a build of the current sources (scripts/build.sh): its worker.wasm is rebuilt from
# target/wasm32-unknown-unknown/release/worker.wasm with the same wasm-bindgen, then optimised as the
# release build does (wasm-opt -O3) but with -g, which keeps the names; the script checks that the
# JavaScript glue is the one DIST ships.
set -euo pipefail
cd "$(dirname "$0")/../.."
dist=${1:-dist}
out=${2:-/tmp/dist-names}
wasm=target/wasm32-unknown-unknown/release/worker.wasm
[[ -s $wasm && -s $dist/worker.js ]] || { echo "build the app first: scripts/build.sh" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
wasm-bindgen --target no-modules --out-dir "$work" --out-name worker --no-typescript "$wasm"
cmp -s "$work/worker.js" "$dist/worker.js" || {
  echo "the worker's glue differs from $dist/worker.js: rebuild $dist from the current sources" >&2
  exit 1
}
node_modules/.bin/wasm-opt -O3 -g --enable-bulk-memory --enable-nontrapping-float-to-int \
  --enable-sign-ext --enable-mutable-globals "$work/worker_bg.wasm" -o "$work/named.wasm"
rm -rf "$out"
cp -r "$dist" "$out"
cp "$work/named.wasm" "$out/worker_bg.wasm"
echo "$out: $dist with a worker wasm that keeps its function names"
