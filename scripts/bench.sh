#!/usr/bin/env bash
# Benchmarks in headless Chromium: builds the lab (release); loading and the
# preview on a generated ~100 MB Arrow table (benches/load.mjs); the join and
# group-by and filter analyses on a generated star schema of 10 and 50
# million fact rows beside DuckDB-Wasm on the same files (benches/ops.mjs,
# and outside the lab's worker, benches/ops_web.mjs,
# the same workload as `cargo bench --bench ops`; FACT_ROWS="N …" for
# other sizes); charts
# of 100,000 and 1,000,000 points (benches/chart.mjs); k-means, DBSCAN and
# the silhouette in wasm (benches/ml.mjs) beside the native `cargo bench
# --bench ml` and scikit-learn's isolation forest and MLP autoencoder
# (benches/ml_sklearn.py); k-means and the elbow with one core and with
# helper workers on every core (benches/helpers.mjs).
# RUNS=N for more runs (default 5); ONLY=load, ops, chart, ml or helpers
# for one.
# Prints medians; asserts nothing.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
source scripts/env.sh
work="${CARGO_TARGET_DIR:-target}/bench"
mkdir -p "$work"
# The learning benchmark builds its own module, not the lab.
if [ "${ONLY:-}" != ml ]; then
  trunk build --release --locked --dist "$work/dist"
fi
if [ "${ONLY:-load}" = load ]; then
  # 1.45 million rows of numbers and text: about 100 MB uncompressed.
  cargo run --quiet --locked --bin datalabb -- generate --out "$work/data" --id bench --rows "${ROWS:-1450000}"
  DATALABB_DIST="$work/dist" DATALABB_BENCH_DATA="$work/data" node benches/load.mjs
fi
if [ "${ONLY:-ops}" = ops ]; then
  # DuckDB-Wasm for the comparison (npm, pinned in benches/duckdb).
  npm ci --prefix benches/duckdb --no-audit --no-fund --silent
  # The same analyses outside the lab's worker (benches/ops_web.mjs),
  # built as the worker is (release, wasm-opt -Oz).
  cargo build --release --locked --target wasm32-unknown-unknown --example ops_web
  wasm-bindgen --target web --out-dir "$work/ops_web" \
    "${CARGO_TARGET_DIR:-target}/wasm32-unknown-unknown/release/examples/ops_web.wasm"
  node_modules/.bin/wasm-opt -Oz --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext --enable-mutable-globals --enable-simd \
    "$work/ops_web/ops_web_bg.wasm" -o "$work/ops_web/ops_web_bg.wasm"
  for rows in ${FACT_ROWS:-10000000 50000000}; do
    cargo run --quiet --locked --release --bin datalabb -- generate --star --out "$work/star" --rows "$rows"
    # The lab's answers, from the command line (the same code as the
    # worker), to check DuckDB-Wasm's against.
    mkdir -p "$work/star/answers"
    for name in baseline join group-by filter; do
      link=$(node -e 'console.log(JSON.parse(require("fs").readFileSync(process.argv[1]))[process.argv[2]])' "$work/star/benchmarks.json" "$name")
      cargo run --quiet --locked --release --bin datalabb -- run "$link" --data "$work/star" --out "$work/star/answers/$name.csv" > /dev/null
    done
    DATALABB_DIST="$work/dist" DATALABB_STAR_DATA="$work/star" node benches/ops.mjs
    DATALABB_OPS_WEB="$work/ops_web" DATALABB_STAR_DATA="$work/star" node benches/ops_web.mjs
  done
fi
if [ "${ONLY:-ml}" = ml ]; then
  # The learning workload of `cargo bench --bench ml`, built as the worker
  # is (release, wasm-opt -Oz).
  cargo build --release --locked --target wasm32-unknown-unknown --example ml_web
  wasm-bindgen --target web --out-dir "$work/ml_web" \
    "${CARGO_TARGET_DIR:-target}/wasm32-unknown-unknown/release/examples/ml_web.wasm"
  node_modules/.bin/wasm-opt -Oz --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext --enable-mutable-globals --enable-simd \
    "$work/ml_web/ml_web_bg.wasm" -o "$work/ml_web/ml_web_bg.wasm"
  DATALABB_ML_WEB="$work/ml_web" node benches/ml.mjs
  cargo bench --locked --bench ml
  python3 benches/ml_sklearn.py
fi
if [ "${ONLY:-chart}" = chart ]; then
  cargo run --quiet --locked --bin datalabb -- generate --out "$work/points" --id points --rows 1000000
  DATALABB_DIST="$work/dist" DATALABB_CHART_DATA="$work/points" node benches/chart.mjs
fi
if [ "${ONLY:-helpers}" = helpers ]; then
  cargo run --quiet --locked --bin datalabb -- generate --out "$work/helpers" --id table --rows "${HELPER_ROWS:-200000}"
  DATALABB_DIST="$work/dist" DATALABB_HELPERS_DATA="$work/helpers" node benches/helpers.mjs
fi
