# What this provider is for, in one configuration: an EFI VM with a virtual
# TPM and vApp properties (one of them a password), every rule checked at
# plan. scripts/quickstart.sh applies it against vcsim after registering a
# key provider there (a vTPM encrypts the VM's files with vCenter's default
# key provider) and after showing a plan that refuses a bad `https_port`.
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

variable "https_port" {
  description = "The appliance's HTTPS port, a vApp property of type int(1..65535)."
  type        = number
  default     = 8443
}

variable "admin_password" {
  description = "The appliance's admin password, a vApp property of type password(8..)."
  type        = string
  sensitive   = true
  default     = "Quickstart-2026"
}

data "vi_datacenter" "dc" {}

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

# A vTPM needs vCenter 7.0+, EFI firmware, hardware version 14+, a 64-bit
# guest and a key provider: each is checked at plan.
resource "vi_vm" "appliance" {
  name             = "quickstart-appliance"
  resource_pool_id = data.vi_host.host.resource_pool_id
  datastore_id     = data.vi_datastore.ds.id
  guest_id         = "otherLinux64Guest"
  firmware         = "efi"
  hardware_version = 19
  memory           = 2048
  num_cpus         = 2
  power_state      = "off"

  disk {
    label = "os"
    size  = 8
  }

  network_interface {
    network_id = data.vi_network.lan.id
  }

  vtpm {}
}

# What the guest reads from its OVF environment; each value is checked
# against its type at plan.
resource "vi_vapp_property" "hostname" {
  target_id   = vi_vm.appliance.id
  property_id = "hostname"
  category    = "Network"
  type        = "string(1..63)"
  value       = "appliance-1"
}

resource "vi_vapp_property" "https_port" {
  target_id   = vi_vm.appliance.id
  property_id = "https_port"
  category    = "Network"
  type        = "int(1..65535)"
  value       = tostring(var.https_port)
}

resource "vi_vapp_property" "admin_password" {
  target_id       = vi_vm.appliance.id
  property_id     = "admin_password"
  type            = "password(8..)"
  sensitive_value = var.admin_password
}

output "vm_id" {
  value = vi_vm.appliance.id
}

output "firmware" {
  value = vi_vm.appliance.firmware
}

output "vtpm_present" {
  value = vi_vm.appliance.vtpm_present
}

output "vapp_properties" {
  value = {
    hostname       = vi_vapp_property.hostname.value
    https_port     = vi_vapp_property.https_port.value
    admin_password = "(sensitive: ${vi_vapp_property.admin_password.type})"
  }
}
