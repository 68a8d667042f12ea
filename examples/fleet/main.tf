# A fleet of TPM-ready VMs from one reusable module, with for_each over a
# map: adding a host is one line. (vCenter needs a key provider for vTPMs;
# the acceptance test registers one in vcsim first.)
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

data "vi_network" "lan" {
  name = "VM Network"
}

locals {
  fleet = {
    "desk-01" = { memory = 4096, role = "finance" }
    "desk-02" = { memory = 8192, role = "design" }
    "desk-03" = { memory = 4096, role = "support" }
  }
}

module "desk" {
  source   = "../modules/tpm-vm"
  for_each = local.fleet

  name             = each.key
  resource_pool_id = data.vi_host.host.resource_pool_id
  datastore_id     = data.vi_datastore.ds.id
  network_id       = data.vi_network.lan.id
  memory           = each.value.memory

  properties = {
    "role" = {
      type  = "string[\"finance\", \"design\", \"support\"]"
      value = each.value.role
    }
    "ssh_port" = {
      type  = "int(1..65535)"
      value = "22"
    }
  }
}

output "vm_ids" {
  value = { for k, m in module.desk : k => m.id }
}

output "all_have_vtpm" {
  value = alltrue([for m in module.desk : m.has_vtpm])
}
