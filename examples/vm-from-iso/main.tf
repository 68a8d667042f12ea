# Boots a VM from an ISO on a datastore, as `linuxkit run vcenter` does:
# an EFI VM with a CD-ROM and a persistent disk. The ISO path is a
# datastore path; upload the image first (e.g. with vi_datastore_upload).
terraform {
  required_providers {
    vi = {
      source = "local/vi"
    }
  }
}

provider "vi" {}

variable "iso" {
  type        = string
  default     = "[LocalDS_0] linuxkit/linuxkit.iso"
  description = "Datastore path of the boot image."
}

data "vi_datastore" "ds" {
  name = "LocalDS_0"
}

data "vi_host" "host" {
  name = "DC0_H0"
}

data "vi_network" "lan" {
  name = "VM Network"
}

resource "vi_vm" "linuxkit" {
  name             = "linuxkit-1"
  resource_pool_id = data.vi_host.host.resource_pool_id
  datastore_id     = data.vi_datastore.ds.id
  guest_id         = "other5xLinux64Guest"
  firmware         = "efi"
  num_cpus         = 1
  memory           = 1024

  cdrom {
    datastore_path = var.iso
  }

  disk {
    label = "persistent"
    size  = 4
  }

  network_interface {
    network_id = data.vi_network.lan.id
  }
}

output "vm_id" {
  value = vi_vm.linuxkit.id
}
