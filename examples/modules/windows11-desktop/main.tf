# A Windows 11 desktop cloned from a template: EFI with secure boot, a vTPM
# (BitLocker-ready; fresh secrets with tpm_provisioning = "replace"), and a sysprep run that names it,
# gives it its address and joins it to the domain. Every vTPM prerequisite
# and every customization rule (NetBIOS name, time zone index, address
# inside its subnet, domain-join credentials) is checked at `terraform plan`;
# with OpenTofu, memory and tpm_provisioning already at `tofu validate`
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
  guest_id         = "windows11_64Guest"
  firmware         = "efi"
  efi_secure_boot  = true
  hardware_version = 19
  num_cpus         = 2
  memory           = var.memory

  network_interface {
    network_id = var.network_id
  }

  vtpm {}

  clone {
    source_id        = var.template_id
    tpm_provisioning = var.tpm_provisioning

    customize {
      windows_options {
        computer_name         = upper(var.name)
        join_domain           = var.domain
        domain_admin_user     = var.join_user
        domain_admin_password = var.join_password
        domain_ou             = var.domain_ou
        time_zone             = var.time_zone
      }
      dynamic "network_interface" {
        for_each = var.ipv4_address == null ? [] : [1]
        content {
          ipv4_address    = var.ipv4_address
          ipv4_netmask    = var.ipv4_prefix
          dns_server_list = var.dns_servers
          dns_domain      = var.domain
        }
      }
      ipv4_gateway    = var.ipv4_gateway
      dns_suffix_list = [var.domain]
    }
  }
}

output "id" {
  value = vi_vm.this.id
}

output "has_vtpm" {
  value = vi_vm.this.vtpm_present
}

output "ip_address" {
  value = vi_vm.this.default_ip_address
}
