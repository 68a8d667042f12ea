//! `Value<T>`: an attribute of a typed state struct, in cty's three states.
//!
//! State structs are plain serde structs whose fields are `Value<T>`; the
//! protocol room converts them to and from cty values, so a resource never
//! sees msgpack.
use serde::de::{DeserializeOwned, Error as _};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::cty::UNKNOWN_SENTINEL;

/// Known, unknown (only during plan) or null.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum Value<T> {
    #[default]
    Null,
    Unknown,
    Known(T),
}

impl<T> Value<T> {
    pub fn known(v: T) -> Self {
        Value::Known(v)
    }

    /// The value when known.
    pub fn get(&self) -> Option<&T> {
        match self {
            Value::Known(v) => Some(v),
            _ => None,
        }
    }

    pub fn into_option(self) -> Option<T> {
        match self {
            Value::Known(v) => Some(v),
            _ => None,
        }
    }

    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }

    pub fn is_unknown(&self) -> bool {
        matches!(self, Value::Unknown)
    }

    pub fn is_known(&self) -> bool {
        matches!(self, Value::Known(_))
    }

    /// `Known(v)` for `Some(v)`, `Null` for `None`.
    pub fn from_option(v: Option<T>) -> Self {
        v.map_or(Value::Null, Value::Known)
    }

    /// Unknown values become `fallback`, everything else stays.
    pub fn or_unknown_as(self, fallback: Value<T>) -> Self {
        match self {
            Value::Unknown => fallback,
            v => v,
        }
    }
}

impl Value<String> {
    pub fn as_deref(&self) -> Option<&str> {
        self.get().map(String::as_str)
    }

    /// The value of attribute `attr`, which the schema makes required (or
    /// the plan makes known) by the time an apply uses it. Anything else is
    /// the provider's own mistake: an internal error on the attribute
    /// rather than an empty string sent to vSphere.
    pub fn require(&self, attr: &str) -> Result<&str, super::diag::Diags> {
        self.as_deref().ok_or_else(|| {
            super::diag::Diags::error_at(
                super::diag::AttrPath::attr(attr),
                "Internal error: a value is missing",
                format!(
                    "`{attr}` is {} where the provider needs its value; this is a bug in terraform-provider-vi, \
                     please report it",
                    if self.is_unknown() { "unknown" } else { "null" }
                ),
            )
        })
    }
}

impl<T: Serialize> Serialize for Value<T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Value::Null => s.serialize_none(),
            Value::Unknown => s.serialize_str(UNKNOWN_SENTINEL),
            Value::Known(v) => v.serialize(s),
        }
    }
}

impl<'de, T: DeserializeOwned> Deserialize<'de> for Value<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        // Buffer through serde_json::Value so the unknown marker can be seen
        // before `T` tries (and fails) to read it.
        let j = serde_json::Value::deserialize(d)?;
        if j.is_null() {
            return Ok(Value::Null);
        }
        if j.as_str() == Some(UNKNOWN_SENTINEL) {
            return Ok(Value::Unknown);
        }
        T::deserialize(j).map(Value::Known).map_err(D::Error::custom)
    }
}

/// For nested block lists in state structs
/// (`#[serde(default, deserialize_with = "null_as_empty")]`): Terraform
/// sends an absent block list as null or as an empty list; both mean none.
pub fn null_as_empty<'de, D: Deserializer<'de>, T: DeserializeOwned>(d: D) -> Result<Vec<T>, D::Error> {
    let j = serde_json::Value::deserialize(d)?;
    if j.is_null() {
        return Ok(Vec::new());
    }
    if j.as_str() == Some(UNKNOWN_SENTINEL) {
        return Err(D::Error::custom("a block list whose contents are not known until apply is not supported here"));
    }
    Vec::<T>::deserialize(j).map_err(D::Error::custom)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Serialize, Deserialize, Debug, PartialEq)]
    struct S {
        a: Value<String>,
        b: Value<i64>,
        c: Value<Vec<String>>,
    }

    #[test]
    fn three_states_survive_a_round_trip() {
        let s = S { a: Value::Unknown, b: Value::Null, c: Value::known(vec!["x".into()]) };
        let j = serde_json::to_value(&s).unwrap();
        assert_eq!(serde_json::from_value::<S>(j).unwrap(), s);
    }

    #[test]
    fn a_wrong_type_is_an_error() {
        let j = serde_json::json!({"a": 1, "b": "x", "c": null});
        assert!(serde_json::from_value::<S>(j).is_err());
    }
}
