#!/usr/bin/env bash
# A copy of a release build whose wasm modules (the engine worker's and the page's) keep their function
# names, for `node tests/bench/trace-steps.mjs --functions N --dist OUT` (the release build's wasm-opt drops
# them).
#
# Usage: tests/bench/with-names.sh [DIST] [OUT]   (defaults: dist, /tmp/dist-names)
# DIST must be a build of the current sources (scripts/build.sh): its worker.wasm is rebuilt from
# target/wasm32-unknown-unknown/release/worker.wasm and its page wasm from
# target/wasm32-unknown-unknown/wasm-release/app.wasm with the same wasm-bindgen, then optimised as the
# release build does (wasm-opt -O3 and -Oz) but with -g, which keeps the names; the script checks that the
# JavaScript glue is the one DIST ships.
set -euo pipefail
cd "$(dirname "$0")/../.."
dist=${1:-dist}
out=${2:-/tmp/dist-names}
wasm=target/wasm32-unknown-unknown/release/worker.wasm
app_wasm=target/wasm32-unknown-unknown/wasm-release/app.wasm
app_js=$(cd "$dist" && ls app-*.js)
[[ -s $wasm && -s $app_wasm && -s $dist/worker.js && -n $app_js ]] || { echo "build the app first: scripts/build.sh" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
wasm-bindgen --target no-modules --out-dir "$work" --out-name worker --no-typescript "$wasm"
cmp -s "$work/worker.js" "$dist/worker.js" || {
  echo "the worker's glue differs from $dist/worker.js: rebuild $dist from the current sources" >&2
  exit 1
}
# The worker's own wasm-opt options, as app/index.html gives them to Trunk.
read -r -a worker_params <<<"$(sed -n 's/.*data-bin="worker".*data-wasm-opt-params="\([^"]*\)".*/\1/p' app/index.html)"
node_modules/.bin/wasm-opt -O3 -g "${worker_params[@]}" --enable-bulk-memory --enable-nontrapping-float-to-int \
  --enable-sign-ext --enable-mutable-globals "$work/worker_bg.wasm" -o "$work/named.wasm"
wasm-bindgen --target web --out-dir "$work" --out-name app --no-typescript "$app_wasm"
cmp -s <(sed "s/${app_js%.js}/app/g" "$dist/$app_js") "$work/app.js" || {
  echo "the page's glue differs from $dist/$app_js: rebuild $dist from the current sources" >&2
  exit 1
}
node_modules/.bin/wasm-opt -Oz -g --enable-bulk-memory --enable-nontrapping-float-to-int \
  --enable-sign-ext --enable-mutable-globals "$work/app_bg.wasm" -o "$work/app-named.wasm"
rm -rf "$out"
cp -r "$dist" "$out"
cp "$work/named.wasm" "$out/worker_bg.wasm"
cp "$work/app-named.wasm" "$out/${app_js%.js}_bg.wasm"
# The page preloads its wasm with the shipped file's hash: give it the named file's.
old=$(openssl dgst -sha384 -binary "$dist/${app_js%.js}_bg.wasm" | openssl base64 -A)
new=$(openssl dgst -sha384 -binary "$out/${app_js%.js}_bg.wasm" | openssl base64 -A)
grep -qF "sha384-$old" "$out/index.html" || { echo "$dist/index.html does not preload ${app_js%.js}_bg.wasm by its hash" >&2; exit 1; }
sed -i "s|sha384-$old|sha384-$new|" "$out/index.html"
echo "$out: $dist with wasm modules that keep their function names"
