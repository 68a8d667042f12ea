//! States written by an older schema version are upgraded on the next
//! plan, with no change planned; a state from a newer provider is refused
//! with a message that says so. `vi_catalog_item`'s schema version 1
//! renamed two fields of `virtual_systems`; a state file is rewritten to
//! the version 0 shape (exactly what the previous provider wrote) and the
//! CLI is run on it.
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

#[test]
fn a_catalog_item_state_from_schema_version_0_upgrades_without_changes() {
    let sim = Vcsim::start(&[]);
    let ds = vi_check::facts(&sim).id("Datastore", "LocalDS_0");
    let files = tempfile::tempdir().expect("dir");
    let ovf = crate::faults::tiny_ovf_in(files.path());
    let tf = Tf::new(&config(&sim, &ds, &ovf));
    tf.init_apply_replan();
    let before = tf.show();

    // The previous provider's shape: `network_interfaces` and `properties`.
    rewrite_item(&tf, 0, |attrs| {
        for vs in attrs["virtual_systems"].as_array_mut().expect("virtual systems") {
            let o = vs.as_object_mut().expect("object");
            let nics = o.remove("network_interface").expect("network_interface");
            o.insert("network_interfaces".into(), nics);
            let props = o.remove("vapp_properties").expect("vapp_properties");
            o.insert("properties".into(), props);
        }
    });
    tf.assert_no_changes();
    tf.ok(&["apply", "-refresh-only", "-auto-approve", "-no-color"]);
    let stored: serde_json::Value =
        serde_json::from_slice(&std::fs::read(tf.dir.path().join("terraform.tfstate")).unwrap()).unwrap();
    let item = stored["resources"].as_array().unwrap().iter().find(|r| r["type"] == "vi_catalog_item").unwrap();
    assert_eq!(item["instances"][0]["schema_version"], 1, "the state is written at the current version");
    assert_eq!(tf.show()["values"], before["values"], "the upgraded state is the one the current provider wrote");

    // A state from a newer provider is refused (by the CLI itself, which
    // compares the versions before asking the provider; the provider's own
    // refusal is unit-tested in plugin::traits).
    rewrite_item(&tf, 7, |_| {});
    let err = tf.fails(&["plan", "-no-color"]);
    let err = err.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(err.contains("newer provider"), "{err}");
    rewrite_item(&tf, 1, |_| {});
    tf.destroy();
}
