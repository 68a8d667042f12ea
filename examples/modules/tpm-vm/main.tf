# A TPM-ready EFI VM (Windows 11 / BitLocker class) with its vApp
# properties: every vTPM prerequisite and every property value is checked
# at `terraform plan`; with OpenTofu, the inputs already at `tofu validate`
# (variables.tofu).
terraform {
  required_providers {
    vi = {
      source = "local/vi"
    }
  }
}

resource "vi_vm" "this" {
  name             = var.name
  resource_pool_id = var.resource_pool_id
  datastore_id     = var.datastore_id
  guest_id         = "windows2019srv_64Guest"
  firmware         = "efi"
  efi_secure_boot  = true
  hardware_version = 19
  memory           = var.memory
  num_cpus         = var.num_cpus
  power_state      = var.power_state
  reboot_allowed   = true

  disk {
    label = "os"
    size  = 40
  }

  network_interface {
    network_id = var.network_id
  }

  vtpm {}
}

resource "vi_vapp_property" "this" {
  for_each    = var.properties
  target_id   = vi_vm.this.id
  property_id = each.key
  type        = each.value.type
  value       = each.value.value
}

output "id" {
  value = vi_vm.this.id
}

output "uuid" {
  value = vi_vm.this.uuid
}

output "has_vtpm" {
  value = vi_vm.this.vtpm_present
}
