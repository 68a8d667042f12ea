# Virtual TPMs. vCenter needs a key provider (a KMS cluster, or a native key
# provider) for them: the default one is used unless key_provider_id names
# another. (The acceptance test registers one in vcsim before applying.)
# Connection settings come from the environment (VI_URL, VI_USER,
# VI_PASSWORD, VI_INSECURE); see docs/index.md.
terraform {
  required_providers {
    vi = {
      source = "local/vi"
    }
  }
}

provider "vi" {}

variable "key_provider_id" {
  description = "Key provider for the VMs' encryption; null for vCenter's default."
  type        = string
  default     = null
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

# A VM with a vTPM from the start: every prerequisite (EFI firmware,
# hardware version 14+, a 64-bit guest, a key provider) is checked at plan.
resource "vi_vm" "secure" {
  name             = "secure-1"
  resource_pool_id = data.vi_host.host.resource_pool_id
  datastore_id     = data.vi_datastore.ds.id
  guest_id         = "windows2019srv_64Guest"
  firmware         = "efi"
  efi_secure_boot  = true
  hardware_version = 19
  memory           = 4096
  num_cpus         = 2
  reboot_allowed   = true

  disk {
    label = "os"
    size  = 40
  }

  vtpm {
    key_provider_id = var.key_provider_id
  }
}

# A VM this configuration does not give a vTPM itself; think of it as one
# managed elsewhere. vi_vtpm attaches one (it must be powered off).
resource "vi_vm" "legacy" {
  name             = "legacy-1"
  resource_pool_id = data.vi_host.host.resource_pool_id
  datastore_id     = data.vi_datastore.ds.id
  guest_id         = "windows2019srv_64Guest"
  firmware         = "efi"
  hardware_version = 19
  memory           = 2048
  power_state      = "off"
}

resource "vi_vtpm" "legacy" {
  vm_id           = vi_vm.legacy.id
  key_provider_id = var.key_provider_id
}

output "secure_vm_has_vtpm" {
  value = vi_vm.secure.vtpm_present
}

output "legacy_vtpm_device_key" {
  value = vi_vtpm.legacy.device_key
}
