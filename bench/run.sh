#!/usr/bin/env bash
# Benchmarks terraform-provider-vi against the vSphere provider on the same
# vcsim and the same Terraform, and rewrites bench/results.md and
# bench/results.json. Method and how to obtain the peer: bench/README.md.
#
#   bench/run.sh [options]        the peer in ../shared/peer/ (default_peer below)
#   PEER_PROVIDER=/path/to/terraform-provider-vsphere_vX.Y.Z bench/run.sh [options]
#   bench/run.sh --help
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# The peer shared beside the project's checkouts (shared/peer/README.md there
# says how it was built); PEER_PROVIDER names another.
default_peer="$(cd "$root/.." && pwd)/shared/peer/terraform-provider-vsphere_v2.16.1"

for a in "$@"; do
  if [ "$a" = "-h" ] || [ "$a" = "--help" ]; then
    exec python3 "$root/bench/bench.py" --peer terraform-provider-vsphere_v0.0.0 --help
  fi
done

# Exit code 2 for every input the bench lacks.
refuse() {
  echo "bench: $1" >&2
  exit 2
}

refuse_peer() {
  cat >&2 <<EOF
bench: $1
The benchmark compares this provider with the vSphere provider, and cannot
fetch or build that provider itself: its code is not part of this project and
its Go module cannot be downloaded here. Build it yourself from a checkout of
the vSphere provider's repository at its latest release tag, outside this
repository (see "The peer binary" in bench/README.md), then pass the binary:
  PEER_PROVIDER=/path/to/terraform-provider-vsphere_vX.Y.Z bench/run.sh
or put it where the bench looks when PEER_PROVIDER is unset:
  $default_peer
EOF
  exit 2
}

peer="${PEER_PROVIDER:-}"
what="PEER_PROVIDER=$peer"
if [ -z "$peer" ]; then
  [ -e "$default_peer" ] || refuse_peer "PEER_PROVIDER is not set, and the default peer $default_peer does not exist."
  peer="$default_peer"
  what="The default peer $peer"
fi
[ -f "$peer" ] || refuse_peer "$what does not exist."
[ -x "$peer" ] || refuse_peer "$what is not executable."
[[ "$(basename "$peer")" =~ ^terraform-provider-vsphere_v[0-9]+\.[0-9]+\.[0-9]+$ ]] ||
  refuse_peer "$what is not named terraform-provider-vsphere_vX.Y.Z (the name gives the version Terraform installs)."
command -v curl >/dev/null || refuse "curl is needed for the upload baseline."
command -v openssl >/dev/null || refuse "openssl is needed to make the go-plugin client certificate."

# The pinned tools are shared; installing them is scripts/tools.sh's job.
for t in terraform vcsim; do
  [ -x "$root/.tools/bin/$t" ] || refuse "$root/.tools/bin/$t is missing: run scripts/tools.sh first."
done
(cd "$root" && cargo build --release --locked --bin terraform-provider-vi --example bench_upload)
exec python3 "$root/bench/bench.py" --peer "$(cd "$(dirname "$peer")" && pwd)/$(basename "$peer")" "$@"
