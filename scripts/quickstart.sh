#!/usr/bin/env bash
# The main job on a fresh machine, against govmomi's vcsim:
#   1. installs only what it uses: Terraform 1.0.3 and plain vcsim (the
#      tests' vcsim-plus, OpenTofu and cargo-fuzz stay with scripts/test.sh;
#      plain vcsim has everything the quickstart touches);
#   2. builds the provider (optimised) and puts it in a filesystem mirror as
#      `local/vi` for Terraform and OpenTofu;
#   3. starts vcsim as vCenter 8.0 and registers a key provider in it;
#   4. shows `terraform plan` refusing a bad vApp property value, before
#      anything is created;
#   5. applies examples/quickstart (an EFI VM with a vTPM and vApp
#      properties, a password among them), summarises what vcsim holds, and
#      checks that a second plan shows no changes;
#   6. destroys it all and stops vcsim.
# Each step prints how long it took.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
started=$SECONDS

# quiet COMMAND…: runs the command with its output out of sight.
quiet() { "$@" >/dev/null; }
# step NAME COMMAND…: runs the command, then prints how long it took.
step() {
  local name=$1 t0=$SECONDS
  shift
  echo "==> $name"
  "$@"
  echo "    ($name: $((SECONDS - t0))s)"
}

step "tools: Terraform 1.0.3 and vcsim" "$root/scripts/tools.sh" terraform vcsim
# The `quickstart` profile is the release one without fat LTO (see
# Cargo.toml): minutes faster to build, as fast to run here.
step "cargo build --profile quickstart" cargo build --profile quickstart --locked --quiet

work="$root/.tools/quickstart"
rm -rf "$work" && mkdir -p "$work"
version=$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -1)
mirror="$root/.tools/mirror"
# Terraform's platform name for this machine (linux_amd64, darwin_arm64, …).
case "$(uname -m)" in
  x86_64 | amd64) arch=amd64 ;;
  aarch64 | arm64) arch=arm64 ;;
  *) arch="$(uname -m)" ;;
esac
os=$(uname -s | tr '[:upper:]' '[:lower:]')
install_mirror() {
  # OpenTofu looks `local/vi` up under registry.opentofu.org, Terraform
  # under registry.terraform.io: the mirror holds both.
  for host in registry.terraform.io registry.opentofu.org; do
    local dir="$mirror/$host/local/vi/$version/${os}_$arch"
    mkdir -p "$dir"
    cp "$root/target/quickstart/terraform-provider-vi" "$dir/terraform-provider-vi_v$version"
  done
  cat >"$root/.tools/terraform.rc" <<RC
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
}
step "install into the filesystem mirror .tools/mirror" install_mirror
export TF_CLI_CONFIG_FILE="$root/.tools/terraform.rc" CHECKPOINT_DISABLE=1 TF_IN_AUTOMATION=1

# vcsim on a free loopback port, as vCenter 8.0 (a vTPM needs 7.0 or later;
# vcsim says 6.5 unless told); -E prints `export GOVC_URL=…` to the fifo.
vcsim_pid=
start_vcsim() {
  local fifo="$work/vcsim.env" line
  mkfifo "$fifo"
  "$root/.tools/bin/vcsim" -l 127.0.0.1:0 -api-version 8.0.2.0 -E "$fifo" >"$work/vcsim.log" 2>&1 &
  vcsim_pid=$!
  read -r line <"$fifo"
  url=$(sed -n 's/.*GOVC_URL=\([^ ]*\).*/\1/p' <<<"$line")
  echo "    vcsim is up at ${url#*@}"
}
trap '[ -z "$vcsim_pid" ] || kill "$vcsim_pid" 2>/dev/null || true' EXIT
step "start vcsim" start_vcsim

# A SOAP call to vcsim (vim25), in the login session kept in $work/cookies.
soap() {
  local sdk="https://${url#*@}"
  curl -sSk --fail-with-body -b "$work/cookies" -c "$work/cookies" -H 'Content-Type: text/xml' \
    -H 'SOAPAction: "urn:vim25/8.0.2.0"' "$sdk" --data-binary \
    "<soapenv:Envelope xmlns:soapenv=\"http://schemas.xmlsoap.org/soap/envelope/\"><soapenv:Body>$1</soapenv:Body></soapenv:Envelope>" \
    >"$work/soap.out" || { cat "$work/soap.out" >&2; return 1; }
}
# A vTPM encrypts the VM's files with a key provider: register a standard
# (KMIP) one and make it vCenter's default, as an administrator would.
register_key_provider() {
  local creds=${url#*://}
  creds=${creds%@*}
  local user=${creds%%:*} password=${creds#*:}
  soap "<Login xmlns=\"urn:vim25\"><_this type=\"SessionManager\">SessionManager</_this><userName>$user</userName><password>$password</password></Login>"
  soap '<RegisterKmipServer xmlns="urn:vim25"><_this type="CryptoManagerKmip">CryptoManager</_this><server><clusterId><id>quickstart-kms</id></clusterId><info><name>kms-1</name><address>kms.example</address><port>5696</port></info></server></RegisterKmipServer>'
  soap '<SetDefaultKmsCluster xmlns="urn:vim25"><_this type="CryptoManagerKmip">CryptoManager</_this><clusterId><id>quickstart-kms</id></clusterId></SetDefaultKmsCluster>'
  echo "    key provider quickstart-kms registered as vCenter's default"
}
step "register a key provider in vcsim" register_key_provider

cp -r "$root/examples/quickstart/." "$work/"
cd "$work"
export VI_URL="$url" VI_INSECURE=true
tf="$root/.tools/bin/terraform"
step "terraform init" quiet "$tf" init -no-color -input=false

refused_plan() {
  echo "    https_port is a vApp property of type int(1..65535); asking for 70000:"
  if "$tf" plan -no-color -input=false -var https_port=70000 >"$work/refused.out" 2>&1; then
    echo "    the plan was accepted, but it should have been refused" >&2
    return 1
  fi
  sed 's/^/    | /' "$work/refused.out"
  echo "    Refused at plan; nothing was created."
}
step "plan with a bad property value" refused_plan

step "terraform apply" "$tf" apply -auto-approve -no-color -input=false

summary() {
  echo "    Terraform manages:"
  "$tf" state list | sed 's/^/      /'
  local vm
  vm=$("$tf" output -raw vm_id)
  # Read back from vcsim itself, not from the state.
  soap "<RetrieveProperties xmlns=\"urn:vim25\"><_this type=\"PropertyCollector\">propertyCollector</_this><specSet><propSet><type>VirtualMachine</type><pathSet>name</pathSet><pathSet>config.firmware</pathSet><pathSet>config.version</pathSet><pathSet>config.vAppConfig.property</pathSet><pathSet>config.hardware.device</pathSet></propSet><objectSet><obj type=\"VirtualMachine\">$vm</obj></objectSet></specSet></RetrieveProperties>"
  echo "    vcsim holds VM $vm:"
  python3 - "$work/soap.out" <<'PY'
import sys
import xml.etree.ElementTree as ET

ns = {"v": "urn:vim25"}
props = {}
for p in ET.parse(sys.argv[1]).getroot().iter("{urn:vim25}propSet"):
    props[p.findtext("v:name", namespaces=ns)] = p.find("v:val", ns)
text = lambda name: props[name].text if name in props else "?"
devices = props.get("config.hardware.device")
kinds = [d.get("{http://www.w3.org/2001/XMLSchema-instance}type") for d in (devices if devices is not None else [])]
vapp = props.get("config.vAppConfig.property")
ids = [p.findtext("v:id", namespaces=ns) for p in (vapp if vapp is not None else [])]
print(f"      name:            {text('name')}")
print(f"      firmware:        {text('config.firmware')}")
print(f"      hardware:        {text('config.version')}")
print(f"      vTPM:            {'present' if 'VirtualTPM' in kinds else 'MISSING'}")
print(f"      vApp properties: {', '.join(sorted(ids))}")
PY
  echo "      (the password's value is not read back: vSphere returns it empty)"
}
step "summary" summary

step "second plan (no changes expected)" quiet "$tf" plan -detailed-exitcode -no-color -input=false
step "terraform destroy" quiet "$tf" destroy -auto-approve -no-color -input=false
kill "$vcsim_pid" && wait "$vcsim_pid" 2>/dev/null || true
vcsim_pid=
echo "==> done in $((SECONDS - started))s: everything destroyed, vcsim stopped."
