//! Every data source against vcsim, checked against vcsim itself through
//! the `vi` client; and the errors for names that match nothing or too much.
use crate::harness::terraform::{Tf, provider_block};
use crate::harness::vcsim::Vcsim;
use crate::vi_check;

const ALL: &str = r#"
data "vi_datacenter" "dc" {}

data "vi_datacenter" "by_name" {
  name = "DC0"
}

data "vi_datastore" "ds" {
  name          = "LocalDS_0"
  datacenter_id = data.vi_datacenter.dc.id
}

data "vi_network" "std" {
  name = "VM Network"
}

data "vi_network" "dvpg" {
  name = "DC0_DVPG0"
}

data "vi_resource_pool" "rel" {
  path = "DC0_C0/Resources"
}

data "vi_resource_pool" "abs" {
  path = "/DC0/host/DC0_H0/Resources"
}

data "vi_host" "by_name" {
  name = "DC0_C0_H1"
}

data "vi_host" "by_path" {
  path = "DC0_H0/DC0_H0"
}

data "vi_folder" "vm" {
  path = "vm"
}

data "vi_folder" "abs" {
  path = "/DC0/datastore"
}

output "dc" { value = data.vi_datacenter.dc }
output "dc_by_name" { value = data.vi_datacenter.by_name.id }
output "ds" { value = data.vi_datastore.ds }
output "std" { value = data.vi_network.std }
output "dvpg" { value = data.vi_network.dvpg }
output "rel" { value = data.vi_resource_pool.rel }
output "abs" { value = data.vi_resource_pool.abs }
output "host" { value = data.vi_host.by_name }
output "host_by_path" { value = data.vi_host.by_path }
output "vm_folder" { value = data.vi_folder.vm }
output "ds_folder" { value = data.vi_folder.abs }
"#;

#[test]
fn every_data_source_finds_what_vcsim_has() {
    let sim = Vcsim::start(&[]);
    let tf = Tf::new(&(provider_block(&sim.sdk_url(), "") + ALL));
    tf.init_apply_replan();
    let out = tf.outputs();
    let s = |v: &serde_json::Value| v.as_str().unwrap_or_default().to_owned();

    let facts = vi_check::facts(&sim);
    assert_eq!(s(&out["dc"]["id"]), facts.id("Datacenter", "DC0"));
    assert_eq!(s(&out["dc"]["name"]), "DC0");
    assert_eq!(s(&out["dc"]["vm_folder_id"]), facts.prop("Datacenter", "DC0", "vmFolder"));
    assert_eq!(s(&out["dc_by_name"]), facts.id("Datacenter", "DC0"));

    assert_eq!(s(&out["ds"]["id"]), facts.id("Datastore", "LocalDS_0"));
    assert_eq!(
        out["ds"]["capacity"].as_i64().map(|c| c.to_string()),
        Some(facts.prop("Datastore", "LocalDS_0", "summary.capacity"))
    );
    assert!(out["ds"]["free_space"].as_i64().unwrap_or(-1) > 0, "{}", out["ds"]);
    assert_eq!(s(&out["ds"]["type"]), facts.prop("Datastore", "LocalDS_0", "summary.type"));

    assert_eq!(s(&out["std"]["id"]), facts.id("Network", "VM Network"));
    assert_eq!(s(&out["std"]["type"]), "Network");
    assert_eq!(s(&out["dvpg"]["id"]), facts.id("DistributedVirtualPortgroup", "DC0_DVPG0"));
    assert_eq!(s(&out["dvpg"]["type"]), "DistributedVirtualPortgroup");

    let c0 = facts.id("ClusterComputeResource", "DC0_C0");
    assert_eq!(s(&out["rel"]["owner_id"]), c0);
    assert_eq!(s(&out["rel"]["id"]), facts.prop("ClusterComputeResource", "DC0_C0", "resourcePool"));
    assert_eq!(s(&out["rel"]["path"]), "/DC0/host/DC0_C0/Resources");
    assert_eq!(s(&out["abs"]["id"]), facts.prop("ComputeResource", "DC0_H0", "resourcePool"));

    assert_eq!(s(&out["host"]["id"]), facts.id("HostSystem", "DC0_C0_H1"));
    assert_eq!(s(&out["host"]["compute_resource_id"]), c0);
    assert_eq!(s(&out["host"]["resource_pool_id"]), s(&out["rel"]["id"]));
    assert_eq!(s(&out["host"]["connection_state"]), "connected");
    assert_eq!(s(&out["host_by_path"]["id"]), facts.id("HostSystem", "DC0_H0"));
    assert_eq!(s(&out["host_by_path"]["resource_pool_id"]), s(&out["abs"]["id"]));

    assert_eq!(s(&out["vm_folder"]["id"]), facts.prop("Datacenter", "DC0", "vmFolder"));
    assert_eq!(s(&out["vm_folder"]["type"]), "vm");
    assert_eq!(s(&out["ds_folder"]["id"]), facts.prop("Datacenter", "DC0", "datastoreFolder"));
    assert_eq!(s(&out["ds_folder"]["type"]), "datastore");

    // The state holds every data source, with the ids the outputs showed.
    let state = tf.show();
    let resources = state["values"]["root_module"]["resources"].as_array().cloned().unwrap_or_default();
    assert_eq!(resources.len(), 11, "{state}");
    assert!(resources.iter().all(|r| r["mode"] == "data" && r["values"]["id"].is_string()), "{state}");

    tf.destroy();
}

#[test]
fn lookups_that_miss_or_match_twice_say_what_and_where() {
    let sim = Vcsim::start(&[]);
    let cases: &[(&str, &[&str])] = &[
        (
            r#"data "vi_datastore" "x" { name = "nope" }"#,
            &["Datastore not found", r#"no datastore named "nope" in datacenter "DC0""#],
        ),
        (r#"data "vi_network" "x" { name = "nope" }"#, &["Network not found", r#"no network named "nope""#]),
        // Every compute resource's root pool is called "Resources".
        (r#"data "vi_resource_pool" "x" { name = "Resources" }"#, &["are named \"Resources\"", "use a path or an id"]),
        (
            r#"data "vi_resource_pool" "x" { path = "nowhere/Resources" }"#,
            &["nothing at inventory path \"DC0/host/nowhere/Resources\""],
        ),
        (r#"data "vi_folder" "x" { path = "datastore/LocalDS_0" }"#, &["Not a folder", "is a Datastore"]),
        // No name: the only host, as in the vSphere provider; there are four.
        (r#"data "vi_host" "x" {}"#, &["Which host?", "has 4 hosts"]),
        (
            r#"data "vi_datastore" "x" {
  name = "LocalDS_0"
  datacenter_id = "datacenter-999"
}"#,
            &["Datacenter not found", "datacenter-999"],
        ),
    ];
    for (hcl, wants) in cases {
        let tf = Tf::new(&(provider_block(&sim.sdk_url(), "") + hcl));
        tf.init();
        let err = tf.fails(&["plan", "-no-color"]);
        for w in *wants {
            assert!(err.contains(w), "plan of {hcl} should say {w:?}; it said:\n{err}");
        }
    }
}

#[test]
fn datastore_name_defaults_to_linuxkit_vcdatastore() {
    let sim = Vcsim::start(&[]);
    let hcl = r#"
data "vi_datastore" "x" {}
output "ds" { value = data.vi_datastore.x }
"#;
    let tf = Tf::new(&(provider_block(&sim.sdk_url(), "") + hcl)).env("VCDATASTORE", "LocalDS_0");
    tf.init_apply_replan();
    let out = tf.outputs();
    assert_eq!(out["ds"]["id"].as_str(), Some(vi_check::facts(&sim).id("Datastore", "LocalDS_0").as_str()));
    assert_eq!(out["ds"]["name"].as_str(), Some("LocalDS_0"));
    tf.destroy();

    // Without a name and without the variable: one error, on `name`, at plan.
    let tf = Tf::new(&(provider_block(&sim.sdk_url(), "") + hcl));
    tf.init();
    let err = tf.fails(&["plan", "-no-color"]);
    assert!(err.contains("No datastore name") && err.contains("VCDATASTORE"), "{err}");
    assert!(err.contains("data.vi_datastore.x"), "{err}");
}
