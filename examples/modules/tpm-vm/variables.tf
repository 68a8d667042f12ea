# The module's inputs, for every CLI (Terraform 1.0.3 included). OpenTofu
# reads variables.tofu instead: the same inputs, each checked at `tofu
# validate` (or at plan, for instances of a for_each) by the provider's
# functions, with the messages the resources would give at plan.
variable "name" {
  type        = string
  description = "VM name."
}

variable "resource_pool_id" {
  type = string
}

variable "datastore_id" {
  type = string
}

variable "network_id" {
  type = string
}

variable "memory" {
  type    = number
  default = 4096
}

variable "num_cpus" {
  type    = number
  default = 2
}

variable "power_state" {
  type    = string
  default = "off"
}

variable "properties" {
  description = "vApp properties to set: id => { type, value }."
  type = map(object({
    type  = string
    value = string
  }))
  default = {}
}
