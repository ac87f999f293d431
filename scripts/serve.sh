#!/usr/bin/env bash
# README command 1: install what is missing, build the release app, and serve it on http://127.0.0.1:$PORT/.
set -euo pipefail
cd "$(dirname "$0")/.."
PORT=${PORT:-8080}
scripts/setup.sh
scripts/build.sh
echo
echo "Audience Builder is at http://127.0.0.1:$PORT/  (Ctrl-C stops it)"
exec python3 -m http.server "$PORT" --bind 127.0.0.1 --directory dist
