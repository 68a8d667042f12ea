//! The typed state of `vi_vapp`, one field per schema attribute.
use serde::{Deserialize, Serialize};

use crate::plugin::Value;

#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq)]
pub struct State {
    pub id: Value<String>,
    pub name: Value<String>,
    pub resource_pool_id: Value<String>,
    pub folder: Value<String>,

    pub cpu_share_level: Value<String>,
    pub cpu_shares: Value<i64>,
    pub cpu_reservation: Value<i64>,
    pub cpu_expandable: Value<bool>,
    pub cpu_limit: Value<i64>,
    pub memory_share_level: Value<String>,
    pub memory_shares: Value<i64>,
    pub memory_reservation: Value<i64>,
    pub memory_expandable: Value<bool>,
    pub memory_limit: Value<i64>,

    pub ovf_environment_transport: Value<Vec<String>>,
    pub ip_protocol: Value<String>,
    pub ip_allocation_policy: Value<String>,
    pub power_state: Value<String>,

    #[serde(default)]
    pub product: Option<Product>,
    #[serde(default)]
    pub clone: Option<CloneBlock>,
    #[serde(default)]
    pub timeouts: Option<Timeouts>,
}

#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq)]
pub struct Product {
    pub name: Value<String>,
    pub vendor: Value<String>,
    pub version: Value<String>,
    pub full_version: Value<String>,
    pub vendor_url: Value<String>,
    pub product_url: Value<String>,
}

#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq)]
pub struct CloneBlock {
    pub source_id: Value<String>,
    pub datastore_id: Value<String>,
    pub tpm_provisioning: Value<String>,
}

#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq)]
pub struct Timeouts {
    pub create: Value<String>,
    pub update: Value<String>,
    pub delete: Value<String>,
}

/// One of the two allocations, seen through the state's flat attributes.
pub struct AllocationView<'a> {
    /// `cpu` or `memory`: the attribute prefix.
    pub prefix: &'static str,
    pub share_level: &'a Value<String>,
    pub shares: &'a Value<i64>,
    pub reservation: &'a Value<i64>,
    pub expandable: &'a Value<bool>,
    pub limit: &'a Value<i64>,
}

impl State {
    pub fn cpu(&self) -> AllocationView<'_> {
        AllocationView {
            prefix: "cpu",
            share_level: &self.cpu_share_level,
            shares: &self.cpu_shares,
            reservation: &self.cpu_reservation,
            expandable: &self.cpu_expandable,
            limit: &self.cpu_limit,
        }
    }

    pub fn memory(&self) -> AllocationView<'_> {
        AllocationView {
            prefix: "memory",
            share_level: &self.memory_share_level,
            shares: &self.memory_shares,
            reservation: &self.memory_reservation,
            expandable: &self.memory_expandable,
            limit: &self.memory_limit,
        }
    }
}
