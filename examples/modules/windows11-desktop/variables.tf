# The module's inputs, for every CLI (Terraform 1.0.3 included). OpenTofu
# reads variables.tofu instead: the same inputs, each checked at `tofu
# validate` (or at plan, for instances of a for_each) by the provider's
# functions, with the messages the resources would give at plan.
variable "name" {
  type        = string
  description = "VM name; also the computer name, so at most 15 letters, digits or hyphens."
}

variable "template_id" {
  type        = string
  description = "The Windows 11 template to clone (with VMware Tools)."
}

variable "tpm_provisioning" {
  type        = string
  default     = null
  description = "For a template with a vTPM: \"replace\" gives each desktop fresh TPM secrets (vCenter 8, or any template); null copies them."
}

variable "resource_pool_id" {
  type = string
}

variable "network_id" {
  type = string
}

variable "memory" {
  type    = number
  default = 8192
}

variable "domain" {
  type        = string
  description = "Active Directory domain to join."
}

variable "domain_ou" {
  type    = string
  default = null
}

variable "join_user" {
  type = string
}

variable "join_password" {
  type      = string
  sensitive = true
}

variable "ipv4_address" {
  type        = string
  default     = null
  description = "Static address; DHCP when null."
}

variable "ipv4_prefix" {
  type    = number
  default = 24
}

variable "ipv4_gateway" {
  type    = string
  default = null
}

variable "dns_servers" {
  type    = list(string)
  default = []
}

variable "time_zone" {
  type        = number
  default     = 110
  description = "Microsoft time zone index (110 = W. Europe)."
}
