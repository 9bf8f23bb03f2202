#!/usr/bin/env bash
# Runs every test of the repository: installs what the tests need, then the repository checks,
# the unit and integration tests (which boot the real `vigil` binary and real reference servers)
# and the conformance suites with their known-failure lists.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-test-deps.sh

echo "== repository checks (dependency direction, tidy)"
cargo run --quiet -p xtask

echo "== cargo fmt --check"
cargo fmt --all --check

echo "== cargo clippy (workspace, all targets, warnings are errors)"
cargo clippy --workspace --all-targets -- -D warnings

echo "== cargo test (workspace)"
cargo test --workspace --no-fail-fast "$@"
