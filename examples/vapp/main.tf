# A vApp in the cluster's root resource pool, with its own CPU and memory
# allocation and a product description. Its VMs would be `vi_vm`s with
# `vapp_id = vi_vapp.shop.id`. Connection settings come from the
# environment (VI_URL, VI_USER, VI_PASSWORD, VI_INSECURE); see docs/index.md.
terraform {
  required_providers {
    vi = {
      source = "local/vi"
    }
  }
}

provider "vi" {}

data "vi_datacenter" "dc" {
  name = "DC0"
}

data "vi_resource_pool" "cluster" {
  path          = "DC0_C0/Resources"
  datacenter_id = data.vi_datacenter.dc.id
}

resource "vi_vapp" "shop" {
  name             = "web-shop"
  resource_pool_id = data.vi_resource_pool.cluster.id

  cpu_share_level    = "high"
  cpu_reservation    = 500
  cpu_limit          = 4000
  memory_share_level = "custom"
  memory_shares      = 20000
  memory_reservation = 1024
  memory_expandable  = false

  product {
    name        = "Web shop"
    vendor      = "ACME"
    version     = "1.2"
    vendor_url  = "https://acme.example"
    product_url = "https://acme.example/shop"
  }
}

output "vapp_id" {
  value = vi_vapp.shop.id
}
