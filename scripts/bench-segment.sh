#!/usr/bin/env bash
# Benchmark: our exact size-constrained K-Medians vs k-means-constrained (PyPI) on the same encoded matrix.
# Usage: scripts/bench-segment.sh [--rows 10000,100000,1000000] [--restarts N] [--seed N] [--no-python]
# Installs k-means-constrained into target/bench-venv on first use (needs python3 with venv and PyPI access).
set -euo pipefail
cd "$(dirname "$0")/.."
venv=target/bench-venv
python_args=()
if [[ " $* " != *" --no-python "* ]]; then
  if [[ ! -x "$venv/bin/python" ]] || ! "$venv/bin/python" -c "import k_means_constrained" 2>/dev/null; then
    echo "installing k-means-constrained into $venv ..." >&2
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet k-means-constrained
  fi
  python_args=(--python "$venv/bin/python" --python-script scripts/bench_kmc.py)
fi
cargo run --quiet --release -p audience-engine --example bench_segment -- "${python_args[@]}" "$@"
