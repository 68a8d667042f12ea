//! The typed state of `data "vi_ovf"`: one field per schema attribute, and
//! one plain struct per object type in its lists (absent values are null).
use serde::{Deserialize, Serialize};

use crate::plugin::Value;

#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq)]
pub struct State {
    pub path: Value<String>,
    pub name: Value<String>,
    pub ovf_version: Value<i64>,
    pub is_vapp: Value<bool>,
    pub virtual_systems: Value<Vec<VirtualSystem>>,
    pub networks: Value<Vec<Network>>,
    pub disks: Value<Vec<Disk>>,
    pub files: Value<Vec<File>>,
    pub vapp_properties: Value<Vec<Property>>,
    pub vservice_dependencies: Value<Vec<VServiceDependency>>,
    pub has_tpm: Value<bool>,
    pub transports: Value<Vec<String>>,
}

#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq)]
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
    pub transports: Vec<String>,
    pub network_interface: Vec<Nic>,
    pub disks: Vec<VirtualDisk>,
}

#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq)]
pub struct Nic {
    pub adapter_type: Option<String>,
    pub network: Option<String>,
}

#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq)]
pub struct VirtualDisk {
    pub disk_id: Option<String>,
    pub capacity_bytes: Option<u64>,
    pub controller_type: Option<String>,
    pub unit_number: Option<u32>,
}

#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq)]
pub struct Network {
    pub name: String,
    pub description: Option<String>,
}

#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq)]
pub struct Disk {
    pub disk_id: String,
    pub file_id: Option<String>,
    pub capacity_bytes: Option<u64>,
    pub capacity_property: Option<String>,
    pub format: Option<String>,
    pub populated_size: Option<u64>,
}

#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq)]
pub struct File {
    pub id: String,
    pub href: String,
    pub size: Option<u64>,
    pub compression: Option<String>,
}

#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq)]
pub struct Property {
    pub key: String,
    pub class_id: Option<String>,
    pub instance_id: Option<String>,
    pub full_key: String,
    pub virtual_system_id: Option<String>,
    pub r#type: String,
    pub ovf_type: String,
    pub label: Option<String>,
    pub description: Option<String>,
    pub category: Option<String>,
    pub default_value: Option<String>,
    pub user_configurable: bool,
    pub password: bool,
}

#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq)]
pub struct VServiceDependency {
    pub id: String,
    pub r#type: String,
    pub name: Option<String>,
    pub description: Option<String>,
    pub required: bool,
    pub virtual_system_id: Option<String>,
}
