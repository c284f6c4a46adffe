#!/usr/bin/env bash
# Sets up, builds the lab (release) and serves it at http://127.0.0.1:8080
# with the published datasets. PORT=9000 scripts/serve.sh picks another port.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
source scripts/env.sh

# The datasets the lab shows: publish them (from the mirror when there is
# one, else from upstream). An unchanged source changes nothing, so this is
# cheap when they are up to date.
echo "[serve] publishing the datasets to public/data"
if ! cargo run --quiet --locked --bin datalabb -- publish; then
  if [ -f public/data/catalog.json ]; then
    echo "[serve] publishing failed (above); serving the datasets published before" >&2
  else
    echo "[serve] publishing failed (above) and nothing was published before" >&2
    exit 1
  fi
fi

echo "[serve] building the lab (release)"
trunk build --release --locked
exec node scripts/static-server.mjs --root dist --host 127.0.0.1 --port "${PORT:-8080}"
