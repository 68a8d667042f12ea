# Reads a local OVF descriptor (an .ova works the same) before deploying
# anything: what it asks for in hardware, networks and vApp properties,
# which OVF environment transports it uses, whether it carries a virtual
# TPM, and which vServices it depends on. Nothing is created in vSphere.
terraform {
  required_providers {
    vi = {
      source = "local/vi"
    }
  }
}

provider "vi" {}

data "vi_ovf" "appliance" {
  path = "${path.module}/appliance.ovf"
}

locals {
  vm = data.vi_ovf.appliance.virtual_systems[0]
}

output "name" {
  value = data.vi_ovf.appliance.name
}

output "hardware" {
  value = {
    cpus             = local.vm.num_cpus
    memory_mb        = local.vm.memory_mb
    firmware         = local.vm.firmware
    hardware_version = local.vm.hardware_version
    disks_gib        = [for d in local.vm.disks : d.capacity_bytes / 1073741824]
    networks         = [for n in local.vm.network_interface : n.network]
  }
}

# The vApp properties a deployment can set, with their vSphere types:
# what vi_vapp_property would accept.
output "settable_properties" {
  value = {
    for p in data.vi_ovf.appliance.vapp_properties : p.full_key => {
      type    = p.type
      default = p.default_value
      label   = p.label
    } if p.user_configurable
  }
}

output "needs" {
  value = {
    virtual_tpm = data.vi_ovf.appliance.has_tpm
    transports  = data.vi_ovf.appliance.transports
    vservices   = [for d in data.vi_ovf.appliance.vservice_dependencies : "${d.type} (${d.required ? "required" : "optional"})"]
  }
}
