//! What every `moved` block from the vSphere provider (`hashicorp/vsphere`
//! v2.16.1) shares: which source a resource takes over, reading the JSON
//! state it wrote (whatever shapes it holds: a state file can be edited),
//! naming the settings that have no counterpart, and the diagnostics.
use serde_json::{Map, Value as Json};

use crate::plugin::{AttrPath, Diags, MoveSource};

/// A resource type of the vSphere provider, and the schema versions of its
/// state a mapping reads (v2.16.1's; an older state is upgraded by the
/// vSphere provider itself on its next refresh, before a move).
pub struct Source {
    pub type_name: &'static str,
    pub versions: &'static [i64],
}

impl Source {
    fn versions(&self) -> String {
        self.versions.iter().map(i64::to_string).collect::<Vec<_>>().join(", ")
    }
}

/// Why a state cannot be moved.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum MoveError {
    #[error(
        "schema version {version} of {type_name} is not supported (supported: {supported}); refresh the state with the vSphere provider v2.16.1 first"
    )]
    Version { type_name: &'static str, version: i64, supported: String },
    #[error("the state has no {attr:?}, which every {type_name} state written by the vSphere provider has")]
    Missing { type_name: &'static str, attr: &'static str },
    #[error("the state is not an object")]
    NotObject,
    #[error("{0}")]
    Unsupported(String),
}

/// The state's attributes, once the version is one `source` reads.
pub fn attrs<'a>(source: &Source, version: i64, state: &'a Json) -> Result<Attrs<'a>, MoveError> {
    if !source.versions.contains(&version) {
        return Err(MoveError::Version { type_name: source.type_name, version, supported: source.versions() });
    }
    state.as_object().map(|m| Attrs { type_name: source.type_name, m }).ok_or(MoveError::NotObject)
}

/// Refuses a source other than `source` (another type, another provider),
/// naming what `target` takes over.
pub fn accept(target: &str, source: &Source, from: &MoveSource<'_>) -> Result<(), Diags> {
    if from.provider_type() == "vsphere" && from.type_name == source.type_name {
        return Ok(());
    }
    Err(Diags::error(
        "Move not supported",
        format!(
            "{target} takes over the state of {} (hashicorp/vsphere, schema versions {}) only, not {} of {}",
            source.type_name,
            source.versions(),
            from.type_name,
            from.provider_address
        ),
    ))
}

/// The error of a mapping, as the plan shows it.
pub fn error(source: &Source, e: &MoveError) -> Diags {
    Diags::error(format!("Cannot move this {}", source.type_name), e.to_string())
}

/// A warning naming what was dropped (none when nothing was).
pub fn dropped_warning(target: &str, source: &Source, dropped: &[String]) -> Diags {
    if dropped.is_empty() {
        return Diags::none();
    }
    Diags::warning_at(
        AttrPath::root(),
        format!("Settings not carried over to {target}"),
        format!(
            "{target} has no counterpart for these settings of the moved {}; they stay as they are in vSphere, no \
             longer managed: {}",
            source.type_name,
            dropped.join(", ")
        ),
    )
}

/// A JSON object of a moved state, read leniently: a value of the wrong
/// shape reads as absent.
#[derive(Clone, Copy)]
pub struct Attrs<'a> {
    type_name: &'static str,
    m: &'a Map<String, Json>,
}

impl<'a> Attrs<'a> {
    /// A nested object (a block's element) read the same way.
    pub fn nested(&self, v: &'a Json) -> Option<Attrs<'a>> {
        v.as_object().map(|m| Attrs { type_name: self.type_name, m })
    }

    pub fn map(&self) -> &'a Map<String, Json> {
        self.m
    }

    /// A non-empty string.
    pub fn str(&self, k: &str) -> Option<String> {
        self.m.get(k).and_then(Json::as_str).filter(|s| !s.is_empty()).map(str::to_owned)
    }

    /// A non-empty string every state of the type has.
    pub fn required(&self, k: &'static str) -> Result<String, MoveError> {
        self.str(k).ok_or(MoveError::Missing { type_name: self.type_name, attr: k })
    }

    pub fn int(&self, k: &str) -> Option<i64> {
        self.m.get(k).and_then(Json::as_i64)
    }

    pub fn bool(&self, k: &str) -> Option<bool> {
        self.m.get(k).and_then(Json::as_bool)
    }

    pub fn list(&self, k: &str) -> &'a [Json] {
        self.m.get(k).and_then(Json::as_array).map_or(&[], Vec::as_slice)
    }

    /// The strings of a list or set.
    pub fn strings(&self, k: &str) -> Vec<String> {
        self.list(k).iter().filter_map(|v| v.as_str().map(str::to_owned)).collect()
    }

    /// The attributes set to something other than the vSphere provider's
    /// default, among those neither `mapped` nor `ignored`: what a move
    /// drops. `defaults` are JSON texts.
    pub fn unmatched(&self, mapped: &[&str], ignored: &[&str], defaults: &[(&str, &str)]) -> Vec<String> {
        let mut out = Vec::new();
        for (k, v) in self.m {
            if mapped.contains(&k.as_str()) || ignored.contains(&k.as_str()) {
                continue;
            }
            let default = defaults.iter().find(|(name, _)| name == k).map(|(_, d)| *d);
            if !is_unset(v) && default.is_none_or(|d| !same(v, d)) {
                out.push(k.clone());
            }
        }
        out
    }
}

fn same(v: &Json, default_json: &str) -> bool {
    serde_json::from_str::<Json>(default_json).is_ok_and(|d| &d == v)
}

/// Null, empty, zero or false: what the vSphere provider writes for a
/// setting left unset.
pub fn is_unset(v: &Json) -> bool {
    match v {
        Json::Null => true,
        Json::Bool(b) => !b,
        Json::Number(n) => n.as_f64() == Some(0.0),
        Json::String(s) => s.is_empty(),
        Json::Array(a) => a.iter().all(is_unset),
        Json::Object(o) => o.values().all(is_unset),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SRC: Source = Source { type_name: "vsphere_thing", versions: &[0, 1] };

    #[test]
    fn versions_and_shapes_are_checked() {
        let e = attrs(&SRC, 2, &serde_json::json!({})).err().unwrap();
        assert!(e.to_string().contains("schema version 2 of vsphere_thing"), "{e}");
        assert!(e.to_string().contains("supported: 0, 1"), "{e}");
        assert_eq!(attrs(&SRC, 0, &serde_json::json!([1])).err(), Some(MoveError::NotObject));
        let j = serde_json::json!({"a": "x", "n": 3, "b": true, "l": ["p", 1, "q"], "e": ""});
        let a = attrs(&SRC, 1, &j).unwrap();
        assert_eq!((a.str("a"), a.int("n"), a.bool("b")), (Some("x".into()), Some(3), Some(true)));
        assert_eq!(a.str("e"), None, "empty is absent");
        assert_eq!(a.int("a"), None, "wrong shape is absent");
        assert_eq!(a.strings("l"), ["p", "q"]);
        let missing = a.required("id").unwrap_err();
        assert_eq!(missing, MoveError::Missing { type_name: "vsphere_thing", attr: "id" });
    }

    #[test]
    fn what_is_dropped_is_what_differs_from_the_default() {
        let j = serde_json::json!({"id": "x", "level": "normal", "limit": -1, "tags": [], "other": 5, "off": false});
        let a = attrs(&SRC, 0, &j).unwrap();
        let dropped = a.unmatched(&["id"], &[], &[("level", "\"normal\""), ("limit", "-1")]);
        assert_eq!(dropped, ["other"]);
        let j = serde_json::json!({"level": "high", "limit": 10});
        let dropped = attrs(&SRC, 0, &j).unwrap().unmatched(&[], &[], &[("level", "\"normal\"")]);
        assert_eq!(dropped, ["level", "limit"]);
    }

    #[test]
    fn only_the_named_source_is_accepted() {
        let ok = MoveSource {
            provider_address: "registry.opentofu.org/hashicorp/vsphere",
            type_name: "vsphere_thing",
            schema_version: 0,
        };
        assert!(accept("vi_thing", &SRC, &ok).is_ok());
        let other = MoveSource { type_name: "vsphere_other", ..ok };
        let text = format!("{:?}", accept("vi_thing", &SRC, &other).unwrap_err());
        assert!(text.contains("vi_thing takes over the state of vsphere_thing"), "{text}");
        assert!(text.contains("schema versions 0, 1"), "{text}");
        let elsewhere = MoveSource { provider_address: "registry.terraform.io/acme/other", ..ok };
        assert!(accept("vi_thing", &SRC, &elsewhere).is_err());
    }
}
