//! The typed state of `vi_vm`, one field per schema attribute.
use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::plugin::Value;
use crate::plugin::value::null_as_empty;
use crate::shared::customization::model::{CustomizeBlock, NamedSpecBlock};

#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq)]
pub struct State {
    pub id: Value<String>,
    pub name: Value<String>,
    pub resource_pool_id: Value<String>,
    pub vapp_id: Value<String>,
    pub datastore_id: Value<String>,
    pub host_id: Value<String>,
    pub folder: Value<String>,

    pub guest_id: Value<String>,
    pub num_cpus: Value<i64>,
    pub num_cores_per_socket: Value<i64>,
    pub memory: Value<i64>,
    pub cpu_hot_add_enabled: Value<bool>,
    pub memory_hot_add_enabled: Value<bool>,
    pub firmware: Value<String>,
    pub efi_secure_boot: Value<bool>,
    pub hardware_version: Value<i64>,
    pub scsi_type: Value<String>,
    pub annotation: Value<String>,
    pub extra_config: Value<BTreeMap<String, String>>,

    pub power_state: Value<String>,
    pub reboot_allowed: Value<bool>,
    pub shutdown_wait_timeout: Value<i64>,
    pub wait_for_ip_timeout: Value<i64>,

    pub uuid: Value<String>,
    pub instance_uuid: Value<String>,
    pub default_ip_address: Value<String>,
    pub guest_ip_addresses: Value<Vec<String>>,
    pub vmx_path: Value<String>,
    pub vtpm_present: Value<bool>,
    pub imported: Value<bool>,

    #[serde(default, deserialize_with = "null_as_empty")]
    pub disk: Vec<Disk>,
    #[serde(default, deserialize_with = "null_as_empty")]
    pub network_interface: Vec<Nic>,
    #[serde(default)]
    pub cdrom: Option<Cdrom>,
    #[serde(default)]
    pub vtpm: Option<Vtpm>,
    #[serde(default)]
    pub clone: Option<CloneBlock>,
    #[serde(default)]
    pub catalog_item: Option<CatalogItemBlock>,
    #[serde(default)]
    pub vapp_start: Option<VappStart>,
    #[serde(default)]
    pub timeouts: Option<Timeouts>,
}

#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq)]
pub struct Disk {
    pub label: Value<String>,
    pub size: Value<i64>,
    pub thin_provisioned: Value<bool>,
    pub unit_number: Value<i64>,
    pub path: Value<String>,
    pub uuid: Value<String>,
    pub key: Value<i64>,
}

#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq)]
pub struct Nic {
    pub network_id: Value<String>,
    pub adapter_type: Value<String>,
    pub mac_address: Value<String>,
    pub mac_address_check: Value<bool>,
    pub key: Value<i64>,
}

#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq)]
pub struct Cdrom {
    pub datastore_id: Value<String>,
    pub path: Value<String>,
    pub datastore_path: Value<String>,
}

#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq)]
pub struct Vtpm {
    pub key_provider_id: Value<String>,
}

#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq)]
pub struct CloneBlock {
    pub source_id: Value<String>,
    pub linked_clone: Value<bool>,
    pub tpm_provisioning: Value<String>,
    #[serde(default)]
    pub customize: Option<CustomizeBlock>,
    #[serde(default)]
    pub customization_spec: Option<NamedSpecBlock>,
}

#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq)]
pub struct CatalogItemBlock {
    pub item_id: Value<String>,
    pub tpm_provisioning: Value<String>,
    #[serde(default)]
    pub customize: Option<CustomizeBlock>,
    #[serde(default)]
    pub customization_spec: Option<NamedSpecBlock>,
}

#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq)]
pub struct VappStart {
    pub order: Value<i64>,
    pub start_delay: Value<i64>,
    pub stop_delay: Value<i64>,
    pub start_action: Value<String>,
    pub stop_action: Value<String>,
    pub wait_for_guest: Value<bool>,
}

#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq)]
pub struct Timeouts {
    pub create: Value<String>,
    pub update: Value<String>,
    pub delete: Value<String>,
}

impl State {
    pub fn powered_on(&self) -> bool {
        self.power_state.as_deref() == Some("on")
    }

    /// The customization asked for at deployment, with the path of its
    /// creation block (`clone` or `catalog_item`).
    pub fn customization(&self) -> Option<(&'static str, Option<&CustomizeBlock>, Option<&NamedSpecBlock>)> {
        if let Some(c) = &self.clone {
            Some(("clone", c.customize.as_ref(), c.customization_spec.as_ref()))
        } else {
            self.catalog_item.as_ref().map(|c| ("catalog_item", c.customize.as_ref(), c.customization_spec.as_ref()))
        }
        .filter(|(_, a, b)| a.is_some() || b.is_some())
    }
}
