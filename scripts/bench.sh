#!/usr/bin/env bash
# Benchmarks in headless Chromium: builds the lab (release); loading and the
# preview on a generated ~100 MB Arrow table (benches/load.mjs); the join and
# group-by analyses on a generated star schema of 10 million fact rows
# (benches/ops.mjs, the same workload as `cargo bench --bench ops`); charts
# of 100,000 and 1,000,000 points (benches/chart.mjs).
# RUNS=N for more runs (default 5); ONLY=load, ONLY=ops or ONLY=chart for one.
# Prints medians; asserts nothing.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
source scripts/env.sh
work="${CARGO_TARGET_DIR:-target}/bench"
mkdir -p "$work"
trunk build --release --locked --dist "$work/dist"
if [ "${ONLY:-load}" = load ]; then
  # 1.45 million rows of numbers and text: about 100 MB uncompressed.
  cargo run --quiet --locked --bin datalabb -- generate --out "$work/data" --id bench --rows "${ROWS:-1450000}"
  DATALABB_DIST="$work/dist" DATALABB_BENCH_DATA="$work/data" node benches/load.mjs
fi
if [ "${ONLY:-ops}" = ops ]; then
  cargo run --quiet --locked --bin datalabb -- generate --star --out "$work/star" --rows "${FACT_ROWS:-10000000}"
  DATALABB_DIST="$work/dist" DATALABB_STAR_DATA="$work/star" node benches/ops.mjs
fi
if [ "${ONLY:-chart}" = chart ]; then
  cargo run --quiet --locked --bin datalabb -- generate --out "$work/points" --id points --rows 1000000
  DATALABB_DIST="$work/dist" DATALABB_CHART_DATA="$work/points" node benches/chart.mjs
fi
