# Looks up the objects a VM needs and prints their managed object ids.
# Connection settings come from the environment (VI_URL, VI_USER,
# VI_PASSWORD, VI_INSECURE, or govc's GOVC_* variables); see docs/index.md.
terraform {
  required_providers {
    vi = {
      source = "local/vi"
    }
  }
}

provider "vi" {}

data "vi_datacenter" "dc" {}

data "vi_datastore" "ds" {
  name          = "LocalDS_0"
  datacenter_id = data.vi_datacenter.dc.id
}

data "vi_network" "net" {
  name          = "VM Network"
  datacenter_id = data.vi_datacenter.dc.id
}

data "vi_resource_pool" "pool" {
  path          = "DC0_C0/Resources"
  datacenter_id = data.vi_datacenter.dc.id
}

data "vi_host" "host" {
  name          = "DC0_C0_H0"
  datacenter_id = data.vi_datacenter.dc.id
}

data "vi_folder" "vms" {
  path          = "vm"
  datacenter_id = data.vi_datacenter.dc.id
}

output "datacenter_id" {
  value = data.vi_datacenter.dc.id
}

output "datastore_id" {
  value = data.vi_datastore.ds.id
}

output "datastore_free_gb" {
  value = floor(data.vi_datastore.ds.free_space / 1073741824)
}

output "network_id" {
  value = data.vi_network.net.id
}

output "resource_pool_id" {
  value = data.vi_resource_pool.pool.id
}

output "host_id" {
  value = data.vi_host.host.id
}

output "host_resource_pool_id" {
  value = data.vi_host.host.resource_pool_id
}

output "vm_folder_id" {
  value = data.vi_folder.vms.id
}
