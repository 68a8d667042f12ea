//! `moved { from = vsphere_content_library.x  to = vi_catalog.x }`: an
//! import by the library id the vSphere provider v2.16.1 recorded. A
//! library on several datastores, published or subscribed, has no
//! counterpart in those respects: named.
use serde_json::Value as Json;

use crate::shared::moved_from_vsphere::{MoveError, Source, attrs};

pub const SOURCE: Source = Source { type_name: "vsphere_content_library", versions: &[0] };

/// The library id to import, and what is dropped.
pub fn map(version: i64, state: &Json) -> Result<(String, Vec<String>), MoveError> {
    let src = attrs(&SOURCE, version, state)?;
    let id = src.required("id")?;
    let mut dropped = src.unmatched(&["id", "name", "description", "storage_backing"], &[], &[]);
    let backing = src.strings("storage_backing");
    if backing.len() > 1 {
        dropped.push(format!(
            "storage_backing ({} datastores: vi_catalog keeps one, {})",
            backing.len(),
            backing.join(", ")
        ));
    }
    Ok((id, dropped))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What the vSphere provider v2.16.1 wrote on vcsim.
    fn written() -> Json {
        serde_json::json!({"description": "templates", "id": "3888079f-f021-48c1-86b3-06f0c42cac6a", "name": "lib",
            "publication": null, "storage_backing": ["datastore-59"], "subscription": []})
    }

    #[test]
    fn a_library_moves_by_its_id() {
        assert_eq!(map(0, &written()).unwrap(), ("3888079f-f021-48c1-86b3-06f0c42cac6a".to_owned(), vec![]));
    }

    #[test]
    fn publishing_and_a_second_datastore_are_named() {
        let mut j = written();
        j["publication"] = serde_json::json!([{"published": true, "authentication_method": "NONE"}]);
        j["storage_backing"] = serde_json::json!(["datastore-59", "datastore-60"]);
        let dropped = map(0, &j).unwrap().1;
        assert_eq!(dropped[0], "publication");
        assert!(dropped[1].starts_with("storage_backing (2 datastores"), "{dropped:?}");
    }

    #[test]
    fn broken_states_are_refused() {
        assert!(matches!(map(3, &written()), Err(MoveError::Version { .. })));
        assert!(matches!(map(0, &serde_json::json!({})), Err(MoveError::Missing { attr: "id", .. })));
    }
}
