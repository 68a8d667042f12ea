//! States written by an older schema version are upgraded on the next
//! plan, with no change planned; a state from a newer provider is refused
//! with a message that says so. `vi_catalog_item`'s schema version 1
//! renamed two fields of `virtual_systems`; version 2 made its facts the
//! shared OVF facts (`data "vi_ovf"`'s). A state file is rewritten to the
//! shape an older provider wrote (exactly that shape) and the CLI is run
//! on it.
use crate::harness::terraform::{Tf, provider_block};
use crate::harness::vcsim::Vcsim;
use crate::vi_check;

fn config(sim: &Vcsim, ds: &str, ovf: &std::path::Path) -> String {
    provider_block(&sim.sdk_url(), "")
        + &format!(
            r#"
resource "vi_catalog" "cat" {{
  name         = "upgrade-cat"
  datastore_id = "{ds}"
}}
resource "vi_catalog_item" "item" {{
  catalog_id  = vi_catalog.cat.id
  name        = "upgrade-item"
  source_file = "{ovf}"
}}
"#,
            ovf = ovf.display()
        )
}

/// Rewrites the stored `vi_catalog_item` with `edit` (on its attributes)
/// and `schema_version`.
fn rewrite_item(tf: &Tf, schema_version: i64, edit: impl Fn(&mut serde_json::Value)) {
    let path = tf.dir.path().join("terraform.tfstate");
    let mut state: serde_json::Value = serde_json::from_slice(&std::fs::read(&path).expect("state")).expect("json");
    let resources = state["resources"].as_array_mut().expect("resources");
    let item = resources.iter_mut().find(|r| r["type"] == "vi_catalog_item").expect("vi_catalog_item in state");
    let instance = &mut item["instances"][0];
    instance["schema_version"] = serde_json::json!(schema_version);
    edit(&mut instance["attributes"]);
    state["serial"] = serde_json::json!(state["serial"].as_i64().unwrap_or(0) + 1);
    std::fs::write(&path, serde_json::to_vec_pretty(&state).expect("json")).expect("write state");
}

/// The facts as schema version 1 wrote them, from the current ones.
fn facts_as_version_1(attrs: &mut serde_json::Value) {
    let o = attrs.as_object_mut().expect("object");
    for gone in ["ovf_version", "transports", "files", "vservice_dependencies"] {
        o.remove(gone).expect(gone);
    }
    let property_v1 = |p: &mut serde_json::Value| {
        let p = p.as_object_mut().expect("property");
        let full_key = p.remove("full_key").expect("full_key");
        p.insert("id".into(), full_key);
        for gone in ["virtual_system_id", "ovf_type"] {
            p.remove(gone).expect(gone);
        }
    };
    for d in o["disks"].as_array_mut().expect("disks") {
        let d = d.as_object_mut().expect("disk");
        let href = d.remove("file_href").expect("file_href");
        d.insert("file".into(), href);
        d.remove("file_id").expect("file_id");
        d.remove("populated_size").expect("populated_size");
    }
    for vs in o["virtual_systems"].as_array_mut().expect("virtual systems") {
        for d in vs["disks"].as_array_mut().expect("disks") {
            let d = d.as_object_mut().expect("disk");
            let subtype = d.remove("controller_subtype").expect("controller_subtype");
            d.insert("controller_type".into(), subtype);
        }
        vs["vapp_properties"].as_array_mut().expect("properties").iter_mut().for_each(property_v1);
        for dep in vs["vservice_dependencies"].as_array_mut().expect("dependencies") {
            dep.as_object_mut().expect("dependency").remove("virtual_system_id").expect("virtual_system_id");
        }
    }
    // Version 1 listed only the vApp's own properties at the top; this
    // item is a single VM.
    o.insert("vapp_properties".into(), serde_json::json!([]));
}

/// Version 1's renames undone: what version 0 wrote.
fn facts_as_version_0(attrs: &mut serde_json::Value) {
    facts_as_version_1(attrs);
    for vs in attrs["virtual_systems"].as_array_mut().expect("virtual systems") {
        let o = vs.as_object_mut().expect("object");
        let nics = o.remove("network_interface").expect("network_interface");
        o.insert("network_interfaces".into(), nics);
        let props = o.remove("vapp_properties").expect("vapp_properties");
        o.insert("properties".into(), props);
    }
}

fn stored_version(tf: &Tf) -> serde_json::Value {
    let stored: serde_json::Value =
        serde_json::from_slice(&std::fs::read(tf.dir.path().join("terraform.tfstate")).unwrap()).unwrap();
    let item = stored["resources"].as_array().unwrap().iter().find(|r| r["type"] == "vi_catalog_item").unwrap();
    item["instances"][0]["schema_version"].clone()
}

#[test]
fn catalog_item_states_from_older_schema_versions_upgrade_without_changes() {
    let sim = Vcsim::start(&[]);
    let ds = vi_check::facts(&sim).id("Datastore", "LocalDS_0");
    let files = tempfile::tempdir().expect("dir");
    let ovf = crate::faults::tiny_ovf_in(files.path());
    let tf = Tf::new(&config(&sim, &ds, &ovf));
    tf.init_apply_replan();
    let before = tf.show();
    let vs = &before["values"]["root_module"]["resources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["type"] == "vi_catalog_item")
        .unwrap()["values"]["virtual_systems"][0];
    assert!(!vs["vapp_properties"].as_array().unwrap().is_empty(), "the test item has properties to rename");
    assert!(!vs["disks"].as_array().unwrap().is_empty(), "the test item has disks to rename");

    for (version, edit) in [(1, facts_as_version_1 as fn(&mut serde_json::Value)), (0, facts_as_version_0)] {
        rewrite_item(&tf, version, edit);
        // Without a refresh the dropped facts are not read again: the plan
        // shows them coming back, and nothing else.
        let plan = tf.ok(&["plan", "-refresh=false", "-no-color"]);
        assert!(plan.contains("1 to change, 0 to destroy"), "from {version}: {plan}");
        assert!(plan.contains("+ virtual_systems"), "from {version}: {plan}");
        tf.assert_no_changes();
        tf.ok(&["apply", "-refresh-only", "-auto-approve", "-no-color"]);
        assert_eq!(stored_version(&tf), 2, "from {version}: the state is written at the current version");
        assert_eq!(
            tf.show()["values"],
            before["values"],
            "from {version}: the upgraded state is the one the current provider wrote"
        );
    }

    // A state from a newer provider is refused (by the CLI itself, which
    // compares the versions before asking the provider; the provider's own
    // refusal is unit-tested in plugin::traits).
    rewrite_item(&tf, 7, |_| {});
    let err = tf.fails(&["plan", "-no-color"]);
    let err = err.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(err.contains("newer provider"), "{err}");
    rewrite_item(&tf, 2, |_| {});
    tf.destroy();
}
