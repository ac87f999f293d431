#!/usr/bin/env bash
# Prints the size of each .wasm and .js under a directory (default dist/), raw and gzip -9.
set -euo pipefail
dir=${1:-dist}
printf '%-44s %12s %12s\n' "file" "raw bytes" "gzip -9"
find "$dir" -maxdepth 1 -type f \( -name '*.wasm' -o -name '*.js' \) | sort | while read -r file; do
  printf '%-44s %12d %12d\n' "$(basename "$file")" "$(stat -c %s "$file")" "$(gzip -9 -c "$file" | wc -c)"
done
