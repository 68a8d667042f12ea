# The module's inputs, for every CLI (Terraform 1.0.3 included). OpenTofu
# reads variables.tofu instead: the same inputs, each checked at `tofu
# validate` (or at plan, for instances of a for_each) by the provider's
# functions, with the messages the resources would give at plan.
variable "name" {
  type        = string
  description = "VM name."
}

variable "catalog_item_id" {
  type        = string
  description = "The OVF template to deploy (vi_catalog_item.id)."
}

variable "tpm_provisioning" {
  type        = string
  description = "copy or replace the template's TPM secrets; null: what the item's instantiate_tpm says."
  default     = null
}

variable "resource_pool_id" {
  type = string
}

variable "network_id" {
  type = string
}

variable "num_cpus" {
  type    = number
  default = 1
}

variable "memory" {
  type    = number
  default = 512
}

variable "disk_size" {
  type        = number
  description = "GB; at least the template's disk (disks grow, never shrink)."
  default     = 1
}

variable "properties" {
  description = "vApp properties to set: id => { type, value }."
  type = map(object({
    type  = string
    value = string
  }))
  default = {}
}
