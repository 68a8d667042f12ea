//! `moved { from = vsphere_vapp_container.x  to = vi_vapp.x }`: the vSphere
//! provider v2.16.1 keeps nothing about a vApp that vSphere does not (its
//! settings are the vApp's resource allocation, which vSphere reports), so
//! the move is an import by the managed object id it recorded; what has no
//! counterpart (tags, custom attributes) is named.
use serde_json::Value as Json;

use crate::shared::moved_from_vsphere::{MoveError, Source, attrs};

pub const SOURCE: Source = Source { type_name: "vsphere_vapp_container", versions: &[0] };

/// The managed object id to import, and what is dropped.
pub fn map(version: i64, state: &Json) -> Result<(String, Vec<String>), MoveError> {
    let src = attrs(&SOURCE, version, state)?;
    let id = src.required("id")?;
    Ok((id, src.unmatched(MAPPED, &[], &[])))
}

/// Read back from vSphere by the import.
const MAPPED: &[&str] = &[
    "id",
    "name",
    "parent_resource_pool_id",
    "parent_folder_id",
    "cpu_expandable",
    "cpu_limit",
    "cpu_reservation",
    "cpu_share_level",
    "cpu_shares",
    "memory_expandable",
    "memory_limit",
    "memory_reservation",
    "memory_share_level",
    "memory_shares",
];

#[cfg(test)]
mod tests {
    use super::*;

    /// What the vSphere provider v2.16.1 wrote on vcsim.
    fn written() -> Json {
        serde_json::json!({"cpu_expandable": true, "cpu_limit": -1, "cpu_reservation": 10, "cpu_share_level": "normal",
            "cpu_shares": 0, "custom_attributes": null, "id": "resgroup-v74", "memory_expandable": true,
            "memory_limit": -1, "memory_reservation": 0, "memory_share_level": "normal", "memory_shares": 0,
            "name": "app", "parent_folder_id": "group-2", "parent_resource_pool_id": "resgroup-27", "tags": null})
    }

    #[test]
    fn a_vapp_moves_by_its_id() {
        assert_eq!(map(0, &written()).unwrap(), ("resgroup-v74".to_owned(), vec![]));
    }

    #[test]
    fn tags_and_custom_attributes_are_named() {
        let mut j = written();
        j["tags"] = serde_json::json!(["urn:tag:1"]);
        j["custom_attributes"] = serde_json::json!({"101": "x"});
        assert_eq!(map(0, &j).unwrap().1, ["custom_attributes", "tags"]);
    }

    #[test]
    fn broken_states_are_refused() {
        assert!(matches!(map(1, &written()), Err(MoveError::Version { .. })));
        let mut j = written();
        j["id"] = Json::Null;
        assert!(matches!(map(0, &j), Err(MoveError::Missing { attr: "id", .. })));
        assert_eq!(map(0, &serde_json::json!("x")), Err(MoveError::NotObject));
    }
}
