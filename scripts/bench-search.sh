#!/usr/bin/env bash
# Variable-search benchmark over the default catalog: index load time, nDCG@10 (plain BM25,
# BM25 + synonyms, embedding only, hybrid RRF and score fusion; all queries, tuning half, held-out
# half) on catalog/bench/queries.json, HNSW recall@10 vs exact cosine, query latency p50/p95
# (embedding included) natively and in headless Chromium (wasm, in a worker, with the index-ready
# time there), and the catalog artifacts' sizes raw and gzipped.
# Usage: scripts/bench-search.sh   (BENCH_VERBOSE=1: per-query nDCG; BENCH_SWEEP=1: fusion weights;
#                                   BENCH_EF=1: recall and latency per ef_search;
#                                   SKIP_WASM=1: native rows only)
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release -p audience-search --example search_bench
./target/release/examples/search_bench catalog/dist catalog/bench/queries.json catalog/bench/queries-heldout.json catalog/bench/requests-tables.json
if [ -z "${SKIP_WASM:-}" ]; then
  echo
  echo "## In the browser (wasm32, release, headless Chromium, dedicated worker; app/tests/search_wasm.rs)"
  echo "| where | figure | value |"
  echo "|---|---|---|"
  cargo test -p audience-app --release --target wasm32-unknown-unknown --features search-bench \
    --test search_wasm -- --nocapture 2>&1 | tee /tmp/bench-search-wasm.log | grep -E '^\| wasm' || {
    echo "wasm benchmark failed; see /tmp/bench-search-wasm.log" >&2; exit 1; }
  grep -E 'SEARCH-BENCH' /tmp/bench-search-wasm.log | sed 's/^/    /'
fi
echo
echo "## Catalog artifacts"
echo "| file (fetched by the app) | raw bytes | gzip -9 bytes |"
echo "|---|---|---|"
total_raw=0; total_gz=0
for f in catalog/dist/catalog.bin catalog/dist/embed/vocab.txt catalog/dist/embed/table.i8 catalog/dist/hnsw.bin; do
  raw=$(stat -c %s "$f"); gz=$(gzip -9 -c "$f" | wc -c)
  total_raw=$((total_raw + raw)); total_gz=$((total_gz + gz))
  echo "| $f | $raw | $gz |"
done
echo "| total | $total_raw | $total_gz |"
echo "(catalog/dist/catalog.jsonl, the packed catalog's source: $(stat -c %s catalog/dist/catalog.jsonl) bytes, $(gzip -9 -c catalog/dist/catalog.jsonl | wc -c) gzipped; not fetched)"
