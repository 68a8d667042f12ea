//! `vi_vm` in a vApp against vcsim: `vapp_id` places the VM in the vApp
//! (its resource pool), a change moves it to another vApp, and the
//! `vapp_start` block is checked at plan. vcsim v0.46.3 has no
//! UpdateVAppConfig, so applying `vapp_start` fails there: the test checks
//! the failure is clear and the VM stays in state (tainted), not orphaned.
use crate::harness::terraform::{Tf, provider_block};
use crate::harness::vcsim::Vcsim;
use crate::vi_check::{self, vm_info};

fn pool_of(sim: &Vcsim, vm: &str) -> String {
    vm_info(sim, vm).and_then(|i| i.resource_pool).map(|p| p.value).unwrap_or_default()
}

/// Terraform wraps messages at 78 columns: compare with spaces collapsed.
fn flat(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn config(sim: &Vcsim, vapp: &str, start: &str) -> String {
    let f = vi_check::facts(sim);
    let pool = f.prop("ClusterComputeResource", "DC0_C0", "resourcePool");
    let ds = f.id("Datastore", "LocalDS_0");
    provider_block(&sim.sdk_url(), "")
        + &format!(
            r#"
resource "vi_vapp" "a" {{
  name             = "app-a"
  resource_pool_id = "{pool}"
}}
resource "vi_vapp" "b" {{
  name             = "app-b"
  resource_pool_id = "{pool}"
}}
resource "vi_vm" "web" {{
  name         = "web-in-vapp"
  vapp_id      = vi_vapp.{vapp}.id
  datastore_id = "{ds}"
  power_state  = "off"
{start}
}}
output "vm" {{
  value = vi_vm.web.id
}}
output "pool" {{
  value = vi_vm.web.resource_pool_id
}}
output "vapp" {{
  value = vi_vapp.{vapp}.id
}}
"#
        )
}

fn out(tf: &Tf, name: &str) -> String {
    tf.outputs()[name].as_str().unwrap_or_default().to_owned()
}

#[test]
fn vm_joins_a_vapp_and_moves_to_another() {
    // vcsim's answer (MethodNotFound) until issue 21's provider tests use
    // vcsim-plus's MoveIntoResourcePool.
    let sim = Vcsim::start(&["-without", "MoveIntoResourcePool"]);
    let tf = Tf::new(&config(&sim, "a", ""));
    tf.init_apply_replan();
    let vm = out(&tf, "vm");
    assert!(vm_info(&sim, &vm).is_some());
    let (vm, vapp) = (out(&tf, "vm"), out(&tf, "vapp"));
    assert!(vapp.starts_with("resgroup-v"), "{vapp}");
    assert_eq!(out(&tf, "pool"), vapp, "the vApp is the VM's pool");
    assert_eq!(pool_of(&sim, &vm), vapp);

    // Moving to the other vApp plans in place; vcsim implements neither
    // MoveIntoResourcePool on a vApp nor RelocateVM_Task into one, so the
    // apply fails cleanly and the VM stays where it was, still in state.
    tf.write_main(&config(&sim, "b", ""));
    let plan = tf.ok(&["plan", "-no-color"]);
    assert!(plan.contains("~ vapp_id"), "{plan}");
    assert!(!plan.contains("must be replaced"), "a move, not a replacement: {plan}");
    let err = flat(&tf.fails(&["apply", "-auto-approve", "-no-color"]));
    assert!(err.contains("MoveIntoResourcePool"), "{err}");
    assert_eq!(pool_of(&sim, &vm), vapp, "the VM did not move");
    let other = tf.show()["values"]["root_module"]["resources"]
        .as_array()
        .and_then(|rs| rs.iter().find(|r| r["address"] == "vi_vapp.b"))
        .and_then(|r| r["values"]["id"].as_str().map(str::to_owned))
        .unwrap_or_default();
    // Back to vApp a: only the outputs (which a failed apply leaves planned)
    // change, the VM does not.
    tf.write_main(&config(&sim, "a", ""));
    let plan = tf.ok(&["plan", "-no-color"]);
    assert!(!plan.contains("vi_vm.web will be"), "{plan}");
    tf.apply();
    tf.assert_no_changes();

    // Import finds the vApp again.
    let resources_only = config(&sim, "a", "");
    let imp = Tf::new(resources_only.split("output \"vm\"").next().unwrap_or_default());
    imp.init();
    imp.ok(&["import", "-no-color", "vi_vapp.a", &vapp]);
    imp.ok(&["import", "-no-color", "vi_vapp.b", &other]);
    imp.ok(&["import", "-no-color", "vi_vm.web", &vm]);
    imp.assert_no_changes();
    tf.destroy();
}

#[test]
fn vapp_start_is_checked_at_plan() {
    let sim = Vcsim::start(&[]);
    let bad = "  vapp_start {\n    order        = -1\n    start_action = \"poweron\"\n  }\n";
    let tf = Tf::new(&config(&sim, "a", bad));
    tf.init();
    let err = flat(&tf.fails(&["plan", "-no-color"]));
    assert!(err.contains("Invalid vApp start setting"), "{err}");
    assert!(err.contains("powerOn"), "the case hint: {err}");
    assert!(err.contains("order"), "{err}");

    // Without a vApp there is nothing to start with.
    let f = vi_check::facts(&sim);
    let pool = f.prop("ComputeResource", "DC0_H0", "resourcePool");
    let no_vapp = config(&sim, "a", "  vapp_start {\n    order = 1\n  }\n")
        .replace("vapp_id      = vi_vapp.a.id", &format!("resource_pool_id = \"{pool}\""));
    tf.write_main(&no_vapp);
    let err = flat(&tf.fails(&["plan", "-no-color"]));
    assert!(err.contains("vapp_start needs a vApp"), "{err}");

    let both = config(&sim, "a", "").replace("vapp_id ", &format!("resource_pool_id = \"{pool}\"\n  vapp_id "));
    tf.write_main(&both);
    let err = flat(&tf.fails(&["plan", "-no-color"]));
    assert!(err.contains("Conflicting placement"), "{err}");
}

#[test]
fn vapp_start_fails_clearly_on_vcsim_and_keeps_the_vm() {
    // vcsim's answer (MethodNotFound) until issue 21's provider tests use
    // vcsim-plus's UpdateVAppConfig.
    let sim = Vcsim::start(&["-without", "UpdateVAppConfig"]);
    let start = "  vapp_start {\n    order       = 2\n    stop_action = \"guestShutdown\"\n  }\n";
    let tf = Tf::new(&config(&sim, "a", start));
    tf.init();
    let err = flat(&tf.fails(&["apply", "-auto-approve", "-no-color"]));
    assert!(err.contains("vApp start settings not supported"), "{err}");
    assert!(err.contains("UpdateVAppConfig"), "{err}");
    // The VM is in state (tainted), so destroy removes it.
    let show = tf.show();
    let vm = show["values"]["root_module"]["resources"]
        .as_array()
        .and_then(|rs| rs.iter().find(|r| r["address"] == "vi_vm.web"))
        .cloned()
        .expect("the VM stays in state");
    assert!(vm["values"]["id"].as_str().is_some_and(|id| id.starts_with("vm-")), "{vm}");
    assert_eq!(vm["tainted"], true, "{vm}");
    let id = vm["values"]["id"].as_str().unwrap_or_default().to_owned();
    tf.destroy();
    assert!(vm_info(&sim, &id).is_none(), "destroyed");
}
