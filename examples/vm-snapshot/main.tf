# A VM and a snapshot of it, taken once the VM exists.
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

resource "vi_vm" "db" {
  name             = "db-1"
  resource_pool_id = data.vi_host.host.resource_pool_id
  datastore_id     = data.vi_datastore.ds.id
  guest_id         = "otherLinux64Guest"
  power_state      = "off"

  disk {
    label = "data"
    size  = 4
  }
}

resource "vi_vm_snapshot" "before_upgrade" {
  vm_id       = vi_vm.db.id
  name        = "before-upgrade"
  description = "taken by terraform"
}

output "snapshot_id" {
  value = vi_vm_snapshot.before_upgrade.id
}
