# A VM from scratch: two disks, two NICs (a standard and a distributed port
# group), powered on. Connection settings come from the environment
# (VI_URL, VI_USER, VI_PASSWORD, VI_INSECURE); see docs/index.md.
terraform {
  required_providers {
    vi = {
      source = "local/vi"
    }
  }
}

provider "vi" {}

variable "datacenter" {
  type    = string
  default = "DC0"
}

data "vi_datacenter" "dc" {
  name = var.datacenter
}

data "vi_datastore" "ds" {
  name          = "LocalDS_0"
  datacenter_id = data.vi_datacenter.dc.id
}

data "vi_host" "host" {
  name          = "DC0_H0"
  datacenter_id = data.vi_datacenter.dc.id
}

data "vi_network" "lan" {
  name          = "VM Network"
  datacenter_id = data.vi_datacenter.dc.id
}

data "vi_network" "dvpg" {
  name          = "DC0_DVPG0"
  datacenter_id = data.vi_datacenter.dc.id
}

resource "vi_vm" "app" {
  name             = "app-1"
  resource_pool_id = data.vi_host.host.resource_pool_id
  datastore_id     = data.vi_datastore.ds.id
  guest_id         = "otherLinux64Guest"
  num_cpus         = 2
  memory           = 2048
  reboot_allowed   = true
  annotation       = "managed by terraform-provider-vi"

  extra_config = {
    "guestinfo.role" = "app"
  }

  disk {
    label = "os"
    size  = 8
  }

  disk {
    label = "data"
    size  = 20
  }

  network_interface {
    network_id = data.vi_network.lan.id
  }

  network_interface {
    network_id   = data.vi_network.dvpg.id
    adapter_type = "e1000e"
  }
}

output "vm_id" {
  value = vi_vm.app.id
}

output "vm_uuid" {
  value = vi_vm.app.uuid
}
