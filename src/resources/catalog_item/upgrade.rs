//! Stored `vi_catalog_item` states from older schema versions, brought to
//! the current one (see `schema::SCHEMA_VERSION`).
use serde_json::Value;

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
        assert!(step(1, json!({})).is_err(), "no version after the current one");
    }
}
