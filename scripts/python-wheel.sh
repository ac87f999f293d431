#!/usr/bin/env bash
# Builds the Python package (wheel of python/, PyO3 + maturin) into target/wheels/ and installs it into the
# project's venv (.venv/, made by scripts/setup.sh). Usage: scripts/python-wheel.sh [--no-install]
set -euo pipefail
cd "$(dirname "$0")/.."
venv=.venv
[ -x "$venv/bin/maturin" ] || { echo "python-wheel: no $venv/bin/maturin; run scripts/setup.sh first" >&2; exit 1; }
rm -f target/wheels/audience_builder-*.whl
# --locked: the same dependency versions as the rest of the workspace; release profile as the CLI.
"$venv/bin/maturin" build --release --locked --manifest-path python/Cargo.toml \
  --interpreter "$venv/bin/python" --out target/wheels --quiet
wheel=$(ls target/wheels/audience_builder-*.whl)
if [ "${1:-}" != "--no-install" ]; then
  "$venv/bin/pip" install --quiet --force-reinstall --no-deps "$wheel"
fi
echo "python-wheel: built $wheel"
