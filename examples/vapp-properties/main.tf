# vApp properties on a new VM: a few properties the guest reads from its
# OVF environment (VMware Tools' guestinfo.ovfEnv), including a password
# kept out of plans and logs. The VM's vApp options are turned on by the
# first property. Connection settings come from the environment (VI_URL,
# VI_USER, VI_PASSWORD, VI_INSECURE); see docs/index.md.
terraform {
  required_providers {
    vi = {
      source = "local/vi"
    }
  }
}

provider "vi" {}

variable "admin_password" {
  type      = string
  sensitive = true
  default   = "Change-me-2024"
}

data "vi_datacenter" "dc" {
  name = "DC0"
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

resource "vi_vm" "appliance" {
  name             = "appliance-1"
  resource_pool_id = data.vi_host.host.resource_pool_id
  datastore_id     = data.vi_datastore.ds.id
  guest_id         = "otherLinux64Guest"
  power_state      = "off"

  disk {
    label = "os"
    size  = 4
  }

  network_interface {
    network_id = data.vi_network.lan.id
  }
}

resource "vi_vapp_property" "hostname" {
  target_id   = vi_vm.appliance.id
  property_id = "hostname"
  category    = "Network"
  label       = "Host name"
  type        = "string(1..63)"
  value       = "appliance-1"
}

resource "vi_vapp_property" "ip" {
  target_id   = vi_vm.appliance.id
  property_id = "ip0"
  class_id    = "vami"
  instance_id = "appliance"
  category    = "Network"
  label       = "IP address"
  type        = "ip"
  value       = "192.168.10.20"
}

resource "vi_vapp_property" "log_level" {
  target_id     = vi_vm.appliance.id
  key           = 10
  property_id   = "log_level"
  category      = "Application"
  type          = "string[\"debug\", \"info\", \"warn\"]"
  default_value = "info"
  value         = "warn"
}

resource "vi_vapp_property" "workers" {
  target_id   = vi_vm.appliance.id
  property_id = "workers"
  category    = "Application"
  description = "Worker processes, 1 to 64."
  type        = "int(1..64)"
  value       = "8"
}

resource "vi_vapp_property" "admin_password" {
  target_id       = vi_vm.appliance.id
  property_id     = "admin_password"
  category        = "Application"
  label           = "Administrator password"
  type            = "password(8..)"
  sensitive_value = var.admin_password
}

output "property_ids" {
  value = [
    vi_vapp_property.hostname.id,
    vi_vapp_property.ip.id,
    vi_vapp_property.log_level.id,
    vi_vapp_property.workers.id,
    vi_vapp_property.admin_password.id,
  ]
}
