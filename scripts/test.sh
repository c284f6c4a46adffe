#!/usr/bin/env bash
# Sets up and runs every check and test of the lab, then prints one summary
# line: `summary: N passed, M failed`.
#
#   format, clippy (native and wasm32, warnings denied), native tests,
#   browser unit tests (wasm-bindgen-test in headless Chromium), a release
#   build, and the end-to-end browser tests against it on a free local port.
#
# Each phase prints its duration. A check (format, lint, build) counts as one
# test; a test phase counts its test cases, or one failure if it could not run.
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

passed=0
failed=0
failed_phases=()
timings=()
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# phase NAME KIND COMMAND...: runs COMMAND, shows its output, counts results.
# KIND is "check" (one pass or fail), or "cargo", "pytest" or "node"
# (counted test cases).
phase() {
  local name=$1 kind=$2
  shift 2
  local log="$work/phase.log" start=$SECONDS rc
  printf '\n=== %s\n' "$name"
  "$@" 2>&1 | tee "$log"
  rc=${PIPESTATUS[0]}
  local took=$((SECONDS - start)) p=0 f=0
  case $kind in
    cargo)
      p=$(awk '/^test result:/ { for (i = 1; i < NF; i++) if ($(i + 1) ~ /^passed/) s += $i } END { print s + 0 }' "$log")
      f=$(awk '/^test result:/ { for (i = 1; i < NF; i++) if ($(i + 1) ~ /^failed/) s += $i } END { print s + 0 }' "$log") ;;
    pytest)
      p=$(tail -n 1 "$log" | grep -oE '[0-9]+ passed' | awk '{s += $1} END {print s + 0}')
      f=$(tail -n 1 "$log" | grep -oE '[0-9]+ (failed|error)' | awk '{s += $1} END {print s + 0}') ;;
    node)
      p=$(grep -E '^# pass ' "$log" | awk '{s += $3} END {print s + 0}')
      f=$(grep -E '^# fail ' "$log" | awk '{s += $3} END {print s + 0}') ;;
    check)
      if [ "$rc" -eq 0 ]; then p=1; else f=1; fi ;;
  esac
  p=${p:-0}
  f=${f:-0}
  # A phase that failed without a counted failure (it did not compile, say).
  if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
  passed=$((passed + p))
  failed=$((failed + f))
  [ "$rc" -ne 0 ] && failed_phases+=("$name")
  timings+=("$(printf '%-28s %4ds  %s passed, %s failed' "$name" "$took" "$p" "$f")")
  return "$rc"
}

summary() {
  printf '\n=== phase timings\n'
  printf '%s\n' "${timings[@]}"
  [ ${#failed_phases[@]} -gt 0 ] && printf 'failed phases: %s\n' "${failed_phases[*]}"
  printf '\nsummary: %d passed, %d failed\n' "$passed" "$failed"
  [ "$failed" -eq 0 ]
}

if ! phase "setup" check scripts/setup.sh; then
  summary
  exit 1
fi
source scripts/env.sh

phase "format" check cargo fmt --all --check
phase "clippy native" check cargo clippy --locked --all-targets -- -D warnings
phase "clippy wasm32" check cargo clippy --locked --all-targets --target wasm32-unknown-unknown -- -D warnings
phase "native tests" cargo cargo test --locked
phase "browser unit tests" cargo env WASM_BINDGEN_TEST_TIMEOUT=120 \
  cargo test --locked --target wasm32-unknown-unknown --test web

# Publish the real datasets from the mirror, then read them back with pyarrow
# (and compare the SQL engines and scikit-learn: half an hour at most).
published="$work/published"
mirror="${DATALABB_MIRROR:-../shared/data/raw}"
if phase "publish datasets" check cargo run --quiet --locked --bin datalabb -- publish --mirror "$mirror" --out "$published"; then
  phase "published files, ml vs scikit-learn (pytest)" pytest env DATALABB_PUBLISHED="$published" DATALABB_MIRROR="$mirror" \
    DATALABB_CLI="${CARGO_TARGET_DIR:-$ROOT/target}/debug/datalabb" \
    timeout --kill-after=30 1800 python3 -m pytest -q -p no:cacheprovider tests/python
fi

# The end-to-end tests run against a release build, with the fixture
# catalog and with the published datasets. A test has five minutes and the
# phase forty; the runner exits when its tests are done, whatever a failed
# test left open.
dist="$work/dist"
if phase "release build" check trunk build --release --locked --dist "$dist" &&
  phase "fixture data" check cargo run --quiet --locked --bin datalabb -- fixtures --out "$work/fixtures" &&
  phase "million-row fixture" check cargo run --quiet --locked --bin datalabb -- generate \
    --out "$work/million" --id million --rows 1000000; then
  phase "end-to-end tests" node env DATALABB_DIST="$dist" DATALABB_FIXTURES="$work/fixtures" \
    DATALABB_PUBLISHED="$published" DATALABB_MILLION="$work/million" DATALABB_ARTIFACTS="$ROOT/test-results" \
    DATALABB_CLI="${CARGO_TARGET_DIR:-$ROOT/target}/debug/datalabb" \
    timeout --kill-after=30 2400 node --test --test-force-exit --test-timeout=300000 \
    --test-reporter=tap --test-concurrency=1 tests/e2e/
fi

summary
