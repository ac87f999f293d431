#!/usr/bin/env bash
# Variable-search benchmark over the default catalog: index load time, nDCG@10 (lexical only,
# embedding only, hybrid) on catalog/bench/queries.json, HNSW recall@10 vs exact cosine, native
# query latency p50/p95 (embedding included), and the catalog artifacts' sizes raw and gzipped.
# Usage: scripts/bench-search.sh        (BENCH_VERBOSE=1 adds the per-query nDCG table)
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release -p audience-engine --example search_bench
./target/release/examples/search_bench catalog/dist catalog/bench/queries.json
echo
echo "## Catalog artifacts"
echo "| file | raw bytes | gzip -9 bytes |"
echo "|---|---|---|"
total_raw=0; total_gz=0
for f in catalog/dist/catalog.jsonl catalog/dist/embed/vocab.txt catalog/dist/embed/table.i8 catalog/dist/hnsw.bin; do
  raw=$(stat -c %s "$f"); gz=$(gzip -9 -c "$f" | wc -c)
  total_raw=$((total_raw + raw)); total_gz=$((total_gz + gz))
  echo "| $f | $raw | $gz |"
done
echo "| total | $total_raw | $total_gz |"
