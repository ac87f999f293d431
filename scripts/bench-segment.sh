#!/usr/bin/env bash
# Benchmark: our exact size-constrained K-Medians vs k-means-constrained (PyPI) on the same encoded matrix,
# natively (median of 3 runs, wall and CPU time), plus the same fit compiled to wasm and timed in headless
# Chromium on the same generated 100k rows.
#
# Usage: scripts/bench-segment.sh [--rows 10000,100000,1000000] [--restarts N] [--runs N] [--seed N]
#                                 [--no-python] [--fresh-python] [--no-wasm]
# Installs k-means-constrained into target/bench-venv on first use (needs python3 with venv and PyPI access);
# its results are cached per matrix in target/bench-segment/ (--fresh-python reruns it). The wasm row needs
# the wasm32 target, wasm-bindgen-test-runner and chromedriver (scripts/setup.sh installs them).
set -euo pipefail
cd "$(dirname "$0")/.."
venv=target/bench-venv
python_args=()
native_args=()
wasm=1
for arg in "$@"; do
  case "$arg" in
    --no-wasm) wasm=0 ;;
    *) native_args+=("$arg") ;;
  esac
done
if [[ " ${native_args[*]-} " != *" --no-python "* ]]; then
  if [[ ! -x "$venv/bin/python" ]] || ! "$venv/bin/python" -c "import k_means_constrained" 2>/dev/null; then
    echo "installing k-means-constrained into $venv ..." >&2
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet k-means-constrained
  fi
  python_args=(--python "$venv/bin/python" --python-script scripts/bench_kmc.py)
fi
cargo run --quiet --release -p audience-engine --example bench_segment -- "${python_args[@]}" "${native_args[@]}"

if [[ $wasm == 1 ]]; then
  echo
  echo "wasm (release build, headless Chromium, 100000 rows):"
  log=target/bench-segment/wasm.log
  mkdir -p target/bench-segment
  if BENCH_ROWS=100000 cargo test --release -p audience-app --target wasm32-unknown-unknown \
      --test bench_segment_wasm -- --include-ignored --nocapture >"$log" 2>&1; then
    grep -E '^\| |^wasm run' "$log" || { echo "no timing line in $log" >&2; exit 1; }
  else
    tail -n 30 "$log" >&2
    echo "the wasm benchmark failed; full log in $log" >&2
    exit 1
  fi
fi
