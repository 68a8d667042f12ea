# An appliance deployed from a catalog item (an OVF template in a content
# library) with its vApp properties set: the properties configure it on
# first boot. The TPM rule for the item and every property value are
# checked at `terraform plan`; with OpenTofu, the inputs already at `tofu
# validate` (variables.tofu).
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
  num_cpus         = var.num_cpus
  memory           = var.memory
  power_state      = "off"

  catalog_item {
    item_id          = var.catalog_item_id
    tpm_provisioning = var.tpm_provisioning
  }

  disk {
    label = "disk0"
    size  = var.disk_size
  }

  network_interface {
    network_id = var.network_id
  }
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

output "mac_address" {
  value = vi_vm.this.network_interface[0].mac_address
}
