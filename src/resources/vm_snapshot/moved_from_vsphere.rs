//! `moved { from = vsphere_virtual_machine_snapshot.x  to = vi_vm_snapshot.x }`:
//! the state the vSphere provider v2.16.1 wrote, as `vi_vm_snapshot`'s. It
//! names the VM by its BIOS UUID, `vi_vm_snapshot` by managed object id:
//! `vm_id` is left unset, for the refresh right after the move to read
//! from the snapshot (the CLI may move state before it configures the
//! provider).
use serde_json::Value as Json;

use super::State;
use crate::plugin::Value;
use crate::shared::moved_from_vsphere::{MoveError, Source, attrs};

pub const SOURCE: Source = Source { type_name: "vsphere_virtual_machine_snapshot", versions: &[0] };

/// The state without its `vm_id`, and what was dropped.
pub fn map(version: i64, state: &Json) -> Result<(State, Vec<String>), MoveError> {
    let src = attrs(&SOURCE, version, state)?;
    let id = src.required("id")?;
    let mut dropped = src.unmatched(MAPPED, &["consolidate"], &[]);
    // Consolidating the disks on delete (true unless set) is what
    // `vi_vm_snapshot` always does; false (unset reads as null) is not.
    if src.bool("consolidate") == Some(false) {
        dropped.push("consolidate (vi_vm_snapshot always consolidates the disks on destroy)".to_owned());
    }
    let state = State {
        id: Value::known(id),
        vm_id: Value::Null,
        name: Value::from_option(src.str("snapshot_name")),
        description: Value::known(src.str("description").unwrap_or_default()),
        memory: Value::known(src.bool("memory").unwrap_or(false)),
        quiesce: Value::known(src.bool("quiesce").unwrap_or(false)),
        remove_children: Value::known(src.bool("remove_children").unwrap_or(false)),
        create_time: Value::Null,
    };
    Ok((state, dropped))
}

const MAPPED: &[&str] =
    &["id", "snapshot_name", "description", "memory", "quiesce", "remove_children", "virtual_machine_uuid"];

#[cfg(test)]
mod tests {
    use super::*;

    /// What the vSphere provider v2.16.1 wrote on vcsim.
    fn written() -> Json {
        serde_json::json!({"consolidate": null, "description": "taken by the vSphere provider", "id": "snapshot-79",
            "memory": false, "quiesce": false, "remove_children": null, "snapshot_name": "before-upgrade",
            "virtual_machine_uuid": "0a776ce0-6e70-5343-96a2-d04acdd7508a"})
    }

    #[test]
    fn a_snapshot_moves_with_its_settings() {
        let (s, dropped) = map(0, &written()).unwrap();
        assert!(dropped.is_empty(), "{dropped:?}");
        assert_eq!(s.id.as_deref(), Some("snapshot-79"));
        assert_eq!(s.name.as_deref(), Some("before-upgrade"));
        assert_eq!(s.description.as_deref(), Some("taken by the vSphere provider"));
        assert_eq!(s.remove_children.get(), Some(&false));
        assert!(s.vm_id.is_null());
    }

    #[test]
    fn keeping_the_disks_apart_is_named() {
        let mut j = written();
        j["consolidate"] = false.into();
        assert!(map(0, &j).unwrap().1[0].starts_with("consolidate"));
        j["consolidate"] = true.into();
        assert!(map(0, &j).unwrap().1.is_empty());
    }

    #[test]
    fn broken_states_are_refused_without_a_panic() {
        assert!(matches!(map(1, &written()), Err(MoveError::Version { version: 1, .. })));
        let mut j = written();
        j["id"] = 5.into();
        assert!(matches!(map(0, &j), Err(MoveError::Missing { attr: "id", .. })));
        for v in [Json::Null, 1.into(), "x".into(), serde_json::json!([1]), serde_json::json!({})] {
            for k in MAPPED.iter().filter(|k| **k != "id") {
                let mut j = written();
                j[*k] = v.clone();
                assert!(map(0, &j).is_ok(), "{k} = {v}");
            }
        }
    }
}
