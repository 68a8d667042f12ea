//! The typed state of `data "vi_ovf"`: one field per schema attribute; the
//! objects in its lists are the shared OVF facts' (`shared::ovf_facts`).
use serde::{Deserialize, Serialize};

use crate::plugin::Value;
use crate::shared::ovf_facts::OvfFacts;
use crate::shared::ovf_facts::model::{
    DeploymentOption, Disk, File, Network, Property, VServiceDependency, VirtualSystem,
};

#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq)]
pub struct State {
    pub path: Value<String>,
    pub name: Value<String>,
    pub ovf_version: Value<i64>,
    pub is_vapp: Value<bool>,
    pub has_tpm: Value<bool>,
    pub transports: Value<Vec<String>>,
    pub networks: Value<Vec<Network>>,
    pub disks: Value<Vec<Disk>>,
    pub files: Value<Vec<File>>,
    pub deployment_options: Value<Vec<DeploymentOption>>,
    pub virtual_systems: Value<Vec<VirtualSystem>>,
    pub vapp_properties: Value<Vec<Property>>,
    pub vservice_dependencies: Value<Vec<VServiceDependency>>,
}

impl State {
    /// The state of the package at `path` named `name` with facts `f`.
    pub fn new(path: &str, name: Option<String>, f: OvfFacts) -> State {
        State {
            path: Value::known(path.to_owned()),
            name: Value::from_option(name),
            ovf_version: Value::from_option(f.ovf_version),
            is_vapp: Value::known(f.is_vapp),
            has_tpm: Value::known(f.has_tpm),
            transports: Value::known(f.transports),
            networks: Value::known(f.networks),
            disks: Value::known(f.disks),
            files: Value::known(f.files),
            deployment_options: Value::known(f.deployment_options),
            virtual_systems: Value::known(f.virtual_systems),
            vapp_properties: Value::known(f.vapp_properties),
            vservice_dependencies: Value::known(f.vservice_dependencies),
        }
    }
}
