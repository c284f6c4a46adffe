#!/usr/bin/env bash
# Benchmarks in headless Chromium (see benches/load.mjs): builds the lab
# (release), generates a ~100 MB Arrow table and measures. RUNS=N for more
# runs (default 5). Prints medians; asserts nothing.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
source scripts/env.sh
work="${CARGO_TARGET_DIR:-target}/bench"
mkdir -p "$work"
trunk build --release --locked --dist "$work/dist"
# 1.45 million rows of numbers and text: about 100 MB uncompressed.
cargo run --quiet --locked --bin datalabb -- generate --out "$work/data" --id bench --rows "${ROWS:-1450000}"
DATALABB_DIST="$work/dist" DATALABB_BENCH_DATA="$work/data" node benches/load.mjs
