#!/usr/bin/env bash
# Sets up, builds the lab (release) and serves it at http://127.0.0.1:8080
# with the published datasets. PORT=9000 scripts/serve.sh picks another port.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
source scripts/env.sh

# The data the lab shows: until datasets are published, a generated catalog.
if [ ! -f public/data/catalog.json ]; then
  echo "[serve] no published catalog yet: writing the fixture catalog to public/data"
  cargo run --quiet --locked --bin datalabb -- fixtures --out public/data
fi

echo "[serve] building the lab (release)"
trunk build --release --locked
exec node scripts/static-server.mjs --root dist --host 127.0.0.1 --port "${PORT:-8080}"
