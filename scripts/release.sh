#!/usr/bin/env bash
# Builds the release archives in the layout registries and
# `terraform providers mirror` use, for this machine's platform:
#
#   dist/terraform-provider-vi_<version>_<os>_<arch>.zip   (terraform-provider-vi_v<version> inside)
#   dist/terraform-provider-vi_<version>_SHA256SUMS
#   dist/terraform-provider-vi_<version>_manifest.json     (protocol 5)
#
# Options: --out DIR (default dist/), --binary PATH (package that binary
# instead of building one; the tests use it). Install the zip through a
# packed filesystem mirror as the README shows.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="$root/dist"
binary=
while [ $# -gt 0 ]; do
  case "$1" in
    --out) out=$2; shift 2 ;;
    --binary) binary=$2; shift 2 ;;
    *) echo "release: unknown option $1 (--out DIR, --binary PATH)" >&2; exit 2 ;;
  esac
done

version=$(sed -n 's/^version = "\(.*\)"/\1/p' "$root/Cargo.toml" | head -1)
[ -n "$version" ] || { echo "release: no version in Cargo.toml" >&2; exit 1; }
case "$(uname -m)" in
  x86_64 | amd64) arch=amd64 ;;
  aarch64 | arm64) arch=arm64 ;;
  *) arch="$(uname -m)" ;;
esac
os=$(uname -s | tr '[:upper:]' '[:lower:]')

if [ -z "$binary" ]; then
  (cd "$root" && cargo build --release --locked)
  binary="$root/target/release/terraform-provider-vi"
fi
[ -x "$binary" ] || { echo "release: $binary is not an executable" >&2; exit 1; }

name="terraform-provider-vi_${version}"
mkdir -p "$out"
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
cp "$binary" "$stage/terraform-provider-vi_v${version}"
rm -f "$out/${name}_${os}_${arch}.zip"
(cd "$stage" && zip -q -X "$out/${name}_${os}_${arch}.zip" "terraform-provider-vi_v${version}")
# The manifest says which plugin protocol the binary speaks (tfplugin5).
cat >"$out/${name}_manifest.json" <<JSON
{
  "version": 1,
  "metadata": {
    "protocol_versions": ["5.0"]
  }
}
JSON
(cd "$out" && sha256sum "${name}"_*.zip "${name}_manifest.json" >"${name}_SHA256SUMS")
echo "release: $(cd "$out" && ls "${name}"_*) in $out"
