//! Stored `vi_catalog_item` states from older schema versions, brought to
//! the current one (see `schema::SCHEMA_VERSION`).
use serde_json::Value;

/// The facts' attributes in schema version 1.
const FACTS_V1: [&str; 7] =
    ["has_tpm", "is_vapp", "networks", "disks", "deployment_options", "virtual_systems", "vapp_properties"];

/// From version `from` to `from + 1`.
pub fn step(from: i64, mut state: Value) -> Result<Value, String> {
    match from {
        // 0 → 1: a virtual system's `network_interfaces` and `properties`
        // took the names `vi_vm` and `data "vi_ovf"` use.
        0 => {
            if let Some(systems) = state.get_mut("virtual_systems").and_then(Value::as_array_mut) {
                for vs in systems.iter_mut().filter_map(Value::as_object_mut) {
                    for (old, new) in [("network_interfaces", "network_interface"), ("properties", "vapp_properties")] {
                        if let Some(v) = vs.remove(old) {
                            vs.insert(new.to_owned(), v);
                        }
                    }
                }
            }
            Ok(state)
        }
        // 1 → 2: the facts became the shared OVF facts (new fields such as
        // a property's `ovf_type` and a disk's `file_id` and
        // `populated_size`, renamed ones, and the top-level lists now
        // holding every virtual system's too). What is new is not in the
        // stored state, so the facts are dropped and the next read takes
        // them again from the item's descriptor in vCenter, as an import
        // does.
        1 => {
            if let Some(o) = state.as_object_mut() {
                for fact in FACTS_V1 {
                    o.remove(fact);
                }
            }
            Ok(state)
        }
        other => Err(format!("no upgrade is known from schema version {other}")),
    }
}

#[cfg(test)]
mod tests {
    use super::step;
    use serde_json::json;

    #[test]
    fn version_0_renames_a_virtual_systems_nics_and_properties() {
        let v0 = json!({
            "id": "item-1",
            "virtual_systems": [{
                "id": "vm",
                "network_interfaces": [{"adapter_type": "VmxNet3", "network": "lan"}],
                "properties": [{"id": "app.port"}],
                "disks": []
            }],
            "vapp_properties": []
        });
        let v1 = step(0, v0).unwrap();
        let vs = &v1["virtual_systems"][0];
        assert_eq!(vs["network_interface"][0]["network"], "lan");
        assert_eq!(vs["vapp_properties"][0]["id"], "app.port");
        assert!(vs.get("network_interfaces").is_none() && vs.get("properties").is_none());
        assert_eq!(v1["id"], "item-1");
        // Null facts (a capture whose facts are unknown) pass unchanged.
        assert_eq!(step(0, json!({"virtual_systems": null})).unwrap(), json!({"virtual_systems": null}));
    }

    #[test]
    fn version_1_drops_the_facts_for_the_next_read() {
        let v1 = json!({
            "id": "item-1",
            "name": "tiny",
            "source_sha256": "ab",
            "has_tpm": false,
            "is_vapp": false,
            "networks": [{"name": "lan", "description": null}],
            "disks": [{"disk_id": "d", "file": "d.vmdk"}],
            "deployment_options": [],
            "virtual_systems": [{"id": "vm", "disks": [{"controller": "scsi", "controller_type": "lsilogic"}]}],
            "vapp_properties": []
        });
        let v2 = step(1, v1).unwrap();
        assert_eq!(v2, json!({"id": "item-1", "name": "tiny", "source_sha256": "ab"}));
        assert!(step(2, json!({})).is_err(), "no version after the current one");
    }
}
