//! The errors of the vApp property rules, each naming the attribute at fault.
//!
//! Errors about a password-typed value never carry the value: the value is
//! left out of the error when it is built ([`VappError::invalid_value`]), so
//! no later formatting can leak it.

use std::fmt;

use super::vapp_type::{PropertyType, VALID_TYPE_FORMS};

/// The attribute holding a value being checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ValueField {
    Value,
    /// Where a password-typed property's value lives.
    SensitiveValue,
    /// Its write-only form, kept out of plans and state.
    SensitiveValueWo,
    DefaultValue,
}

impl ValueField {
    pub fn name(self) -> &'static str {
        match self {
            ValueField::Value => "value",
            ValueField::SensitiveValue => "sensitive_value",
            ValueField::SensitiveValueWo => "sensitive_value_wo",
            ValueField::DefaultValue => "default_value",
        }
    }
}

impl fmt::Display for ValueField {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The identifier attributes, which share one rule (no white-space).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum IdField {
    PropertyId,
    ClassId,
    InstanceId,
}

impl IdField {
    pub fn name(self) -> &'static str {
        match self {
            IdField::PropertyId => "property_id",
            IdField::ClassId => "class_id",
            IdField::InstanceId => "instance_id",
        }
    }
}

impl fmt::Display for IdField {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Why a vApp property (or one of its parts) is invalid.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VappError {
    #[error("the property type is empty; valid forms: {VALID_TYPE_FORMS}")]
    EmptyType,
    #[error("unknown vApp property type `{given}`; valid forms: {VALID_TYPE_FORMS}")]
    UnknownType { given: String },
    #[error("invalid vApp property type `{given}`: {reason}")]
    MalformedType { given: String, reason: String },
    #[error(
        "{field} {}is not valid for type `{type_name}`: {reason}",
        value.as_ref().map(|v| format!("`{v}` ")).unwrap_or_default()
    )]
    InvalidValue {
        field: ValueField,
        type_name: String,
        /// `None` for password types: their values are never repeated.
        value: Option<String>,
        reason: String,
    },
    #[error(
        "a property of type `expression` takes its value from the expression in default_value; leave {field} unset"
    )]
    ExpressionValueSet { field: ValueField },
    #[error("a property of type `expression` needs default_value set to the expression, e.g. ${{gateway:VM Network}}")]
    ExpressionMissing,
    #[error("property_id must not be empty")]
    EmptyPropertyId,
    #[error("{field} `{id}` must not contain white-space")]
    IdHasWhitespace { field: IdField, id: String },
    #[error("key {key} is out of range; a key is an integer from 0 to 2147483647")]
    KeyOutOfRange { key: i64 },
    #[error("key {key} is used by both `{first_id}` and `{second_id}`; keys must be unique within a VM or vApp")]
    DuplicateKey { key: i64, first_id: String, second_id: String },
    #[error(
        "property `{id}` is defined twice (keys {first_key} and {second_key}); \
         [class_id.]property_id[.instance_id] must be unique within a VM or vApp"
    )]
    DuplicateId { id: String, first_key: i64, second_key: i64 },
}

impl VappError {
    /// A value that does not fit `ty`. The value is dropped for password
    /// types, and the attribute is `sensitive_value` for them, else `value`.
    pub fn invalid_value(ty: &PropertyType, value: &str, reason: impl Into<String>) -> Self {
        let secret = ty.is_secret();
        VappError::InvalidValue {
            field: if secret { ValueField::SensitiveValue } else { ValueField::Value },
            type_name: ty.to_string(),
            value: if secret { None } else { Some(value.to_owned()) },
            reason: reason.into(),
        }
    }

    /// The same error about another attribute (e.g. `default_value`).
    pub fn at(self, field: ValueField) -> Self {
        match self {
            VappError::InvalidValue { type_name, value, reason, .. } => {
                VappError::InvalidValue { field, type_name, value, reason }
            }
            VappError::ExpressionValueSet { .. } => VappError::ExpressionValueSet { field },
            other => other,
        }
    }

    /// The attribute at fault: `type`, `value`, `sensitive_value`,
    /// `default_value`, `key`, `property_id`, `class_id` or `instance_id`.
    pub fn attribute(&self) -> &'static str {
        match self {
            VappError::EmptyType | VappError::UnknownType { .. } | VappError::MalformedType { .. } => "type",
            VappError::InvalidValue { field, .. } | VappError::ExpressionValueSet { field } => field.name(),
            VappError::ExpressionMissing => "default_value",
            VappError::EmptyPropertyId | VappError::DuplicateId { .. } => "property_id",
            VappError::IdHasWhitespace { field, .. } => field.name(),
            VappError::KeyOutOfRange { .. } | VappError::DuplicateKey { .. } => "key",
        }
    }
}
