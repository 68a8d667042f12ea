//! Resources: each file maps Terraform's plan/apply onto VI calls for one
//! resource type.
use std::sync::Arc;

use crate::plugin::{AnyResource, resource};
use crate::provider::Meta;

pub mod catalog;
pub mod catalog_item;
pub mod vm;

pub fn all() -> Vec<Arc<dyn AnyResource<Meta>>> {
    vec![resource(vm::Vm), resource(catalog::Catalog), resource(catalog_item::CatalogItem)]
}
