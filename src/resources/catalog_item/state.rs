//! The typed state of `vi_catalog_item`, one field per schema attribute;
//! the OVF facts it carries are the shared ones (`shared::ovf_facts`).
use serde::{Deserialize, Serialize};

use crate::plugin::Value;
use crate::shared::ovf_facts::OvfFacts;
use crate::shared::ovf_facts::model::{
    DeploymentOption, Disk, File, Network, Property, VServiceDependency, VirtualSystem,
};

#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq)]
pub struct State {
    pub id: Value<String>,
    pub catalog_id: Value<String>,
    pub name: Value<String>,
    pub description: Value<String>,
    pub source_file: Value<String>,
    pub source_vm_id: Value<String>,
    pub source_vapp_id: Value<String>,
    pub tpm_provisioning: Value<String>,

    pub source_sha256: Value<String>,
    pub instantiate_tpm: Value<String>,
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
    /// Puts the OVF facts into the state.
    pub fn set_facts(&mut self, f: OvfFacts) {
        self.ovf_version = Value::from_option(f.ovf_version);
        self.is_vapp = Value::known(f.is_vapp);
        self.has_tpm = Value::known(f.has_tpm);
        self.transports = Value::known(f.transports);
        self.networks = Value::known(f.networks);
        self.disks = Value::known(f.disks);
        self.files = Value::known(f.files);
        self.deployment_options = Value::known(f.deployment_options);
        self.virtual_systems = Value::known(f.virtual_systems);
        self.vapp_properties = Value::known(f.vapp_properties);
        self.vservice_dependencies = Value::known(f.vservice_dependencies);
    }

    /// Marks the facts as known only after apply.
    pub fn facts_unknown(&mut self) {
        self.ovf_version = Value::Unknown;
        self.is_vapp = Value::Unknown;
        self.has_tpm = Value::Unknown;
        self.transports = Value::Unknown;
        self.networks = Value::Unknown;
        self.disks = Value::Unknown;
        self.files = Value::Unknown;
        self.deployment_options = Value::Unknown;
        self.virtual_systems = Value::Unknown;
        self.vapp_properties = Value::Unknown;
        self.vservice_dependencies = Value::Unknown;
    }

    /// Whether the state carries facts (an imported one, or one upgraded
    /// from an older schema, does not yet).
    pub fn has_facts(&self) -> bool {
        self.virtual_systems.is_known()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn facts_go_into_a_state() {
        let mut s = State::default();
        assert!(!s.has_facts());
        s.facts_unknown();
        assert!(s.virtual_systems.is_unknown() && s.has_tpm.is_unknown() && s.files.is_unknown());
        s.set_facts(OvfFacts::default());
        assert!(s.has_facts());
        assert_eq!(s.has_tpm, Value::known(false));
        assert_eq!(s.virtual_systems, Value::known(vec![]));
        assert_eq!(s.ovf_version, Value::Null, "no descriptor, no version");
    }
}
