#!/usr/bin/env bash
# Installs the reference implementations the tests talk to, from Debian's packages:
# - prometheus 2.42 (the `prometheus` server and `promtool`): oracle for config checks,
#   PromQL differential tests and `promtool query` client tests.
# Also the rustfmt and clippy components the checks need.
# Idempotent and quiet when everything is already there.
set -euo pipefail
need=()
command -v promtool >/dev/null 2>&1 || need+=(prometheus)
command -v prometheus >/dev/null 2>&1 || need+=(prometheus)
if [ ${#need[@]} -gt 0 ]; then
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  echo "== installing Debian packages: ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -q >/dev/null
  # The packages' postinst cannot start services here (no init); the binaries are what we need.
  $SUDO apt-get install -y -q --no-install-recommends "${need[@]}" >/dev/null
fi
promtool --version 2>&1 | head -1
# The test command runs `cargo fmt --check` and `cargo clippy`.
if command -v rustup >/dev/null 2>&1; then
  for c in rustfmt clippy; do
    rustup component list --installed 2>/dev/null | grep -q "^$c" || rustup component add "$c"
  done
fi
