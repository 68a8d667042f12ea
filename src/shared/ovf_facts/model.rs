//! The OVF facts: plain structs, one per object type in the schema's
//! lists (absent values are null). They are always read whole from a
//! descriptor, never partly unknown.
use serde::{Deserialize, Serialize};

use crate::plugin::value::null_as_empty;

/// Every fact of one descriptor.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct OvfFacts {
    /// OVF envelope major version; `None` when there is no descriptor
    /// (an item vCenter holds without files).
    pub ovf_version: Option<i64>,
    pub is_vapp: bool,
    pub has_tpm: bool,
    /// Every virtual system's transports, each once.
    pub transports: Vec<String>,
    pub networks: Vec<Network>,
    pub disks: Vec<Disk>,
    pub files: Vec<File>,
    pub deployment_options: Vec<DeploymentOption>,
    pub virtual_systems: Vec<VirtualSystem>,
    /// Every property: the vApp's own, then each virtual system's.
    pub vapp_properties: Vec<Property>,
    /// Every vService dependency: the vApp's own, then each virtual system's.
    pub vservice_dependencies: Vec<VServiceDependency>,
}

/// `NetworkSection/Network`.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq)]
pub struct Network {
    pub name: String,
    pub description: Option<String>,
}

/// `DiskSection/Disk`.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq)]
pub struct Disk {
    pub disk_id: String,
    /// `ovf:fileRef`; `None` for a disk created empty.
    pub file_id: Option<String>,
    /// That file's `href`.
    pub file_href: Option<String>,
    pub capacity_bytes: Option<u64>,
    pub capacity_property: Option<String>,
    pub format: Option<String>,
    pub populated_size: Option<u64>,
}

/// `References/File`.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq)]
pub struct File {
    pub id: String,
    pub href: String,
    pub size: Option<u64>,
    pub compression: Option<String>,
}

/// `DeploymentOptionSection/Configuration`.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq)]
pub struct DeploymentOption {
    pub id: String,
    pub label: Option<String>,
    pub description: Option<String>,
    pub default: bool,
}

/// One `VirtualSystem` with its hardware summary, its own properties and
/// vService dependencies.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq)]
pub struct VirtualSystem {
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
    pub network_interface: Vec<NetworkInterface>,
    #[serde(default, deserialize_with = "null_as_empty")]
    pub disks: Vec<VirtualDisk>,
    #[serde(default, deserialize_with = "null_as_empty")]
    pub vapp_properties: Vec<Property>,
    #[serde(default, deserialize_with = "null_as_empty")]
    pub vservice_dependencies: Vec<VServiceDependency>,
}

/// An Ethernet adapter item.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq)]
pub struct NetworkInterface {
    pub adapter_type: Option<String>,
    pub network: Option<String>,
}

/// A disk drive item.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq)]
pub struct VirtualDisk {
    pub disk_id: Option<String>,
    pub capacity_bytes: Option<u64>,
    /// `ide`, `scsi`, `sata` or `nvme`.
    pub controller: Option<String>,
    /// The controller's `ResourceSubType` as written (`lsilogic`,
    /// `VirtualSCSI`, `ahci`).
    pub controller_subtype: Option<String>,
    pub bus_number: Option<u32>,
    pub unit_number: Option<u32>,
}

/// A `ProductSection` property.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq)]
pub struct Property {
    pub key: String,
    pub class_id: Option<String>,
    pub instance_id: Option<String>,
    /// `[class.]key[.instance]`, the name in the OVF environment.
    pub full_key: String,
    /// `None` for the vApp's own.
    pub virtual_system_id: Option<String>,
    /// vSphere's form when the OVF's translates, else as written.
    #[serde(rename = "type")]
    pub type_: String,
    /// As written in the descriptor.
    pub ovf_type: String,
    pub label: Option<String>,
    pub description: Option<String>,
    pub category: Option<String>,
    /// Never set for a secret.
    pub default_value: Option<String>,
    pub user_configurable: bool,
    pub password: bool,
}

/// A `vmw:vServiceDependencySection`.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq)]
pub struct VServiceDependency {
    pub id: String,
    #[serde(rename = "type")]
    pub type_: String,
    pub name: Option<String>,
    pub description: Option<String>,
    pub required: bool,
    /// `None` for the vApp's own.
    pub virtual_system_id: Option<String>,
}
