#!/usr/bin/env bash
# Builds the release app into dist/ with Trunk (offline, local wasm-bindgen and npm's wasm-opt) and prints
# the size of every shipped .wasm, raw and gzipped (-9).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/node_modules/.bin:$PATH"
trunk build --release >target/trunk-build.log 2>&1 || { tail -n 60 target/trunk-build.log; exit 1; }
scripts/sizes.sh dist
