//! The typed state of `vi_vapp_property`, one field per schema attribute,
//! and what it becomes for the rules (`PropertySpec`) and for vSphere
//! (`VAppPropertyInfo`).
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::plugin::Value;
use crate::rules::vapp_property::PropertySpec;
use crate::rules::vapp_type::parse_type;
use crate::vi::object::vapp_config::VAppPropertyInfo;

#[derive(Serialize, Deserialize, Clone, Default, PartialEq)]
pub struct State {
    pub id: Value<String>,
    pub target_id: Value<String>,
    pub key: Value<i64>,
    pub property_id: Value<String>,
    pub category: Value<String>,
    pub label: Value<String>,
    pub description: Value<String>,
    pub class_id: Value<String>,
    pub instance_id: Value<String>,
    pub type_reference: Value<String>,
    pub user_configurable: Value<bool>,
    pub default_value: Value<String>,
    pub value: Value<String>,
    pub sensitive_value: Value<String>,
    /// Write-only: here from the configuration, never in a plan or state.
    pub sensitive_value_wo: Value<String>,
    pub sensitive_value_wo_version: Value<i64>,
    #[serde(rename = "type")]
    pub r#type: Value<String>,
}

/// What `{:?}` shows of a secret: whether it is there, not what it is.
fn hidden(v: &Value<String>) -> Value<&'static str> {
    match v {
        Value::Known(_) => Value::Known("(sensitive)"),
        Value::Unknown => Value::Unknown,
        Value::Null => Value::Null,
    }
}

/// `sensitive_value` and `sensitive_value_wo` never reach a log or a test
/// failure through `{:?}`.
impl fmt::Debug for State {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("State")
            .field("id", &self.id)
            .field("target_id", &self.target_id)
            .field("key", &self.key)
            .field("property_id", &self.property_id)
            .field("category", &self.category)
            .field("label", &self.label)
            .field("description", &self.description)
            .field("class_id", &self.class_id)
            .field("instance_id", &self.instance_id)
            .field("type_reference", &self.type_reference)
            .field("user_configurable", &self.user_configurable)
            .field("default_value", &self.default_value)
            .field("value", &self.value)
            .field("sensitive_value", &hidden(&self.sensitive_value))
            .field("sensitive_value_wo", &hidden(&self.sensitive_value_wo))
            .field("sensitive_value_wo_version", &self.sensitive_value_wo_version)
            .field("type", &self.r#type)
            .finish()
    }
}

impl State {
    /// The type as configured; `string` (vSphere's generic type) when unset.
    pub fn type_text(&self) -> &str {
        self.r#type.as_deref().filter(|t| !t.is_empty()).unwrap_or("string")
    }

    /// Whether the type is a password type (`None` while it is unknown).
    pub fn is_secret(&self) -> Option<bool> {
        if self.r#type.is_unknown() {
            return None;
        }
        Some(parse_type(self.type_text()).is_ok_and(|t| t.is_secret()))
    }

    /// The value sent to vSphere: `sensitive_value` (or its write-only
    /// form) for password types, else `value`.
    pub fn effective_value(&self) -> Option<&str> {
        if self.is_secret() == Some(true) { self.secret() } else { self.value.as_deref() }
    }

    /// The password, from `sensitive_value` or `sensitive_value_wo`.
    pub fn secret(&self) -> Option<&str> {
        self.sensitive_value.as_deref().or(self.sensitive_value_wo.as_deref())
    }

    /// Whether the value comes from the write-only attribute (set, even if
    /// not known yet).
    pub fn write_only(&self) -> bool {
        !self.sensitive_value_wo.is_null()
    }

    /// The property for the rules; unknown values count as unset (the
    /// caller drops what the rules say about them).
    pub fn to_spec(&self, key: Option<i64>) -> PropertySpec {
        let s = |v: &Value<String>| v.get().cloned();
        PropertySpec {
            key,
            property_id: s(&self.property_id).unwrap_or_default(),
            category: s(&self.category),
            label: s(&self.label),
            description: s(&self.description),
            class_id: s(&self.class_id),
            instance_id: s(&self.instance_id),
            type_reference: s(&self.type_reference),
            user_configurable: self.user_configurable.get().copied().unwrap_or(true),
            default_value: s(&self.default_value),
            value: self.effective_value().map(str::to_owned),
            r#type: self.r#type.get().cloned().unwrap_or_default(),
        }
    }

    /// `[class_id.]property_id[.instance_id]`, the name in the OVF environment.
    pub fn qualified_id(&self) -> String {
        self.to_spec(None).qualified_id()
    }

    /// The property as vSphere takes it. An add leaves unset fields out; an
    /// edit sends them empty, so a field removed from the configuration is
    /// cleared rather than left as it was.
    pub fn to_info(&self, key: i64, clear_unset: bool) -> VAppPropertyInfo {
        let s = |v: Option<&str>| match v {
            Some(v) => Some(v.to_owned()),
            None if clear_unset => Some(String::new()),
            None => None,
        };
        VAppPropertyInfo {
            key,
            class_id: s(self.class_id.as_deref()),
            instance_id: s(self.instance_id.as_deref()),
            id: s(self.property_id.as_deref()),
            category: s(self.category.as_deref()),
            label: s(self.label.as_deref()),
            r#type: Some(self.type_text().to_owned()),
            type_reference: s(self.type_reference.as_deref()),
            user_configurable: Some(self.user_configurable.get().copied().unwrap_or(true)),
            default_value: s(self.default_value.as_deref()),
            value: s(self.effective_value()),
            description: s(self.description.as_deref()),
        }
    }
}

/// The qualified id of a property as vSphere holds it.
pub fn live_qualified_id(p: &VAppPropertyInfo) -> String {
    PropertySpec {
        property_id: p.id.clone().unwrap_or_default(),
        class_id: p.class_id.clone(),
        instance_id: p.instance_id.clone(),
        ..PropertySpec::default()
    }
    .qualified_id()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn password() -> State {
        State {
            target_id: Value::known("vm-1".into()),
            property_id: Value::known("admin_pw".into()),
            r#type: Value::known("password(8..)".into()),
            sensitive_value: Value::known("s3cret-value".into()),
            user_configurable: Value::known(true),
            ..State::default()
        }
    }

    #[test]
    fn password_values_come_from_sensitive_value_and_stay_out_of_debug() {
        let s = password();
        assert_eq!(s.is_secret(), Some(true));
        assert_eq!(s.effective_value(), Some("s3cret-value"));
        assert_eq!(s.to_spec(Some(1)).value.as_deref(), Some("s3cret-value"));
        assert_eq!(s.to_info(1, false).value.as_deref(), Some("s3cret-value"));
        assert!(!format!("{s:?}").contains("s3cret"), "{s:?}");
        let wo = State {
            sensitive_value: Value::Null,
            sensitive_value_wo: Value::known("wr1te-only-pw".into()),
            sensitive_value_wo_version: Value::known(2),
            ..password()
        };
        assert_eq!(wo.effective_value(), Some("wr1te-only-pw"));
        assert!(wo.write_only() && !s.write_only());
        assert_eq!(wo.to_info(1, false).value.as_deref(), Some("wr1te-only-pw"));
        assert!(!format!("{wo:?}").contains("wr1te"), "{wo:?}");
        let unknown_type = State { r#type: Value::Unknown, ..password() };
        assert_eq!(unknown_type.is_secret(), None);
        assert_eq!(unknown_type.effective_value(), None);
    }

    #[test]
    fn add_leaves_unset_fields_out_and_edit_clears_them() {
        let s = State {
            property_id: Value::known("hostname".into()),
            class_id: Value::known("vami".into()),
            value: Value::known("web-1".into()),
            ..State::default()
        };
        assert_eq!(s.qualified_id(), "vami.hostname");
        let add = s.to_info(4, false);
        assert_eq!(add.key, 4);
        assert_eq!(add.label, None);
        assert_eq!(add.r#type.as_deref(), Some("string"), "no type means string");
        assert_eq!(add.user_configurable, Some(true), "user_configurable defaults to true");
        assert_eq!(add.value.as_deref(), Some("web-1"));
        let edit = s.to_info(4, true);
        assert_eq!(edit.label.as_deref(), Some(""));
        assert_eq!(edit.id.as_deref(), Some("hostname"));
    }

    #[test]
    fn live_ids_are_qualified_like_configured_ones() {
        let p = VAppPropertyInfo {
            key: 0,
            id: Some("ip".into()),
            instance_id: Some("VM_1".into()),
            class_id: Some(String::new()),
            ..Default::default()
        };
        assert_eq!(live_qualified_id(&p), "ip.VM_1");
    }
}
