//! `vi_vm_snapshot` against vcsim: take, rename, import, remove.
use crate::harness::terraform::{Tf, provider_block};
use crate::harness::vcsim::Vcsim;
use crate::vi_check;

use terraform_provider_vi::vi::ManagedObjectReference;
use terraform_provider_vi::vi::object::snapshot::{VirtualMachineSnapshotTree, snapshot_trees};

/// The VM's snapshots as vcsim holds them, in tree order.
fn snapshot_tree(sim: &Vcsim, vm: &str) -> Vec<VirtualMachineSnapshotTree> {
    let (rt, c) = vi_check::client(sim);
    let objs = rt
        .block_on(c.retrieve(&[ManagedObjectReference::new("VirtualMachine", vm)], &["snapshot"]))
        .expect("read snapshots");
    objs.first().and_then(|o| o.node("snapshot")).map(snapshot_trees).unwrap_or_default()
}

pub(crate) fn snapshot_names(sim: &Vcsim, vm: &str) -> Vec<String> {
    snapshot_tree(sim, vm).into_iter().map(|t| t.name).collect()
}

/// Outputs go with the creating configuration only: imports do not bring them.
const OUTPUTS: &str =
    "output \"base\" { value = vi_vm_snapshot.base.id }\noutput \"after\" { value = vi_vm_snapshot.after.id }\n";

fn config(sim: &Vcsim, vm: &str, description: &str) -> String {
    format!(
        r#"{provider}
resource "vi_vm_snapshot" "base" {{
  vm_id       = "{vm}"
  name        = "base"
  description = "{description}"
}}

resource "vi_vm_snapshot" "after" {{
  vm_id      = "{vm}"
  name       = "after"
  depends_on = [vi_vm_snapshot.base]
}}
"#,
        provider = provider_block(&sim.sdk_url(), "")
    )
}

#[test]
fn snapshots_are_taken_renamed_imported_and_removed() {
    let sim = Vcsim::start(&[]);
    let vm = vi_check::facts(&sim).id("VirtualMachine", "DC0_H0_VM0");
    // Powered off, so the captured state says no memory was included (vcsim
    // records the power state whatever `memory` was).
    let (rt, c) = vi_check::client(&sim);
    rt.block_on(c.vm(&ManagedObjectReference::new("VirtualMachine", vm.clone())).power_off(None)).expect("power off");
    let tf = Tf::new(&(config(&sim, &vm, "first") + OUTPUTS));
    tf.init_apply_replan();
    assert_eq!(snapshot_names(&sim, &vm), vec!["base", "after"]);
    let base = tf.outputs()["base"].as_str().unwrap_or_default().to_owned();

    // A new name and description: renamed in place (RenameSnapshot, on
    // vcsim-plus), the same snapshot, as vcsim's snapshot tree shows.
    let renamed = config(&sim, &vm, "second").replacen("name        = \"base\"", "name        = \"base-2\"", 1);
    tf.write_main(&(renamed.clone() + OUTPUTS));
    let plan = tf.ok(&["plan", "-no-color"]);
    assert!(plan.contains("update in-place") && !plan.contains("forces replacement"), "{plan}");
    assert!(plan.contains("1 to change"), "{plan}");
    tf.apply();
    tf.assert_no_changes();
    assert_eq!(tf.outputs()["base"].as_str(), Some(base.as_str()), "the same snapshot");
    let tree = snapshot_tree(&sim, &vm);
    let node = tree.iter().find(|t| t.snapshot.value == base).expect("the snapshot is in the tree");
    assert_eq!((node.name.as_str(), node.description.as_str()), ("base-2", "second"));
    assert_eq!(snapshot_names(&sim, &vm), vec!["base-2", "after"]);
    // And back.
    tf.write_main(&(config(&sim, &vm, "first") + OUTPUTS));
    tf.apply();
    tf.assert_no_changes();
    assert_eq!(snapshot_names(&sim, &vm), vec!["base", "after"]);

    let adopted = Tf::new(&config(&sim, &vm, "first"));
    adopted.init();
    adopted.ok(&["import", "-no-color", "vi_vm_snapshot.base", &format!("{vm}:{base}")]);
    adopted.ok(&["import", "-no-color", "vi_vm_snapshot.after", &format!("{vm}:after")]);
    adopted.assert_no_changes();

    tf.destroy();
    assert!(snapshot_names(&sim, &vm).is_empty());
}

#[test]
fn remove_children_takes_the_later_snapshots_along() {
    let sim = Vcsim::start(&[]);
    let vm = vi_check::facts(&sim).id("VirtualMachine", "DC0_H0_VM0");
    let tf = Tf::new(&format!(
        r#"{provider}
resource "vi_vm_snapshot" "base" {{
  vm_id           = "{vm}"
  name            = "base"
  remove_children = true
}}
"#,
        provider = provider_block(&sim.sdk_url(), "")
    ));
    tf.init_apply_replan();
    let (rt, c) = vi_check::client(&sim);
    rt.block_on(
        c.vm(&ManagedObjectReference::new("VirtualMachine", vm.clone()))
            .create_snapshot("later", "", false, false, None),
    )
    .expect("a snapshot Terraform does not manage");
    assert_eq!(snapshot_names(&sim, &vm), vec!["base", "later"]);
    tf.destroy();
    assert!(snapshot_names(&sim, &vm).is_empty(), "{:?}", snapshot_names(&sim, &vm));
}

#[test]
fn a_snapshot_deleted_outside_terraform_is_taken_again() {
    let sim = Vcsim::start(&[]);
    let vm = vi_check::facts(&sim).id("VirtualMachine", "DC0_H0_VM0");
    let tf = Tf::new(&(config(&sim, &vm, "x") + OUTPUTS));
    tf.init_apply_replan();
    let (rt, c) = vi_check::client(&sim);
    let after = tf.outputs()["after"].as_str().unwrap_or_default().to_owned();
    rt.block_on(c.snapshot(&ManagedObjectReference::new("VirtualMachineSnapshot", after)).remove(false, None))
        .expect("remove behind Terraform's back");
    let text = tf.assert_changes();
    assert!(text.contains("vi_vm_snapshot.after will be created"), "{text}");
    tf.apply();
    tf.assert_no_changes();
    tf.destroy();
}
