#!/usr/bin/env bash
# Benchmark: our exact size-constrained K-Medians vs k-means-constrained (PyPI) on the same encoded matrix,
# natively (median of 3 runs, wall and CPU time); then end to end on the same 100k rows written as a CSV
# file: `audience segment` (read, encode, fit, write the clustered CSV) against the pandas +
# k-means-constrained pipeline of scripts/bench_pipeline.py (read_csv, scale and one-hot, fit, to_csv), each
# timed as a whole process, fresh in every run of this script; plus the same fit compiled to wasm and timed
# in headless Chromium on the same generated 100k rows.
#
# Usage: scripts/bench-segment.sh [--rows 10000,100000,1000000] [--restarts N] [--runs N] [--seed N]
#                                 [--no-python] [--fresh-python] [--no-wasm] [--pipeline-n-init N]
# --pipeline-n-init N: the end-to-end pipeline's KMeansConstrained restarts (default 1, one full fit; the
# library's own default, which a script that does not set n_init gets, is 10).
# Installs k-means-constrained into target/bench-venv on first use (needs python3 with venv and PyPI access);
# its results are cached per matrix in target/bench-segment/ (--fresh-python reruns it). The wasm row needs
# the wasm32 target, wasm-bindgen-test-runner and chromedriver (scripts/setup.sh installs them).
set -euo pipefail
cd "$(dirname "$0")/.."
venv=target/bench-venv
python_args=()
native_args=()
wasm=1
pipeline_n_init=1
while [[ $# -gt 0 ]]; do
  case "$1" in
    --no-wasm) wasm=0 ;;
    --pipeline-n-init) pipeline_n_init=${2:?--pipeline-n-init N}; shift ;;
    *) native_args+=("$1") ;;
  esac
  shift
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

if [[ ${#python_args[@]} -gt 0 ]]; then
  # End to end, on the fit table's 100k rows (seed 1) as a CSV file: k = 14, shares 5–10 %.
  dir=target/bench-segment
  csv=$dir/mixed-100000.csv
  mkdir -p "$dir"
  [[ -s $csv ]] || cargo run --quiet --release -p audience-engine --example bench_segment -- \
    --write-csv 100000 "$csv" --seed 1
  cargo build --quiet --release -p audience-cli
  TIMEFORMAT=%3R
  ours=()
  for _ in 1 2 3; do
    ours+=("$( { time target/release/audience segment "$csv" --k 14 --min 0.05 --max 0.10 --seed 1 \
      --out "$dir/clustered-ours.csv" --json >"$dir/ours.json" 2>/dev/null; } 2>&1 )")
  done
  theirs=$( { time "$venv/bin/python" scripts/bench_pipeline.py "$csv" 14 0.05 0.10 1 \
    "$dir/clustered-pipeline.csv" "$pipeline_n_init" >"$dir/pipeline.json"; } 2>&1 )
  "$venv/bin/python" - "$dir/ours.json" "$dir/pipeline.json" "$pipeline_n_init" "$theirs" "${ours[@]}" <<'PY'
import json, statistics, sys
ours_json, theirs_json, n_init, theirs, *ours = sys.argv[1:]
o, t = json.load(open(ours_json)), json.load(open(theirs_json))
ours_s, theirs_s = statistics.median(map(float, ours)), float(theirs)
print()
print("end to end, 100,000 rows x 12 columns CSV (%s), k = 14, shares 5-10 %%, whole process:" % ours_json.rsplit("/", 1)[0])
print("| tool | time (s) | of which fit (s) | smallest / largest segment (rows) | notes |")
print("|---|---:|---:|---|---|")
print("| audience segment (release) | %.3f | %.3f | %d / %d | median of 3 (%s); read %.3f, encode %.3f, write %.3f |" % (
    ours_s, o["seconds"]["segment"], min(o["sizes"]), max(o["sizes"]), " / ".join(ours),
    o["seconds"]["read"], o["seconds"]["encode"], o["seconds"]["write"]))
print("| pandas + k-means-constrained (n_init=%s) | %.3f | %.3f | %d / %d | one run; peak RSS %.0f MB |" % (
    n_init, theirs_s, t["fit_seconds"], t["min_size"], t["max_size"], t["peak_rss_mb"]))
print("end to end, ours is %.0fx faster (target >= 150x)" % (theirs_s / ours_s))
PY
fi

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
