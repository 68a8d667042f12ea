#!/usr/bin/env bash
# The main job on a fresh machine: build the provider, start vcsim, install
# the provider into a local filesystem mirror as `local/vi`, and run
# `terraform apply` on examples/quickstart (it prints the data sources' ids).
# Leaves nothing running: the state is destroyed and vcsim stopped at the end.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

"$root/scripts/tools.sh"
cargo build --release --locked

work="$root/.tools/quickstart"
rm -rf "$work" && mkdir -p "$work"
version=0.1.0
mirror="$root/.tools/mirror"
# Terraform's platform name for this machine (linux_amd64, darwin_arm64, …).
case "$(uname -m)" in
  x86_64 | amd64) arch=amd64 ;;
  aarch64 | arm64) arch=arm64 ;;
  *) arch="$(uname -m)" ;;
esac
platform="$mirror/registry.terraform.io/local/vi/$version/$(uname -s | tr '[:upper:]' '[:lower:]')_$arch"
mkdir -p "$platform"
cp "$root/target/release/terraform-provider-vi" "$platform/terraform-provider-vi_v$version"
cat > "$root/.tools/terraform.rc" <<RC
provider_installation {
  filesystem_mirror {
    path    = "$mirror"
    include = ["local/vi"]
  }
  direct {
    exclude = ["local/vi"]
  }
}
RC
export TF_CLI_CONFIG_FILE="$root/.tools/terraform.rc" CHECKPOINT_DISABLE=1 TF_IN_AUTOMATION=1

# vcsim on a free loopback port; -E - prints `export GOVC_URL=…` on stdout.
fifo="$work/vcsim.env"
mkfifo "$fifo"
"$root/.tools/bin/vcsim" -l 127.0.0.1:0 -E "$fifo" >"$work/vcsim.log" 2>&1 &
vcsim_pid=$!
trap 'kill $vcsim_pid 2>/dev/null || true' EXIT
read -r line <"$fifo"
url=$(sed -n 's/.*GOVC_URL=\([^ ]*\).*/\1/p' <<<"$line")
echo "vcsim is up at ${url#*@}"

cp -r "$root/examples/quickstart/." "$work/"
cd "$work"
export VI_URL="$url" VI_INSECURE=true
tf="$root/.tools/bin/terraform"
"$tf" init -no-color >/dev/null
"$tf" apply -auto-approve -no-color
"$tf" plan -detailed-exitcode -no-color >/dev/null && echo "A second plan shows no changes."
"$tf" destroy -auto-approve -no-color >/dev/null
