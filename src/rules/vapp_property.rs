//! A vApp property's whole schema (vSphere's `VAppPropertyInfo`): ids, key,
//! type, default value and value, and uniqueness within a VM or vApp.
//!
//! Empty `value` and `default_value` count as unset: vSphere uses the
//! default when the value is empty, and an empty default means none.

use std::collections::HashMap;

use super::vapp_error::{IdField, ValueField, VappError};
use super::vapp_type::{PropertyType, parse_type};
use super::vapp_value::check_value;

/// A vApp property as configured.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PropertySpec {
    /// vSphere's integer key; `None` when vSphere is to choose one.
    pub key: Option<i64>,
    /// The property's name (vSphere's `id`); required.
    pub property_id: String,
    pub category: Option<String>,
    pub label: Option<String>,
    pub description: Option<String>,
    pub class_id: Option<String>,
    pub instance_id: Option<String>,
    pub type_reference: Option<String>,
    pub user_configurable: bool,
    pub default_value: Option<String>,
    pub value: Option<String>,
    /// The type string; empty means `string`, vSphere's generic type (the
    /// attribute is optional in the vSphere schema).
    pub r#type: String,
}

impl PropertySpec {
    /// The type to check against: the `type` attribute, or `string` when empty.
    pub fn type_text(&self) -> &str {
        if self.r#type.is_empty() { "string" } else { &self.r#type }
    }

    /// `[class_id.]property_id[.instance_id]`: the name in the OVF
    /// environment, which must be unique within a VM or vApp.
    pub fn qualified_id(&self) -> String {
        let mut id = String::new();
        if let Some(class_id) = self.class_id.as_deref().filter(|c| !c.is_empty()) {
            id.push_str(class_id);
            id.push('.');
        }
        id.push_str(&self.property_id);
        if let Some(instance_id) = self.instance_id.as_deref().filter(|i| !i.is_empty()) {
            id.push('.');
            id.push_str(instance_id);
        }
        id
    }
}

/// Every problem with one property, each naming its attribute (empty when
/// the property is valid).
pub fn check_property(spec: &PropertySpec) -> Vec<VappError> {
    let mut errors = Vec::new();
    if let Some(key) = spec.key
        && !(0..=i64::from(i32::MAX)).contains(&key)
    {
        errors.push(VappError::KeyOutOfRange { key });
    }
    if spec.property_id.is_empty() {
        errors.push(VappError::EmptyPropertyId);
    }
    let ids = [
        (IdField::PropertyId, Some(&spec.property_id)),
        (IdField::ClassId, spec.class_id.as_ref()),
        (IdField::InstanceId, spec.instance_id.as_ref()),
    ];
    for (field, id) in ids {
        if let Some(id) = id
            && id.contains(char::is_whitespace)
        {
            errors.push(VappError::IdHasWhitespace { field, id: id.clone() });
        }
    }
    match parse_type(spec.type_text()) {
        Ok(ty) => check_values(&ty, spec, &mut errors),
        Err(error) => errors.push(error),
    }
    errors
}

fn check_values(ty: &PropertyType, spec: &PropertySpec, errors: &mut Vec<VappError>) {
    let default_value = spec.default_value.as_deref().filter(|v| !v.is_empty());
    let value = spec.value.as_deref().filter(|v| !v.is_empty());
    let value_field = if ty.is_secret() { ValueField::SensitiveValue } else { ValueField::Value };
    if *ty == PropertyType::Expression {
        // The system computes the value from the expression in the default.
        match default_value {
            None => errors.push(VappError::ExpressionMissing),
            Some(expression) => {
                errors.extend(check_value(ty, expression).err().map(|e| e.at(ValueField::DefaultValue)))
            }
        }
        if value.is_some() {
            errors.push(VappError::ExpressionValueSet { field: value_field });
        }
        return;
    }
    if let Some(default_value) = default_value {
        errors.extend(check_value(ty, default_value).err().map(|e| e.at(ValueField::DefaultValue)));
    }
    if let Some(value) = value {
        errors.extend(check_value(ty, value).err().map(|e| e.at(value_field)));
    }
}

/// Keys and ids that are not unique within one VM or vApp: each `(key,
/// qualified id)` pair after the first holder of its key or id is an error.
pub fn check_unique_keys(properties: &[(i64, String)]) -> Vec<VappError> {
    let mut errors = Vec::new();
    let mut by_key: HashMap<i64, &str> = HashMap::new();
    let mut by_id: HashMap<&str, i64> = HashMap::new();
    for (key, id) in properties {
        match by_key.get(key) {
            Some(first_id) => errors.push(VappError::DuplicateKey {
                key: *key,
                first_id: (*first_id).to_owned(),
                second_id: id.clone(),
            }),
            None => {
                by_key.insert(*key, id);
            }
        }
        match by_id.get(id.as_str()) {
            Some(first_key) => {
                errors.push(VappError::DuplicateId { id: id.clone(), first_key: *first_key, second_key: *key })
            }
            None => {
                by_id.insert(id, *key);
            }
        }
    }
    errors
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(type_text: &str) -> PropertySpec {
        PropertySpec {
            key: Some(0),
            property_id: "guestinfo.hostname".to_owned(),
            user_configurable: true,
            r#type: type_text.to_owned(),
            ..PropertySpec::default()
        }
    }

    fn attributes(errors: &[VappError]) -> Vec<&'static str> {
        errors.iter().map(VappError::attribute).collect()
    }

    #[test]
    fn valid_properties() {
        let full = PropertySpec {
            key: Some(2147483647),
            property_id: "ip0".to_owned(),
            category: Some("Network settings".to_owned()),
            label: Some("IP address".to_owned()),
            description: Some("The address, with spaces in the text".to_owned()),
            class_id: Some("vami".to_owned()),
            instance_id: Some("VM_1".to_owned()),
            type_reference: Some("network-12".to_owned()),
            user_configurable: true,
            default_value: Some("10.0.0.1".to_owned()),
            value: Some("10.0.0.2".to_owned()),
            r#type: "ip".to_owned(),
        };
        assert_eq!(check_property(&full), vec![]);
        assert_eq!(full.qualified_id(), "vami.ip0.VM_1");
        assert_eq!(check_property(&spec("")), vec![], "empty type means string");
        assert_eq!(check_property(&PropertySpec { key: None, ..spec("int(0..255)") }), vec![]);
        let empty_values =
            PropertySpec { default_value: Some(String::new()), value: Some(String::new()), ..spec("int(0..255)") };
        assert_eq!(check_property(&empty_values), vec![], "empty means unset");
    }

    #[test]
    fn each_attribute_alone() {
        type Case = (&'static str, PropertySpec, &'static str);
        let cases: Vec<Case> = vec![
            ("key negative", PropertySpec { key: Some(-1), ..spec("string") }, "key"),
            ("key past xsd:int", PropertySpec { key: Some(1 << 31), ..spec("string") }, "key"),
            ("empty id", PropertySpec { property_id: String::new(), ..spec("string") }, "property_id"),
            ("id with space", PropertySpec { property_id: "host name".to_owned(), ..spec("string") }, "property_id"),
            ("class with tab", PropertySpec { class_id: Some("a\tb".to_owned()), ..spec("string") }, "class_id"),
            (
                "instance with newline",
                PropertySpec { instance_id: Some("a\n".to_owned()), ..spec("string") },
                "instance_id",
            ),
            ("bad type", spec("integer"), "type"),
            (
                "bad default",
                PropertySpec { default_value: Some("256".to_owned()), ..spec("int(0..255)") },
                "default_value",
            ),
            ("bad value", PropertySpec { value: Some("12a".to_owned()), ..spec("int(0..255)") }, "value"),
            (
                "bad password",
                PropertySpec { value: Some("short".to_owned()), ..spec("password(8..)") },
                "sensitive_value",
            ),
            (
                "bad password default",
                PropertySpec { default_value: Some("x".to_owned()), ..spec("password(8..)") },
                "default_value",
            ),
            ("bad choice", PropertySpec { value: Some("c".to_owned()), ..spec(r#"string["a", "b"]"#) }, "value"),
            ("expression without default", spec("expression"), "default_value"),
            (
                "bad expression",
                PropertySpec { default_value: Some("${nope:x}".to_owned()), ..spec("expression") },
                "default_value",
            ),
            (
                "expression with value",
                PropertySpec {
                    default_value: Some("${vimIp:}".to_owned()),
                    value: Some("1.2.3.4".to_owned()),
                    ..spec("expression")
                },
                "value",
            ),
        ];
        for (name, property, attribute) in cases {
            let errors = check_property(&property);
            assert_eq!(attributes(&errors), vec![attribute], "{name}: {errors:?}");
        }
    }

    #[test]
    fn every_problem_at_once() {
        let property = PropertySpec {
            key: Some(-5),
            property_id: "bad id".to_owned(),
            class_id: Some("c d".to_owned()),
            instance_id: Some("e f".to_owned()),
            default_value: Some("-1".to_owned()),
            value: Some("999".to_owned()),
            r#type: "int(0..255)".to_owned(),
            ..PropertySpec::default()
        };
        assert_eq!(
            attributes(&check_property(&property)),
            ["key", "property_id", "class_id", "instance_id", "default_value", "value"]
        );
        let property =
            PropertySpec { property_id: String::new(), r#type: "nope".to_owned(), ..PropertySpec::default() };
        assert_eq!(attributes(&check_property(&property)), ["property_id", "type"]);
    }

    #[test]
    fn secret_values_stay_out_of_errors() {
        let property = PropertySpec {
            default_value: Some("tiny".to_owned()),
            value: Some("small-secret".to_owned()),
            ..spec("password(20..30)")
        };
        let errors = check_property(&property);
        assert_eq!(attributes(&errors), ["default_value", "sensitive_value"]);
        for error in errors {
            let shown = format!("{error} {error:?}");
            assert!(!shown.contains("tiny") && !shown.contains("small-secret"), "{shown}");
        }
    }

    #[test]
    fn unique_keys_and_ids() {
        let ok = [(0, "a".to_owned()), (1, "b".to_owned()), (2, "vami.a.VM_1".to_owned())];
        assert_eq!(check_unique_keys(&ok), vec![]);
        let clash = [(0, "a".to_owned()), (0, "b".to_owned()), (1, "a".to_owned()), (0, "c".to_owned())];
        let errors = check_unique_keys(&clash);
        assert_eq!(
            errors,
            vec![
                VappError::DuplicateKey { key: 0, first_id: "a".into(), second_id: "b".into() },
                VappError::DuplicateId { id: "a".into(), first_key: 0, second_key: 1 },
                VappError::DuplicateKey { key: 0, first_id: "a".into(), second_id: "c".into() },
            ]
        );
        assert_eq!(attributes(&errors), ["key", "property_id", "key"]);
        assert!(errors[0].to_string().contains("key 0 is used by both `a` and `b`"), "{}", errors[0]);
    }

    #[test]
    fn qualified_ids_skip_empty_parts() {
        let plain = spec("string");
        assert_eq!(plain.qualified_id(), "guestinfo.hostname");
        let with_class = PropertySpec { class_id: Some("vami".into()), instance_id: Some(String::new()), ..spec("") };
        assert_eq!(with_class.qualified_id(), "vami.guestinfo.hostname");
    }
}
