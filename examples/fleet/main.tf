# A fleet from reusable modules, each with for_each over a map: TPM-ready
# desktops (modules/tpm-vm), Windows 11 desktops cloned and sysprepped into
# the domain (modules/windows11-desktop), and appliances deployed from a
# catalog item with their vApp properties set (modules/appliance), plus one
# build server on its own. Adding a machine is one line. (vCenter needs a
# key provider for vTPMs; the acceptance test registers one in vcsim first.)
#
# Every rule is checked at plan, before anything changes. With OpenTofu the
# modules' inputs are also checked by the provider's functions
# (variables.tofu in each module): a bad value for the build server fails
# `tofu validate`, one in a for_each map fails `tofu plan` (validate does
# not know each.value yet), both before vCenter is asked anything, and with
# the message the resource would give. Terraform 1.0.3 reads the modules'
# plain variables.tf and checks the same values at plan.
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

# A single machine, so OpenTofu knows its inputs at `tofu validate`.
module "build" {
  source = "../modules/tpm-vm"

  name             = "build-01"
  resource_pool_id = data.vi_host.host.resource_pool_id
  datastore_id     = data.vi_datastore.ds.id
  network_id       = data.vi_network.lan.id
  memory           = 8192
  num_cpus         = 4

  properties = {
    "ssh_port" = {
      type  = "int(1..65535)"
      value = "2222"
    }
  }
}

# The Windows 11 template: here vcsim's first VM; in vCenter, a template
# with VMware Tools.
data "vi_vm" "win11_template" {
  name = "DC0_H0_VM0"
}

variable "join_password" {
  type        = string
  sensitive   = true
  description = "Password of the domain-join account (TF_VAR_join_password)."
  default     = "example-only-not-a-secret"
}

locals {
  win11 = {
    "w11-101" = { ip = "10.20.0.101" }
    "w11-102" = { ip = "10.20.0.102" }
  }
}

module "win11" {
  source   = "../modules/windows11-desktop"
  for_each = local.win11

  name             = each.key
  template_id      = data.vi_vm.win11_template.id
  resource_pool_id = data.vi_host.host.resource_pool_id
  network_id       = data.vi_network.lan.id
  memory           = 4096
  domain           = "corp.example.com"
  domain_ou        = "OU=Desktops,DC=corp,DC=example,DC=com"
  join_user        = "svc-join"
  join_password    = var.join_password
  ipv4_address     = each.value.ip
  ipv4_gateway     = "10.20.0.1"
  dns_servers      = ["10.20.0.2"]
}

# The appliance template, uploaded from the OVF beside this file.
resource "vi_catalog" "fleet" {
  name         = "fleet"
  description  = "templates for the fleet example"
  datastore_id = data.vi_datastore.ds.id
}

resource "vi_catalog_item" "appliance" {
  catalog_id  = vi_catalog.fleet.id
  name        = "appliance"
  source_file = "${path.module}/appliance.ovf"
}

locals {
  appliances = {
    "proxy-01" = { mode = "forward", port = "3128" }
    "proxy-02" = { mode = "reverse", port = "8080" }
  }
}

module "proxy" {
  source   = "../modules/appliance"
  for_each = local.appliances

  name            = each.key
  catalog_item_id = vi_catalog_item.appliance.id
  # tpm_provisioning: null takes the item's instantiate_tpm (an uploaded
  # OVF's TPM is always replaced, from vCenter 7.0 on); "copy" would fail
  # at plan.
  resource_pool_id = data.vi_host.host.resource_pool_id
  network_id       = data.vi_network.lan.id

  properties = {
    "proxy.mode" = {
      type  = "string[\"forward\", \"reverse\"]"
      value = each.value.mode
    }
    "proxy.port" = {
      type  = "int(1..65535)"
      value = each.value.port
    }
  }
}

output "appliance_ids" {
  value = { for k, m in module.proxy : k => m.id }
}

output "vm_ids" {
  value = { for k, m in module.desk : k => m.id }
}

output "win11_ids" {
  value = { for k, m in module.win11 : k => m.id }
}

output "build_id" {
  value = module.build.id
}

output "all_have_vtpm" {
  value = alltrue(concat([module.build.has_vtpm], [for m in module.desk : m.has_vtpm], [for m in module.win11 : m.has_vtpm]))
}
