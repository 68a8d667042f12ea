//! Resources: each file maps Terraform's plan/apply onto VI calls for one
//! resource type.
use std::sync::Arc;

use crate::plugin::{AnyResource, resource};
use crate::shared::Meta;

pub mod catalog;
pub mod catalog_item;
pub mod customization_spec;
pub mod datastore_upload;
pub mod vapp;
pub mod vapp_property;
pub mod vm;
pub mod vm_snapshot;
pub mod vtpm;

pub fn all() -> Vec<Arc<dyn AnyResource<Meta>>> {
    vec![
        resource(vm::Vm),
        resource(vm_snapshot::VmSnapshot),
        resource(vapp_property::VappProperty),
        resource(datastore_upload::DatastoreUpload),
        resource(vapp::VApp),
        resource(catalog::Catalog),
        resource(catalog_item::CatalogItem),
        resource(vtpm::Vtpm),
        resource(customization_spec::CustomizationSpec),
    ]
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_state_matches_its_schema() {
        for r in super::all() {
            if let Err(e) = r.self_check() {
                panic!("{}: {e}", r.type_name());
            }
        }
    }
}
