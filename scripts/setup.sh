#!/usr/bin/env bash
# Installs everything the lab needs to build, serve and test, and skips what
# is already present, so it is cheap to run before every command.
#
#   - the wasm32-unknown-unknown Rust target
#   - trunk (pinned), and the wasm-bindgen CLI equal to Cargo.lock's wasm-bindgen
#   - Debian's Chromium and ChromeDriver (test tools never download a browser)
#   - the Node packages in package-lock.json: playwright-core, and binaryen,
#     whose wasm-opt works (Debian's wasm-opt 108 corrupts the module)
#   - Debian's OpenJDK 17 (or a newer Java), which Apache Spark runs on
#   - the Python packages in requirements-test.txt (pyarrow, to read back
#     published files; scikit-learn; the SQL engines, pyspark among them)
set -euo pipefail
cd "$(dirname "$0")/.."

TRUNK_VERSION=0.21.14
log() { printf '[setup] %s\n' "$*"; }
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"

# A prefix for commands that need root, when not root.
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

# --- Rust: the wasm target ---------------------------------------------------
if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  log "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

# --- The wasm-bindgen version: Cargo.toml, Cargo.lock and Trunk.toml agree ----
lock_version=$(awk '$0 == "name = \"wasm-bindgen\"" { getline; gsub(/"/, "", $3); print $3; exit }' Cargo.lock)
if [ -z "$lock_version" ]; then
  echo "[setup] error: no wasm-bindgen in Cargo.lock" >&2
  exit 1
fi
if ! grep -q "wasm-bindgen = \"=$lock_version\"" Cargo.toml || ! grep -q "wasm_bindgen = \"$lock_version\"" Trunk.toml; then
  echo "[setup] error: Cargo.lock has wasm-bindgen $lock_version; pin the same in Cargo.toml (\"=$lock_version\") and Trunk.toml" >&2
  exit 1
fi

# --- trunk and wasm-bindgen-cli ----------------------------------------------
if ! trunk --version 2>/dev/null | grep -qw "$TRUNK_VERSION"; then
  log "installing trunk $TRUNK_VERSION (about 12 minutes on 2 cores, once)"
  cargo install trunk --version "$TRUNK_VERSION" --locked
fi
if ! wasm-bindgen --version 2>/dev/null | grep -qw "$lock_version"; then
  log "installing wasm-bindgen-cli $lock_version (about 2 minutes, once)"
  # Not --locked: its lock file pins a yanked crate.
  cargo install wasm-bindgen-cli --version "$lock_version" --force
fi

# --- Debian: Chromium and ChromeDriver ---------------------------------------
if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromedriver ]; then
  log "installing Debian's chromium and chromium-driver"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver
fi

# --- Debian: Java for Spark (the SQL test's cluster engine, local mode) -------
java_major=$(java -version 2>&1 | awk -F'"' '/version/ { split($2, v, "."); print v[1]; exit }' || true)
if [ "${java_major:-0}" -lt 17 ] 2>/dev/null; then
  log "installing Debian's openjdk-17-jre-headless (Spark 4 needs Java 17)"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq openjdk-17-jre-headless
fi

# --- Node packages -----------------------------------------------------------
lock_sum=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ "$(cat node_modules/.datalabb-lock 2>/dev/null)" != "$lock_sum" ]; then
  log "installing the Node packages (npm ci)"
  PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error
  echo "$lock_sum" > node_modules/.datalabb-lock
fi

# --- Python packages ---------------------------------------------------------
if ! python3 - requirements-test.txt <<'PY' 2>/dev/null
import sys
from importlib.metadata import version
for line in open(sys.argv[1]):
    line = line.split("#")[0].strip()
    if line:
        name, wanted = line.split("==")
        if version(name) != wanted:
            sys.exit(1)
PY
then
  log "installing the Python test packages"
  python3 -m pip install --quiet --disable-pip-version-check -r requirements-test.txt
fi

log "ready: $(trunk --version), wasm-bindgen $lock_version, $(node_modules/.bin/wasm-opt --version | cut -d' ' -f1-3), $(/usr/bin/chromium --version 2>/dev/null | head -1)"
