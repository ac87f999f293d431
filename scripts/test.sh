#!/usr/bin/env bash
# README command 2: install what is missing, then run every check and test suite:
#   1. formatting and clippy (native, and the app for wasm32)
#   2. native tests of the whole workspace (cargo test)
#   3. the app's wasm facade, inside a real worker in headless Chromium (wasm-bindgen-test)
#   4. the Python package (wheel built by scripts/python-wheel.sh) against the CLI, and its Spark segmentation in
#      local mode (pytest, python/tests/)
#   5. the release build, then end-to-end tests that click through the real page in headless Chromium
#      (node's test runner + playwright-core driving Debian's /usr/bin/chromium)
set -euo pipefail
cd "$(dirname "$0")/.."
# No test reads the terminal; a stray stdin must never reach a tool (rustc reads its target probe from stdin).
exec </dev/null
section() { printf '\n=== %s\n' "$*"; }

section "setup"
scripts/setup.sh

section "format and lint"
cargo fmt --all -- --check
cargo clippy --workspace --all-targets --locked -- -D warnings
cargo clippy -p audience-app --target wasm32-unknown-unknown --locked -- -D warnings
PYO3_PYTHON="$PWD/.venv/bin/python" cargo clippy -p audience-python --features python --all-targets --locked -- -D warnings

section "native tests"
cargo test --workspace --locked

section "Python package and Spark (pytest)"
scripts/python-wheel.sh
AUDIENCE_CLI=target/debug/audience .venv/bin/python -m pytest python/tests -q -p no:cacheprovider

section "wasm facade in headless Chromium"
cargo test -p audience-app --target wasm32-unknown-unknown --locked

section "release build"
scripts/build.sh

section "end-to-end tests in headless Chromium"
node --test --test-concurrency=1 tests/e2e/
