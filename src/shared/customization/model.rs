//! The typed state of a customization block, one field per attribute.
use serde::{Deserialize, Serialize};

use crate::plugin::Value;
use crate::plugin::value::null_as_empty;

/// What a specification holds, in `customize` and in `spec` alike.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq)]
pub struct SpecFields {
    #[serde(default)]
    pub linux_options: Option<LinuxOptions>,
    #[serde(default)]
    pub windows_options: Option<WindowsOptions>,
    pub windows_sysprep_text: Value<String>,
    #[serde(default, deserialize_with = "null_as_empty")]
    pub network_interface: Vec<NicSettings>,
    pub ipv4_gateway: Value<String>,
    pub ipv6_gateway: Value<String>,
    pub dns_server_list: Value<Vec<String>>,
    pub dns_suffix_list: Value<Vec<String>>,
}

/// `vi_vm`'s `customize` block: a specification and how long to wait for
/// the guest to take it.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq)]
pub struct CustomizeBlock {
    #[serde(flatten)]
    pub spec: SpecFields,
    pub timeout: Value<i64>,
}

/// `vi_vm`'s `customization_spec` block: a specification stored in
/// vCenter, by name.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq)]
pub struct NamedSpecBlock {
    pub id: Value<String>,
    pub timeout: Value<i64>,
}

#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq)]
pub struct LinuxOptions {
    pub host_name: Value<String>,
    pub domain: Value<String>,
    pub time_zone: Value<String>,
    pub hw_clock_utc: Value<bool>,
    pub script_text: Value<String>,
}

#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq)]
pub struct WindowsOptions {
    pub computer_name: Value<String>,
    pub admin_password: Value<String>,
    /// Write-only: here from the configuration, never in a plan or state.
    pub admin_password_wo: Value<String>,
    pub admin_password_wo_version: Value<i64>,
    pub auto_logon: Value<bool>,
    pub auto_logon_count: Value<i64>,
    pub join_domain: Value<String>,
    pub domain_admin_user: Value<String>,
    pub domain_admin_password: Value<String>,
    pub domain_admin_password_wo: Value<String>,
    pub domain_admin_password_wo_version: Value<i64>,
    pub domain_ou: Value<String>,
    pub workgroup: Value<String>,
    pub full_name: Value<String>,
    pub organization_name: Value<String>,
    pub product_key: Value<String>,
    pub run_once_command_list: Value<Vec<String>>,
    pub time_zone: Value<i64>,
}

#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq)]
pub struct NicSettings {
    pub ipv4_address: Value<String>,
    pub ipv4_netmask: Value<i64>,
    pub ipv6_address: Value<String>,
    pub ipv6_netmask: Value<i64>,
    pub dns_server_list: Value<Vec<String>>,
    pub dns_domain: Value<String>,
}

impl SpecFields {
    /// The block without its write-only values, as plans and states hold
    /// it: what to compare with a prior state.
    pub fn without_write_only(&self) -> SpecFields {
        let mut s = self.clone();
        if let Some(w) = &mut s.windows_options {
            w.admin_password_wo = Value::Null;
            w.domain_admin_password_wo = Value::Null;
        }
        s
    }
}

impl WindowsOptions {
    /// The Administrator's password, from either form.
    pub fn admin_password(&self) -> &Value<String> {
        if self.admin_password.is_null() { &self.admin_password_wo } else { &self.admin_password }
    }

    /// The domain-join password, from either form.
    pub fn domain_admin_password(&self) -> &Value<String> {
        if self.domain_admin_password.is_null() { &self.domain_admin_password_wo } else { &self.domain_admin_password }
    }
}
