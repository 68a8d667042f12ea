//! From what vSphere says about a property (`VAppPropertyInfo`) to the
//! resource's state. vSphere reads a password type's value and default back
//! empty, so those come from the state the read started from (which never
//! holds the write-only value, only its version).
use super::state::State;
use crate::plugin::Value;
use crate::vi::object::vapp_config::VAppPropertyInfo;

/// A text field: empty in vSphere is unset, or `""` when the state says so.
fn text(live: &Option<String>, prior: &Value<String>) -> Value<String> {
    match live.as_deref() {
        Some(v) if !v.is_empty() => Value::known(v.to_owned()),
        _ if prior.as_deref() == Some("") => Value::known(String::new()),
        _ => Value::Null,
    }
}

pub fn to_state(target_id: &str, live: &VAppPropertyInfo, prior: &State) -> State {
    let r#type = match live.r#type.as_deref() {
        Some(t) if !t.is_empty() => Value::known(t.to_owned()),
        // No type is vSphere's generic string.
        _ if matches!(prior.r#type.as_deref(), Some("" | "string")) => prior.r#type.clone(),
        _ => Value::known("string".to_owned()),
    };
    let (value, sensitive_value, default_value) = if live.is_password() {
        (Value::Null, known_or_null(&prior.sensitive_value), known_or_null(&prior.default_value))
    } else {
        (text(&live.value, &prior.value), Value::Null, text(&live.default_value, &prior.default_value))
    };
    State {
        id: Value::known(format!("{target_id}:{}", live.key)),
        target_id: Value::known(target_id.to_owned()),
        key: Value::known(live.key),
        property_id: Value::known(live.id.clone().unwrap_or_default()),
        category: text(&live.category, &prior.category),
        label: text(&live.label, &prior.label),
        description: text(&live.description, &prior.description),
        class_id: text(&live.class_id, &prior.class_id),
        instance_id: text(&live.instance_id, &prior.instance_id),
        type_reference: text(&live.type_reference, &prior.type_reference),
        user_configurable: Value::known(
            live.user_configurable.or_else(|| prior.user_configurable.get().copied()).unwrap_or(false),
        ),
        default_value,
        value,
        sensitive_value,
        // Never stored; its version is Terraform's alone.
        sensitive_value_wo: Value::Null,
        sensitive_value_wo_version: match prior.sensitive_value_wo_version {
            Value::Known(v) => Value::known(v),
            _ => Value::Null,
        },
        r#type,
    }
}

/// A prior value as it may stand in a refreshed state (never unknown).
fn known_or_null(v: &Value<String>) -> Value<String> {
    match v {
        Value::Known(s) => Value::known(s.clone()),
        _ => Value::Null,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn prior() -> State {
        State {
            id: Value::known("vm-1:3".into()),
            target_id: Value::known("vm-1".into()),
            key: Value::known(3),
            property_id: Value::known("admin_pw".into()),
            label: Value::known(String::new()),
            user_configurable: Value::known(true),
            r#type: Value::known("password".into()),
            sensitive_value: Value::known("s3cret".into()),
            default_value: Value::known("fallback-pw".into()),
            ..State::default()
        }
    }

    #[test]
    fn password_values_read_back_empty_keep_the_configured_ones() {
        let live = VAppPropertyInfo {
            key: 3,
            id: Some("admin_pw".into()),
            r#type: Some("password".into()),
            user_configurable: Some(true),
            value: Some(String::new()),
            default_value: Some(String::new()),
            ..Default::default()
        };
        let s = to_state("vm-1", &live, &prior());
        assert_eq!(s, prior(), "no perpetual diff");
        // The write-only form: its version kept, no value anywhere.
        let wo_prior = State { sensitive_value: Value::Null, sensitive_value_wo_version: Value::known(3), ..prior() };
        let live_pw = VAppPropertyInfo { value: Some("Pa55-from-vcenter".into()), ..live.clone() };
        let s = to_state("vm-1", &live_pw, &wo_prior);
        assert_eq!(s, wo_prior, "nothing read back, the version kept");
        // Import: nothing to keep, nothing invented.
        let imported = to_state("vm-1", &live, &State::default());
        assert!(imported.sensitive_value.is_null() && imported.value.is_null() && imported.default_value.is_null());
        assert_eq!(imported.id.as_deref(), Some("vm-1:3"));
    }

    #[test]
    fn other_values_follow_vsphere() {
        let live = VAppPropertyInfo {
            key: 0,
            id: Some("port".into()),
            class_id: Some("app".into()),
            category: Some(String::new()),
            r#type: Some("int(0..65535)".into()),
            user_configurable: Some(false),
            value: Some("8080".into()),
            ..Default::default()
        };
        let before = State {
            value: Value::known("80".into()),
            category: Value::known(String::new()),
            sensitive_value: Value::known("stale".into()),
            ..State::default()
        };
        let s = to_state("resgroup-v9", &live, &before);
        assert_eq!(s.value.as_deref(), Some("8080"), "drift is seen");
        assert_eq!(s.category.as_deref(), Some(""), "empty stays as configured");
        assert!(s.label.is_null() && s.sensitive_value.is_null() && s.default_value.is_null());
        assert_eq!(s.class_id.as_deref(), Some("app"));
        assert_eq!(s.user_configurable.get(), Some(&false));
        assert_eq!(s.id.as_deref(), Some("resgroup-v9:0"));
    }

    #[test]
    fn no_type_reads_as_string() {
        let live = VAppPropertyInfo { key: 1, id: Some("x".into()), ..Default::default() };
        let s = to_state("vm-1", &live, &State::default());
        assert_eq!(s.r#type.as_deref(), Some("string"));
        assert_eq!(s.user_configurable.get(), Some(&false), "unset means a system property");
        let typed_empty = State { r#type: Value::known(String::new()), ..State::default() };
        assert_eq!(to_state("vm-1", &live, &typed_empty).r#type.as_deref(), Some(""));
    }
}
