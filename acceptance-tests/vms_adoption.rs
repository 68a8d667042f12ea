//! Bulk adoption of VMs Terraform never managed, with `data "vi_vms"`, as
//! `docs/guides/migrating-from-vsphere.md` shows it: import blocks written
//! from `vi_vms`' output and `-generate-config-out` (Terraform 1.5+,
//! OpenTofu 1.6+), and `import { for_each = … }` over `vi_vms.ids` into a
//! resource written from `data "vi_vm"` (Terraform 1.7+, OpenTofu 1.7+).
//! Both end in a plan with no changes and no warnings.
//!
//! Terraform 1.0.3 has no import blocks: under it these tests run with the
//! newer Terraform at /usr/local/bin/terraform when there is one, and say
//! so loudly when there is not.
use std::path::PathBuf;

use crate::harness::guide;
use crate::harness::terraform::{Tf, is_tofu, newer_terraform, provider_block, terraform_bin};
use crate::harness::vcsim::Vcsim;
use crate::vi_check;

/// The CLI that can run import blocks in this run of the suite.
fn adoption_cli(test: &str) -> Option<PathBuf> {
    if is_tofu() {
        return Some(terraform_bin());
    }
    match newer_terraform() {
        Some(p) => Some(p),
        None => {
            eprintln!(
                "SKIPPED {test}: Terraform 1.0.3 has no import blocks and /usr/local/bin/terraform (1.7+) is \
                 missing; run with TF_ACC_CLI=tofu"
            );
            None
        }
    }
}

fn tf_with(cli: PathBuf, hcl: &str) -> Tf {
    eprintln!("running with {}", cli.display());
    Tf::new(hcl).with_cli_bin(cli)
}

const GUIDE: &str = "migrating-from-vsphere";

/// Warnings from the provider (the CLI's own note that config generation
/// is experimental is not one).
fn warnings(out: &str) -> Vec<&str> {
    out.lines().filter(|l| l.contains("Warning:") && !l.contains("Config generation is experimental")).collect()
}

#[test]
fn generated_configuration_for_vms_listed_by_vi_vms_plans_no_changes() {
    let Some(cli) = adoption_cli("generated_configuration_for_vms_listed_by_vi_vms_plans_no_changes") else {
        return;
    };
    let sim = Vcsim::start(&["-folder", "1"]);
    // The guide's listing: the VMs to adopt, and import blocks for them.
    let tf = tf_with(cli, &(provider_block(&sim.sdk_url(), "") + &guide::hcl(GUIDE, "import_blocks")));
    tf.init();
    tf.apply();
    let blocks = tf.ok(&["output", "-raw", "import_blocks"]);
    let want: Vec<(String, String)> = {
        let mut v: Vec<(String, String)> =
            vi_check::vms(&sim).into_iter().filter(|(_, n)| n.starts_with("DC0_H0_")).collect();
        v.sort_by(|a, b| a.1.cmp(&b.1));
        v
    };
    assert_eq!(want.len(), 2, "vcsim's standalone host has two VMs");
    for (id, name) in &want {
        assert!(blocks.contains(&format!("to = vi_vm.{name}\n  id = \"{id}\"")), "{blocks}");
    }
    std::fs::write(tf.dir.path().join("imports.tf"), &blocks).expect("write imports.tf");

    let out = tf.ok(&["plan", "-no-color", "-generate-config-out=generated.tf"]);
    let generated = std::fs::read_to_string(tf.dir.path().join("generated.tf")).expect("generated.tf");
    eprintln!("{generated}");
    assert!(out.contains("2 to import, 0 to add, 0 to change, 0 to destroy"), "{out}\n{generated}");
    assert!(warnings(&out).is_empty(), "{out}\n{generated}");
    // A MAC address vSphere generated is not written as a hand-set one.
    let macs: Vec<&str> = generated.lines().filter(|l| l.trim_start().starts_with("mac_address ")).collect();
    assert!(!macs.is_empty() && macs.iter().all(|l| l.ends_with("= null")), "{generated}");

    let applied = tf.apply();
    assert!(applied.contains("2 imported, 0 added, 0 changed, 0 destroyed"), "{applied}");
    assert!(warnings(&applied).is_empty(), "{applied}");
    let out = tf.run(&["plan", "-detailed-exitcode", "-no-color"]);
    let text = crate::harness::terraform::text(&out);
    assert_eq!(out.status.code(), Some(0), "plan after adoption is not empty:\n{text}\n{generated}");
    assert!(warnings(&text).is_empty(), "{text}");
    let state = tf.show();
    let resources =
        state.pointer("/values/root_module/resources").and_then(|r| r.as_array()).cloned().unwrap_or_default();
    let mut adopted: Vec<(String, String)> = resources
        .iter()
        .filter(|r| r["type"] == "vi_vm")
        .map(|r| {
            (
                r["values"]["id"].as_str().unwrap_or_default().to_owned(),
                r["name"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    adopted.sort_by(|a, b| a.1.cmp(&b.1));
    assert_eq!(adopted, want, "{state}");
}

#[test]
fn import_for_each_over_vi_vms_adopts_a_folder_in_one_plan() {
    let Some(cli) = adoption_cli("import_for_each_over_vi_vms_adopts_a_folder_in_one_plan") else {
        return;
    };
    let sim = Vcsim::start(&["-folder", "1"]);
    let before = vi_check::vms(&sim);
    // The guide's `for_each` adoption: every VM `vi_vms` lists, imported by
    // one import block into one `vi_vm` resource written from `data "vi_vm"`.
    let hcl = guide::hcl(GUIDE, "adopted") + &guide::hcl(GUIDE, "import_for_each");
    let tf = tf_with(cli, &(provider_block(&sim.sdk_url(), "") + &hcl));
    tf.init();
    let plan = tf.ok(&["plan", "-no-color"]);
    assert!(plan.contains("2 to import, 0 to add, 0 to change, 0 to destroy"), "{plan}");
    assert!(warnings(&plan).is_empty(), "{plan}");
    let applied = tf.apply();
    assert!(applied.contains("2 imported, 0 added, 0 changed, 0 destroyed"), "{applied}");
    tf.assert_no_changes();

    let state = tf.show();
    let resources =
        state.pointer("/values/root_module/resources").and_then(|r| r.as_array()).cloned().unwrap_or_default();
    let mut adopted: Vec<(String, String)> = resources
        .iter()
        .filter(|r| r["type"] == "vi_vm" && r["mode"] == "managed")
        .map(|r| {
            let s = |v: &serde_json::Value| v.as_str().unwrap_or_default().to_owned();
            (s(&r["values"]["id"]), s(&r["index"]))
        })
        .collect();
    adopted.sort();
    let mut want: Vec<(String, String)> = before.into_iter().filter(|(_, n)| n.starts_with("DC0_H0_")).collect();
    want.sort();
    assert_eq!(adopted, want, "{state}");
    // Adopting changed nothing in vSphere: the same VMs, no more, no fewer.
    assert_eq!(vi_check::vms(&sim).len(), 4);
}

/// Terraform before 1.5 (here 1.0.3) has no import blocks: the same
/// configuration without the `import` block, and one `terraform import`
/// per VM that `vi_vms` lists. Runs with every CLI.
#[test]
fn import_commands_over_vi_vms_adopt_a_folder() {
    let sim = Vcsim::start(&["-folder", "1"]);
    let output = "\noutput \"legacy\" {\n  value = local.legacy\n}\n";
    let tf = Tf::new(&(provider_block(&sim.sdk_url(), "") + &guide::hcl(GUIDE, "adopted") + output));
    tf.init();
    // Reads the data sources and records the output; creates nothing.
    tf.ok(&["apply", "-refresh-only", "-auto-approve", "-no-color"]);
    let legacy = tf.outputs()["legacy"].clone();
    let listed: Vec<(String, String)> = legacy
        .as_object()
        .map(|m| m.iter().map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_owned())).collect())
        .unwrap_or_default();
    assert_eq!(listed.len(), 2, "{legacy}");
    for (name, id) in &listed {
        tf.ok(&["import", "-no-color", &format!("vi_vm.legacy[\"{name}\"]"), id]);
    }
    let out = tf.run(&["plan", "-detailed-exitcode", "-no-color"]);
    let text = crate::harness::terraform::text(&out);
    assert_eq!(out.status.code(), Some(0), "plan after adoption is not empty:\n{text}");
    assert!(warnings(&text).is_empty(), "{text}");
    // The generated MAC addresses were not taken as hand-set ones.
    let state = tf.show();
    let resources =
        state.pointer("/values/root_module/resources").and_then(|r| r.as_array()).cloned().unwrap_or_default();
    let nics: Vec<&serde_json::Value> = resources
        .iter()
        .filter(|r| r["mode"] == "managed")
        .flat_map(|r| r["values"]["network_interface"].as_array().into_iter().flatten())
        .collect();
    assert_eq!(nics.len(), 2, "{state}");
    assert!(nics.iter().all(|n| n["mac_address"].is_null()), "{state}");
    assert_eq!(vi_check::vms(&sim).len(), 4);
}
