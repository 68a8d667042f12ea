# A catalog (a content library on LocalDS_0) with two OVF templates: one
# uploaded from the tiny.ovf beside this file, one captured from a VM made
# here. Connection settings come from the environment (VI_URL, VI_USER,
# VI_PASSWORD, VI_INSECURE); see docs/index.md.
terraform {
  required_providers {
    vi = {
      source = "local/vi"
    }
  }
}

provider "vi" {}

data "vi_datastore" "ds" {
  name = "LocalDS_0"
}

data "vi_host" "host" {
  name = "DC0_H0"
}

resource "vi_catalog" "templates" {
  name         = "templates"
  description  = "OVF templates made by the catalog example"
  datastore_id = data.vi_datastore.ds.id
}

# Uploaded: the plan already knows the template's hardware and properties.
resource "vi_catalog_item" "tiny" {
  catalog_id  = vi_catalog.templates.id
  name        = "tiny"
  description = "A tiny appliance"
  source_file = "${path.module}/tiny.ovf"
}

# A small powered-off VM to capture.
resource "vi_vm" "golden" {
  name             = "golden"
  resource_pool_id = data.vi_host.host.resource_pool_id
  datastore_id     = data.vi_datastore.ds.id
  guest_id         = "otherLinux64Guest"
  memory           = 512
  power_state      = "off"

  disk {
    label = "os"
    size  = 1
  }
}

# Captured from that VM. On vCenter 7.0 or later, add
# `tpm_provisioning = "replace"` to give VMs deployed from it a new TPM.
resource "vi_catalog_item" "golden" {
  catalog_id   = vi_catalog.templates.id
  name         = "golden"
  source_vm_id = vi_vm.golden.id
}

output "tiny_id" {
  value = vi_catalog_item.tiny.id
}

output "tiny_hardware" {
  value = {
    for vs in vi_catalog_item.tiny.virtual_systems : vs.id => {
      cpus      = vs.num_cpus
      memory_mb = vs.memory_mb
      guest_id  = vs.guest_id
    }
  }
}

output "tiny_networks" {
  value = [for n in vi_catalog_item.tiny.networks : n.name]
}

output "tiny_properties" {
  value = [for p in vi_catalog_item.tiny.virtual_systems[0].vapp_properties : "${p.full_key}: ${p.type}"]
}

output "golden_id" {
  value = vi_catalog_item.golden.id
}
