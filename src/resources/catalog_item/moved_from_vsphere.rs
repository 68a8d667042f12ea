//! `moved { from = vsphere_content_library_item.x  to = vi_catalog_item.x }`:
//! an import by the item id the vSphere provider v2.16.1 recorded, plus the
//! source it uploaded from, which vSphere does not keep: a local `file_url`
//! becomes `source_file`. A `source_uuid` (a VM captured as a template) is
//! named, not carried: the CLI may move state before it configures the
//! provider, so the UUID cannot be turned into a VM's id here.
use serde_json::Value as Json;

use crate::shared::moved_from_vsphere::{MoveError, Source, attrs};

pub const SOURCE: Source = Source { type_name: "vsphere_content_library_item", versions: &[1] };

pub struct Mapped {
    pub id: String,
    pub catalog_id: Option<String>,
    pub name: Option<String>,
    pub description: String,
    /// A local path (relative to where the CLI runs, as the vSphere
    /// provider read it).
    pub source_file: Option<String>,
    pub dropped: Vec<String>,
}

pub fn map(version: i64, state: &Json) -> Result<Mapped, MoveError> {
    let src = attrs(&SOURCE, version, state)?;
    let id = src.required("id")?;
    if let Some(t) = src.str("type").filter(|t| !t.eq_ignore_ascii_case("ovf")) {
        return Err(MoveError::Unsupported(format!(
            "the item is of type {t:?}; vi_catalog_item manages OVF templates only (keep the item out of the \
             configuration, or remove it from state with `terraform state rm`)"
        )));
    }
    let mut dropped =
        src.unmatched(&["id", "name", "description", "library_id", "type", "file_url", "source_uuid"], &[], &[]);
    let source_file = match src.str("file_url") {
        Some(url) if is_url(&url) => {
            dropped.push(format!("file_url ({url}: vi_catalog_item uploads local files)"));
            None
        }
        local => local,
    };
    if let Some(uuid) = src.str("source_uuid") {
        dropped.push(format!("source_uuid ({uuid}: write source_vm_id, and expect a replacement)"));
    }
    Ok(Mapped {
        id,
        catalog_id: src.str("library_id"),
        name: src.str("name"),
        description: src.str("description").unwrap_or_default(),
        source_file,
        dropped,
    })
}

/// What the vSphere provider fetches rather than reads from disk.
fn is_url(s: &str) -> bool {
    s.split_once("://")
        .is_some_and(|(scheme, _)| !scheme.is_empty() && scheme.chars().all(|c| c.is_ascii_alphanumeric() || c == '+'))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What the vSphere provider v2.16.1 wrote on vcsim, for an OVF.
    fn written() -> Json {
        serde_json::json!({"description": "", "file_url": "./app.ova", "id": "848c416d-a0f4-49a9-bb64-14e61266e3e4",
            "library_id": "3888079f-f021-48c1-86b3-06f0c42cac6a", "name": "app", "source_uuid": null, "type": "ovf"})
    }

    #[test]
    fn a_local_file_becomes_the_source() {
        let m = map(1, &written()).unwrap();
        assert_eq!(m.id, "848c416d-a0f4-49a9-bb64-14e61266e3e4");
        assert_eq!(m.source_file.as_deref(), Some("./app.ova"));
        assert!(m.dropped.is_empty());
        assert_eq!(m.catalog_id.as_deref(), Some("3888079f-f021-48c1-86b3-06f0c42cac6a"));
        assert_eq!((m.name.as_deref(), m.description.as_str()), (Some("app"), ""));
    }

    #[test]
    fn a_url_and_a_capture_are_named() {
        let mut j = written();
        j["file_url"] = "https://example.com/app.ova".into();
        let m = map(1, &j).unwrap();
        assert!(m.source_file.is_none());
        assert!(m.dropped[0].starts_with("file_url (https://example.com/app.ova"), "{:?}", m.dropped);
        j["file_url"] = Json::Null;
        j["source_uuid"] = "4207-aa".into();
        assert!(map(1, &j).unwrap().dropped[0].starts_with("source_uuid (4207-aa"));
    }

    #[test]
    fn an_item_that_is_not_a_template_is_refused() {
        let mut j = written();
        j["type"] = "iso".into();
        let e = map(1, &j).err().unwrap();
        assert!(e.to_string().contains("of type \"iso\""), "{e}");
        j["type"] = "OVF".into();
        assert!(map(1, &j).is_ok());
        j["type"] = Json::Null;
        assert!(map(1, &j).is_ok());
        assert!(matches!(map(0, &j), Err(MoveError::Version { .. })));
    }
}
