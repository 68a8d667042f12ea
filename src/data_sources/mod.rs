//! Data sources: how configurations find existing inventory objects. Each
//! returns the managed object id as `id`, for `*_id` arguments elsewhere.
use std::sync::Arc;

use crate::plugin::{AnyDataSource, data_source};
use crate::shared::Meta;

pub mod datacenter;
pub mod datastore;
pub mod folder;
pub mod host;
pub mod network;
pub mod ovf;
pub mod resource_pool;
pub mod vm;
pub mod vms;

pub fn all() -> Vec<Arc<dyn AnyDataSource<Meta>>> {
    vec![
        data_source(datacenter::DatacenterData),
        data_source(datastore::DatastoreData),
        data_source(network::NetworkData),
        data_source(resource_pool::ResourcePoolData),
        data_source(host::HostData),
        data_source(folder::FolderData),
        data_source(vm::VmData),
        data_source(vms::VmsData),
        data_source(ovf::OvfData),
    ]
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_state_matches_its_schema() {
        for ds in super::all() {
            if let Err(e) = ds.self_check() {
                panic!("{}: {e}", ds.type_name());
            }
        }
    }
}
