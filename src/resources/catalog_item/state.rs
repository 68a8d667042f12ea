//! The typed state of `vi_catalog_item`, one field per schema attribute,
//! and the OVF facts it carries (plain structs: they are always read whole
//! from a descriptor, never partly unknown).
use serde::{Deserialize, Serialize};

use crate::plugin::Value;
use crate::plugin::value::null_as_empty;

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
    pub has_tpm: Value<bool>,
    pub is_vapp: Value<bool>,
    pub networks: Value<Vec<NetworkFact>>,
    pub disks: Value<Vec<DiskFact>>,
    pub deployment_options: Value<Vec<DeploymentOptionFact>>,
    pub virtual_systems: Value<Vec<VirtualSystemFact>>,
    pub vapp_properties: Value<Vec<PropertyFact>>,
}

/// `NetworkSection/Network`.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq)]
pub struct NetworkFact {
    pub name: String,
    pub description: Option<String>,
}

/// `DiskSection/Disk`.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq)]
pub struct DiskFact {
    pub disk_id: String,
    /// The referenced file's name, `None` for a disk created empty.
    pub file: Option<String>,
    pub capacity_bytes: Option<u64>,
    pub capacity_property: Option<String>,
    pub format: Option<String>,
}

/// `DeploymentOptionSection/Configuration`.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq)]
pub struct DeploymentOptionFact {
    pub id: String,
    pub label: Option<String>,
    pub description: Option<String>,
    pub default: bool,
}

/// One `VirtualSystem` with its hardware summary.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq)]
pub struct VirtualSystemFact {
    pub id: String,
    pub name: Option<String>,
    pub annotation: Option<String>,
    pub guest_id: Option<String>,
    pub num_cpus: Option<u32>,
    pub cores_per_socket: Option<u32>,
    pub memory_mb: Option<u64>,
    pub firmware: Option<String>,
    pub secure_boot: Option<bool>,
    pub hardware_version: Option<String>,
    pub has_tpm: bool,
    #[serde(default, deserialize_with = "null_as_empty")]
    pub transports: Vec<String>,
    #[serde(default, deserialize_with = "null_as_empty")]
    pub network_interface: Vec<NicFact>,
    #[serde(default, deserialize_with = "null_as_empty")]
    pub disks: Vec<VmDiskFact>,
    #[serde(default, deserialize_with = "null_as_empty")]
    pub vapp_properties: Vec<PropertyFact>,
    #[serde(default, deserialize_with = "null_as_empty")]
    pub vservice_dependencies: Vec<VServiceFact>,
}

/// An Ethernet adapter item.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq)]
pub struct NicFact {
    pub adapter_type: Option<String>,
    pub network: Option<String>,
}

/// A disk drive item.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq)]
pub struct VmDiskFact {
    pub disk_id: Option<String>,
    pub capacity_bytes: Option<u64>,
    /// `ide`, `scsi`, `sata` or `nvme`.
    pub controller: Option<String>,
    pub controller_type: Option<String>,
    pub bus_number: Option<u32>,
    pub unit_number: Option<u32>,
}

/// A `ProductSection` property.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq)]
pub struct PropertyFact {
    pub id: String,
    pub key: String,
    pub class_id: Option<String>,
    pub instance_id: Option<String>,
    #[serde(rename = "type")]
    pub type_: String,
    pub label: Option<String>,
    pub description: Option<String>,
    pub category: Option<String>,
    pub default_value: Option<String>,
    pub user_configurable: bool,
    pub password: bool,
}

/// A `vmw:vServiceDependencySection`.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq)]
pub struct VServiceFact {
    pub id: String,
    #[serde(rename = "type")]
    pub type_: String,
    pub name: Option<String>,
    pub description: Option<String>,
    pub required: bool,
}
