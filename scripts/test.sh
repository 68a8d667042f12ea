#!/usr/bin/env bash
# Runs every check and every test: formatting, clippy, the simulator's Go
# tests, a bounded fuzzing run, unit tests, and the acceptance tests (real
# Terraform CLI against vcsim-plus, every example included) — once with
# Terraform 1.0.3, and the tests that drive a CLI once more with OpenTofu.
# Installs the pinned tools first.
# CI runs exactly this.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

"$root/scripts/tools.sh"

echo "== cargo fmt --check"
cargo fmt --all -- --check

echo "== cargo clippy"
cargo clippy --all-targets --locked -- -D warnings

# The simulator the acceptance tests run against: its own Go tests (each
# starts it in process and drives it over HTTPS SOAP), vet and formatting.
echo "== sim/ (vcsim-plus): gofmt, go vet, go test"
unformatted=$(cd "$root/sim" && gofmt -l .)
[ -z "$unformatted" ] || { echo "gofmt would change: $unformatted" >&2; exit 1; }
(cd "$root/sim" && go vet ./... && go test ./...)

# Each fuzz target for FUZZ_SECONDS (20 s by default).
echo "== fuzz"
"$root/scripts/fuzz.sh"

# Acceptance tests mostly wait on terraform and vcsim processes, so they
# run wider than the two cores.
echo "== cargo test (Terraform 1.0.3)"
cargo test --all-targets --locked -- --test-threads "${TEST_THREADS:-6}"

# The same acceptance tests with OpenTofu, minus those that never start a
# CLI (they would only repeat themselves).
echo "== acceptance tests (OpenTofu)"
TF_ACC_CLI=tofu cargo test --test acceptance --locked -- --test-threads "${TEST_THREADS:-6}" \
  --skip vi_client:: --skip vi_library:: --skip vi_datastore_file:: --skip docs:: \
  --skip random_configurations_end_in_diagnostics_never_a_panic
