//! Resource identity (protocol 5.9): the attributes of a state that
//! identify its object for good, as the CLI stores them beside the state.
//! Every identity attribute is a string; a number (a vApp property's key)
//! is written as one, which HCL converts either way.
use std::collections::BTreeMap;

use super::cty::{self, Dyn, Type};
use super::diag::Diags;
use super::proto::tfplugin5 as pb;

/// The identity's version; bumped when its attributes change shape.
pub const VERSION: i64 = 0;

/// Name and description of each identity attribute.
pub type Attrs = &'static [(&'static str, &'static str)];

pub fn ty(attrs: Attrs) -> Type {
    Type::Object(attrs.iter().map(|(n, _)| ((*n).to_owned(), Type::String)).collect())
}

pub fn schema(attrs: Attrs) -> pb::ResourceIdentitySchema {
    pb::ResourceIdentitySchema {
        version: VERSION,
        identity_attributes: attrs
            .iter()
            .map(|(name, description)| pb::resource_identity_schema::IdentityAttribute {
                name: (*name).to_owned(),
                r#type: Type::String.to_json().to_string().into_bytes(),
                required_for_import: true,
                optional_for_import: false,
                description: (*description).to_owned(),
            })
            .collect(),
    }
}

/// The identity of the object `state` describes; None while any part is
/// unknown (a create being planned) or null (no object).
pub fn of_state(attrs: Attrs, state: &Dyn) -> Option<pb::ResourceIdentityData> {
    if attrs.is_empty() {
        return None;
    }
    let mut m = BTreeMap::new();
    for (name, _) in attrs {
        match state.attr(name) {
            Some(v @ Dyn::String(_)) => m.insert((*name).to_owned(), v.clone()),
            Some(Dyn::Number(n)) => m.insert((*name).to_owned(), Dyn::String(n.to_string())),
            _ => return None,
        };
    }
    let msgpack = cty::to_msgpack(&Dyn::Map(m), &ty(attrs)).ok()?;
    Some(pb::ResourceIdentityData { identity_data: Some(pb::DynamicValue { msgpack, json: Vec::new() }) })
}

/// The identity's values in the order of `attrs`, each required.
pub fn values(attrs: Attrs, data: &pb::ResourceIdentityData) -> Result<Vec<String>, Diags> {
    let dv = data.identity_data.as_ref();
    let v = match dv {
        Some(dv) if !dv.msgpack.is_empty() => cty::from_msgpack(&dv.msgpack, &ty(attrs)),
        Some(dv) => serde_json::from_slice::<serde_json::Value>(&dv.json)
            .map_err(|e| cty::CtyError::new(e.to_string()))
            .and_then(|j| cty::from_json(&j, &ty(attrs))),
        None => Ok(Dyn::Null),
    }
    .map_err(|e| Diags::error("Invalid identity", e.to_string()))?;
    attrs
        .iter()
        .map(|(name, _)| match v.attr(name) {
            Some(Dyn::String(s)) if !s.is_empty() => Ok(s.clone()),
            _ => Err(Diags::error("Invalid identity", format!("the identity has no {name:?}, which an import needs"))),
        })
        .collect()
}

/// A stored identity (JSON) at the current version, re-encoded.
pub fn upgrade(attrs: Attrs, version: i64, json: &[u8]) -> Result<pb::ResourceIdentityData, Diags> {
    if version != VERSION {
        return Err(Diags::error(
            "Identity of an unknown version",
            format!("the stored identity has version {version}; this provider writes version {VERSION}"),
        ));
    }
    let j: serde_json::Value =
        serde_json::from_slice(json).map_err(|e| Diags::error("Stored identity is not valid JSON", e.to_string()))?;
    let v = cty::from_json(&j, &ty(attrs)).map_err(|e| Diags::error("Stored identity does not fit", e.to_string()))?;
    let msgpack = cty::to_msgpack(&v, &ty(attrs)).map_err(|e| Diags::error("Invalid identity", e.to_string()))?;
    Ok(pb::ResourceIdentityData { identity_data: Some(pb::DynamicValue { msgpack, json: Vec::new() }) })
}

#[cfg(test)]
mod tests {
    use super::*;

    const ATTRS: Attrs = &[("id", "the id")];

    #[test]
    fn identity_round_trips_and_needs_every_part_known() {
        let state = Dyn::Map([("id".to_owned(), Dyn::String("vm-42".into()))].into_iter().collect());
        let data = of_state(ATTRS, &state).unwrap();
        assert_eq!(values(ATTRS, &data).unwrap(), vec!["vm-42".to_owned()]);
        let unknown = Dyn::Map([("id".to_owned(), Dyn::Unknown)].into_iter().collect());
        assert!(of_state(ATTRS, &unknown).is_none());
        assert!(of_state(&[], &state).is_none());
        const KEYED: Attrs = &[("target_id", "vm"), ("key", "key")];
        let keyed = Dyn::Map(
            [("target_id".to_owned(), Dyn::String("vm-1".into())), ("key".to_owned(), Dyn::Number(3.into()))]
                .into_iter()
                .collect(),
        );
        let data = of_state(KEYED, &keyed).unwrap();
        assert_eq!(values(KEYED, &data).unwrap(), vec!["vm-1".to_owned(), "3".to_owned()]);
        let empty = pb::ResourceIdentityData {
            identity_data: Some(pb::DynamicValue { msgpack: Vec::new(), json: br#"{"id": ""}"#.to_vec() }),
        };
        // Debug escapes the quotes around the name.
        let err = format!("{:?}", values(ATTRS, &empty).unwrap_err());
        assert!(err.contains("the identity has no") && err.contains("id"), "{err}");
        let up = upgrade(ATTRS, 0, br#"{"id": "vm-1"}"#).unwrap();
        assert_eq!(values(ATTRS, &up).unwrap(), vec!["vm-1".to_owned()]);
        assert!(upgrade(ATTRS, 1, b"{}").is_err());
        assert!(upgrade(ATTRS, 0, b"not json").is_err());
    }
}
