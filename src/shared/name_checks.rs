//! The `name` and `extra_config` rules of `rules/` as diagnostics on their
//! attributes, shared by the resources that take them.
use std::collections::BTreeMap;

use crate::plugin::{AttrPath, Diags, Value};
use crate::rules::extra_config::{check_key, check_value};
use crate::rules::object_name::{NameKind, check_name};

/// The `name` attribute, when known.
pub fn name(v: &Value<String>, kind: NameKind) -> Diags {
    match v.get().map(|n| check_name(n, kind)) {
        Some(Err(e)) => Diags::error_at(AttrPath::attr("name"), "Invalid name", e.to_string()),
        _ => Diags::none(),
    }
}

/// Each `extra_config` entry, with the error on its key.
pub fn extra_config(v: &Value<BTreeMap<String, String>>) -> Diags {
    let mut d = Diags::none();
    for (k, val) in v.get().into_iter().flatten() {
        let path = || AttrPath::attr("extra_config").key(k.clone());
        if let Err(e) = check_key(k) {
            d.push(Diags::error_at(path(), "Invalid extra_config key", e.to_string()));
        }
        if let Err(e) = check_value(val) {
            d.push(Diags::error_at(path(), "Invalid extra_config value", format!("extra_config[{k:?}]: {e}")));
        }
    }
    d
}
