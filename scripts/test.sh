#!/usr/bin/env bash
# Runs every check and every test: formatting, clippy, unit tests, and the
# acceptance tests (real Terraform CLI against real vcsim, every example
# included). Installs the pinned tools first. CI runs exactly this.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

"$root/scripts/tools.sh"

echo "== cargo fmt --check"
cargo fmt --all -- --check

echo "== cargo clippy"
cargo clippy --all-targets --locked -- -D warnings

# Acceptance tests mostly wait on terraform and vcsim processes, so they
# run wider than the two cores.
echo "== cargo test"
cargo test --all-targets --locked -- --test-threads "${TEST_THREADS:-6}"
