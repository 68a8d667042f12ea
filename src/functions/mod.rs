//! Provider functions: the pure rules the resources check at plan, callable
//! from a module's own `validation` blocks as `provider::vi::<name>(...)`
//! (Terraform 1.8+, OpenTofu 1.7+), with the same messages the resources
//! give. One file per family; each calls the rule the resource calls.
//!
//! Naming follows Terraform's providers: `<subject>_parse` breaks a value
//! into its parts (and fails on a bad one), `<subject>_build` makes one, and
//! `<subject>_problem` returns what is wrong with a value as a string — ""
//! when nothing is — so that `condition = provider::vi::x_problem(...) ==
//! ""` and `error_message = provider::vi::x_problem(...)` fit a `validation`
//! block.
use std::collections::BTreeMap;
use std::sync::Arc;

use crate::plugin::{Dyn, Function, Type};

mod datastore_path;
mod hardware;
mod mac_address;
mod tpm;
mod vapp_property;

/// Every function the provider serves.
pub fn all() -> Vec<Arc<dyn Function>> {
    vec![
        Arc::new(vapp_property::TypeParse),
        Arc::new(vapp_property::ValueProblem),
        Arc::new(datastore_path::Parse),
        Arc::new(datastore_path::Build),
        Arc::new(tpm::Allowed),
        Arc::new(tpm::Problem),
        Arc::new(hardware::VersionLimits),
        Arc::new(hardware::MemoryProblem),
        Arc::new(hardware::CpuProblem),
        Arc::new(mac_address::Parse),
        Arc::new(mac_address::Problem),
    ]
}

/// An object value from its attributes.
fn object(pairs: Vec<(&str, Dyn)>) -> Dyn {
    Dyn::Map(pairs.into_iter().map(|(k, v)| (k.to_owned(), v)).collect::<BTreeMap<_, _>>())
}

/// An object type from its attributes' types.
fn object_type(pairs: &[(&str, Type)]) -> Type {
    Type::Object(pairs.iter().map(|(k, t)| ((*k).to_owned(), t.clone())).collect())
}

/// A string, or null.
fn opt_string(v: Option<impl Into<String>>) -> Dyn {
    v.map_or(Dyn::Null, |s| Dyn::String(s.into()))
}

/// A whole number, or null.
fn opt_number(v: Option<i64>) -> Dyn {
    v.map_or(Dyn::Null, Dyn::from)
}

/// A problem as a `_problem` function returns it: the message, or "".
fn problem<E: std::fmt::Display>(r: Result<(), E>) -> Dyn {
    Dyn::String(r.err().map(|e| e.to_string()).unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_signatures_fit_the_wire() {
        let mut names = std::collections::HashSet::new();
        for f in all() {
            assert!(names.insert(f.name()), "{} twice", f.name());
            assert!(f.name().chars().all(|c| c.is_ascii_lowercase() || c == '_'), "{}", f.name());
            assert!(!f.summary().is_empty() && !f.description().is_empty(), "{}", f.name());
            let p = crate::plugin::function::to_proto(f.as_ref());
            for param in p.parameters.iter().chain(p.variadic_parameter.iter()) {
                assert!(!param.description.is_empty(), "{}: {}", f.name(), param.name);
            }
        }
    }
}
