# Boots a VM from an ISO, as `linuxkit push vcenter` + `linuxkit run vcenter`
# do: the image is uploaded to a datastore first (vi_datastore_upload), then
# an EFI VM boots from it with a CD-ROM and a persistent disk.
#
# linuxkit.iso next to this file is a few-KB placeholder, not a bootable
# image; pass your own with -var iso_file=path/to/image.iso.
terraform {
  required_providers {
    vi = {
      source = "local/vi"
    }
  }
}

provider "vi" {}

variable "iso_file" {
  type        = string
  default     = "linuxkit.iso"
  description = "Local boot image to upload, relative to this directory."
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

# Streamed to [LocalDS_0] linuxkit/linuxkit.iso; a rebuilt image (new
# sha256) is uploaded again on the next apply.
resource "vi_datastore_upload" "iso" {
  source_file  = "${path.module}/${var.iso_file}"
  datastore_id = data.vi_datastore.ds.id
  path         = "linuxkit/linuxkit.iso"
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
    datastore_path = vi_datastore_upload.iso.datastore_path
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

output "iso" {
  value = {
    datastore_path = vi_datastore_upload.iso.datastore_path
    sha256         = vi_datastore_upload.iso.sha256
  }
}
