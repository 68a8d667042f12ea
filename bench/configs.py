"""The two providers' Terraform configurations, equivalent by design (see
"Equivalent configurations" in README.md), and the CLI configuration that
installs both from one filesystem mirror."""

import platform
import shutil

OURS_VERSION = "0.1.0"


def terraform_platform():
    """Terraform's name for this machine's platform: linux_amd64, darwin_arm64, ..."""
    arch = platform.machine().lower()
    arch = {"x86_64": "amd64", "aarch64": "arm64"}.get(arch, arch)
    return f"{platform.system().lower()}_{arch}"


def write_cli_config(work, ours_bin, peer_bin, peer_version):
    """One filesystem mirror holding both providers."""
    mirror = work / "mirror" / "registry.terraform.io"
    plat = terraform_platform()
    ours_dir = mirror / "local" / "vi" / OURS_VERSION / plat
    peer_dir = mirror / "hashicorp" / "vsphere" / peer_version / plat
    for d in (ours_dir, peer_dir):
        d.mkdir(parents=True, exist_ok=True)
    shutil.copy2(ours_bin, ours_dir / f"terraform-provider-vi_v{OURS_VERSION}")
    shutil.copy2(peer_bin, peer_dir / f"terraform-provider-vsphere_v{peer_version}")
    cfg = work / "terraform.rc"
    cfg.write_text(
        "provider_installation {\n"
        "  filesystem_mirror {\n"
        f'    path    = "{work / "mirror"}"\n'
        '    include = ["local/vi", "hashicorp/vsphere"]\n'
        "  }\n"
        "  direct {\n"
        '    exclude = ["local/vi", "hashicorp/vsphere"]\n'
        "  }\n"
        "}\n"
    )
    return cfg


def hcl_ours(n, sim):
    return f"""terraform {{
  required_providers {{
    vi = {{ source = "local/vi" }}
  }}
}}

provider "vi" {{
  url      = "{sim.sdk_url}"
  user     = "{sim.user}"
  password = "{sim.password}"
  insecure = true
}}

data "vi_datacenter" "dc" {{
  name = "DC0"
}}

data "vi_datastore" "ds" {{
  name          = "LocalDS_0"
  datacenter_id = data.vi_datacenter.dc.id
}}

data "vi_host" "host" {{
  name          = "DC0_H0"
  datacenter_id = data.vi_datacenter.dc.id
}}

data "vi_network" "net" {{
  name          = "VM Network"
  datacenter_id = data.vi_datacenter.dc.id
}}

resource "vi_vm" "vm" {{
  count            = {n}
  name             = "bench-${{count.index}}"
  resource_pool_id = data.vi_host.host.resource_pool_id
  datastore_id     = data.vi_datastore.ds.id
  guest_id         = "otherLinux64Guest"
  num_cpus         = 1
  memory           = 512

  disk {{
    label = "disk0"
    size  = 1
  }}

  network_interface {{
    network_id = data.vi_network.net.id
  }}
}}
"""


# The peer completes a from-scratch create on vcsim, so neither side clones.
PEER_VM_SOURCE = "scratch"


def hcl_peer(n, sim, version):
    return f"""terraform {{
  required_providers {{
    vsphere = {{
      source  = "hashicorp/vsphere"
      version = "{version}"
    }}
  }}
}}

provider "vsphere" {{
  vsphere_server       = "{sim.addr}"
  user                 = "{sim.user}"
  password             = "{sim.password}"
  allow_unverified_ssl = true
}}

data "vsphere_datacenter" "dc" {{
  name = "DC0"
}}

data "vsphere_datastore" "ds" {{
  name          = "LocalDS_0"
  datacenter_id = data.vsphere_datacenter.dc.id
}}

data "vsphere_host" "host" {{
  name          = "DC0_H0"
  datacenter_id = data.vsphere_datacenter.dc.id
}}

data "vsphere_network" "net" {{
  name          = "VM Network"
  datacenter_id = data.vsphere_datacenter.dc.id
}}

resource "vsphere_virtual_machine" "vm" {{
  count            = {n}
  name             = "bench-${{count.index}}"
  resource_pool_id = data.vsphere_host.host.resource_pool_id
  datastore_id     = data.vsphere_datastore.ds.id
  guest_id         = "otherLinux64Guest"
  num_cpus         = 1
  memory           = 512

  wait_for_guest_net_timeout = 0
  wait_for_guest_ip_timeout  = 0

  disk {{
    label = "disk0"
    size  = 1
  }}

  network_interface {{
    network_id = data.vsphere_network.net.id
  }}

  # vcsim leaves swapPlacement unset, which this provider reads as drift
  # from its default "inherit": not a change anyone made.
  lifecycle {{
    ignore_changes = [swap_placement_policy]
  }}
}}
"""
