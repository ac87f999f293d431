#!/usr/bin/env bash
# Installs everything the build and the tests need, on a fresh Debian machine of this project's kind.
# Idempotent: each step checks what is there (and at which version) and does nothing when it is right.
#   - Rust target wasm32-unknown-unknown (rustup)
#   - Debian chromium + chromium-driver (browser tests)
#   - wasm-bindgen-cli at exactly the wasm-bindgen version in Cargo.lock
#   - trunk 0.21.14 (the newest release that builds on rustc 1.95; 0.22 needs 1.96.1)
#   - npm devDependencies: binaryen (wasm-opt for Trunk), playwright-core (end-to-end tests), axe-core (their accessibility audit)
#   - the Python package's build and tests: Debian's headless JDK (Spark) and python3-venv, and a venv at .venv/
#     with python/requirements-dev.txt (maturin, pyspark, pandas, pyarrow, pytest)
set -euo pipefail
cd "$(dirname "$0")/.."

TRUNK_VERSION=0.21.14
log_dir=target/setup-logs
mkdir -p "$log_dir"
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
say() { printf '[setup] %s\n' "$*"; }

rustup target add wasm32-unknown-unknown >/dev/null 2>&1 || rustup target add wasm32-unknown-unknown

if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then
  say "installing Debian chromium and chromium-driver"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >"$log_dir/apt.log" 2>&1 \
    || { tail -n 30 "$log_dir/apt.log"; exit 1; }
fi

wasm_bindgen_version=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)
[ -n "$wasm_bindgen_version" ] || { echo "setup: no wasm-bindgen in Cargo.lock" >&2; exit 1; }

pids=()
if [ "$(wasm-bindgen --version 2>/dev/null)" != "wasm-bindgen $wasm_bindgen_version" ]; then
  say "installing wasm-bindgen-cli $wasm_bindgen_version (about 5 minutes)"
  # Not --locked: its lockfile wants a webpki-roots version the registry mirror lacks.
  cargo install wasm-bindgen-cli --version "$wasm_bindgen_version" --force >"$log_dir/wasm-bindgen-cli.log" 2>&1 &
  pids+=("$!:wasm-bindgen-cli")
fi
if [ "$(trunk --version 2>/dev/null)" != "trunk $TRUNK_VERSION" ]; then
  say "installing trunk $TRUNK_VERSION (about 12 minutes)"
  cargo install "trunk@$TRUNK_VERSION" --locked --force >"$log_dir/trunk.log" 2>&1 &
  pids+=("$!:trunk")
fi
lock_stamp=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ "$(cat node_modules/.setup-stamp 2>/dev/null)" != "$lock_stamp" ]; then
  say "installing npm devDependencies (binaryen, playwright-core, axe-core)"
  npm ci --no-audit --no-fund --loglevel=error
  echo "$lock_stamp" > node_modules/.setup-stamp
fi
debs=()
command -v java >/dev/null || debs+=(default-jdk-headless)
python3 -c 'import ensurepip, venv' >/dev/null 2>&1 || debs+=(python3 python3-venv)
if [ "${#debs[@]}" -gt 0 ]; then
  say "installing Debian ${debs[*]} (Python package and Spark tests)"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${debs[@]}" >"$log_dir/apt-python.log" 2>&1 \
    || { tail -n 30 "$log_dir/apt-python.log"; exit 1; }
fi
python_stamp=$(sha256sum python/requirements-dev.txt | cut -d' ' -f1)
if [ "$(cat .venv/.setup-stamp 2>/dev/null)" != "$python_stamp" ]; then
  say "installing the Python venv .venv/ (maturin, pyspark, pandas, pyarrow, pytest; about 2 minutes)"
  python3 -m venv .venv
  .venv/bin/pip install --quiet --disable-pip-version-check -r python/requirements-dev.txt >"$log_dir/pip.log" 2>&1 \
    || { tail -n 30 "$log_dir/pip.log"; exit 1; }
  echo "$python_stamp" > .venv/.setup-stamp
fi
for entry in "${pids[@]}"; do
  pid=${entry%%:*} name=${entry#*:}
  wait "$pid" || { echo "setup: installing $name failed:" >&2; tail -n 30 "$log_dir/$name.log" >&2; exit 1; }
done

# Trunk runs cargo with --offline, so every crate must be in the local registry first.
cargo fetch --locked >/dev/null 2>&1 || cargo fetch --locked
say "ready: $(rustc --version), $(trunk --version), $(wasm-bindgen --version), wasm-opt $(node_modules/.bin/wasm-opt --version | awk '{print $3}'), $(chromium --version 2>/dev/null | head -n1)"
