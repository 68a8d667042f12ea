//! `vi_vm` in a vApp against vcsim-plus: `vapp_id` places the VM in the vApp
//! (its resource pool), a change moves it to another vApp or out
//! (MoveIntoResourcePool), the `vapp_start` block is checked at plan,
//! written to the vApp's entity configuration and read back from it, and the
//! vApp's power starts and stops its VMs by those settings.
use crate::harness::terraform::{Tf, provider_block};
use crate::harness::vcsim::Vcsim;
use crate::vi_check::{self, vapp_info, vm_info};

use terraform_provider_vi::vi::MoType;
use terraform_provider_vi::vi::object::vapp_spec::VAppEntityConfigInfo;

fn pool_of(sim: &Vcsim, vm: &str) -> String {
    vm_info(sim, vm).and_then(|i| i.resource_pool).map(|p| p.value).unwrap_or_default()
}

fn power_of(sim: &Vcsim, vm: &str) -> String {
    vm_info(sim, vm).map(|i| i.power_state).unwrap_or_default()
}

/// The VM's entry in the vApp's entity configuration, as vcsim holds it.
fn entity(sim: &Vcsim, vapp: &str, vm: &str) -> Option<VAppEntityConfigInfo> {
    vapp_info(sim, vapp).and_then(|i| i.entity_config_for(&MoType::VirtualMachine.moref(vm)).cloned())
}

/// Terraform wraps messages at 78 columns: compare with spaces collapsed.
fn flat(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// `placement` is `vapp_id = ...` or `resource_pool_id = ...`.
fn config(sim: &Vcsim, placement: &str, start: &str) -> String {
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
  {placement}
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
output "a" {{
  value = vi_vapp.a.id
}}
output "b" {{
  value = vi_vapp.b.id
}}
"#
        )
}

fn out(tf: &Tf, name: &str) -> String {
    tf.outputs()[name].as_str().unwrap_or_default().to_owned()
}

const START: &str = "  vapp_start {\n    order          = 2\n    start_delay    = 30\n    stop_delay     = 45\n    start_action   = \"powerOn\"\n    stop_action    = \"suspend\"\n    wait_for_guest = true\n  }\n";

#[test]
fn vm_joins_a_vapp_moves_to_another_and_leaves() {
    let sim = Vcsim::start(&[]);
    let tf = Tf::new(&config(&sim, "vapp_id      = vi_vapp.a.id", START));
    tf.init_apply_replan();
    let (vm, a, b) = (out(&tf, "vm"), out(&tf, "a"), out(&tf, "b"));
    assert!(a.starts_with("resgroup-v"), "{a}");
    assert_eq!(out(&tf, "pool"), a, "the vApp is the VM's pool");
    assert_eq!(pool_of(&sim, &vm), a);
    // The start settings are in vApp a's entity configuration.
    let e = entity(&sim, &a, &vm).expect("the VM is listed in vApp a");
    assert_eq!((e.start_order, e.start_delay, e.stop_delay), (Some(2), Some(30), Some(45)), "{e:?}");
    assert_eq!((e.start_action.as_deref(), e.stop_action.as_deref()), (Some("powerOn"), Some("suspend")), "{e:?}");
    assert_eq!(e.waiting_for_guest, Some(true), "{e:?}");

    // Changed in place: only the vApp's entity configuration changes.
    let changed = START.replace("order          = 2", "order          = 3").replace("\"suspend\"", "\"powerOff\"");
    let changed = changed.replace("start_action   = \"powerOn\"", "start_action   = \"none\"");
    tf.write_main(&config(&sim, "vapp_id      = vi_vapp.a.id", &changed));
    let plan = tf.ok(&["plan", "-no-color"]);
    assert!(plan.contains("1 to change") && !plan.contains("must be replaced"), "{plan}");
    tf.apply();
    tf.assert_no_changes();
    let e = entity(&sim, &a, &vm).expect("still listed in vApp a");
    assert_eq!(e.start_order, Some(3), "{e:?}");
    assert_eq!((e.start_action.as_deref(), e.stop_action.as_deref()), (Some("none"), Some("powerOff")), "{e:?}");

    // Moved to vApp b, in place (MoveIntoResourcePool): b lists it with the
    // same settings, a no longer does.
    tf.write_main(&config(&sim, "vapp_id      = vi_vapp.b.id", &changed));
    let plan = tf.ok(&["plan", "-no-color"]);
    assert!(plan.contains("~ vapp_id"), "{plan}");
    assert!(!plan.contains("must be replaced"), "a move, not a replacement: {plan}");
    tf.apply();
    tf.assert_no_changes();
    assert_eq!(out(&tf, "vm"), vm, "the same VM");
    assert_eq!(pool_of(&sim, &vm), b, "the VM moved");
    assert_eq!(out(&tf, "pool"), b);
    assert!(entity(&sim, &a, &vm).is_none(), "vApp a still lists the VM");
    let e = entity(&sim, &b, &vm).expect("vApp b lists the VM");
    assert_eq!((e.start_order, e.start_action.as_deref()), (Some(3), Some("none")), "{e:?}");

    // Import finds the vApps and the VM where they are.
    let resources_only = config(&sim, "vapp_id      = vi_vapp.b.id", "");
    let imp = Tf::new(resources_only.split("output \"vm\"").next().unwrap_or_default());
    imp.init();
    imp.ok(&["import", "-no-color", "vi_vapp.a", &a]);
    imp.ok(&["import", "-no-color", "vi_vapp.b", &b]);
    imp.ok(&["import", "-no-color", "vi_vm.web", &vm]);
    imp.assert_no_changes();

    // Out of the vApps, into the cluster's pool.
    let cluster = vi_check::facts(&sim).prop("ClusterComputeResource", "DC0_C0", "resourcePool");
    tf.write_main(&config(&sim, &format!("resource_pool_id = \"{cluster}\""), ""));
    let plan = tf.ok(&["plan", "-no-color"]);
    assert!(!plan.contains("must be replaced"), "{plan}");
    tf.apply();
    tf.assert_no_changes();
    assert_eq!(pool_of(&sim, &vm), cluster);
    assert!(entity(&sim, &b, &vm).is_none(), "vApp b still lists the VM");
    tf.destroy();
    assert!(vm_info(&sim, &vm).is_none());
}

/// Two VMs in a vApp, one started by it and one not (`start_action =
/// "none"`): the vApp's power on and off follow those settings, and each
/// VM's own `power_state` agrees with what the vApp did.
#[test]
fn vapp_power_starts_and_stops_its_vms_by_their_settings() {
    let sim = Vcsim::start(&[]);
    let f = vi_check::facts(&sim);
    let pool = f.prop("ClusterComputeResource", "DC0_C0", "resourcePool");
    let ds = f.id("Datastore", "LocalDS_0");
    let hcl = |vapp_power: &str, web_power: &str| {
        provider_block(&sim.sdk_url(), "")
            + &format!(
                r#"
resource "vi_vapp" "app" {{
  name             = "shop"
  resource_pool_id = "{pool}"
  {vapp_power}
}}
resource "vi_vm" "web" {{
  name         = "web"
  vapp_id      = vi_vapp.app.id
  datastore_id = "{ds}"
  power_state  = "{web_power}"
  vapp_start {{
    order       = 1
    stop_action = "powerOff"
  }}
}}
resource "vi_vm" "batch" {{
  name         = "batch"
  vapp_id      = vi_vapp.app.id
  datastore_id = "{ds}"
  power_state  = "off"
  vapp_start {{
    order        = 2
    start_action = "none"
  }}
}}
output "app" {{ value = vi_vapp.app.id }}
output "web" {{ value = vi_vm.web.id }}
output "batch" {{ value = vi_vm.batch.id }}
"#
            )
    };
    // The vApp's power is left alone until its VMs exist.
    let tf = Tf::new(&hcl("", "off"));
    tf.init_apply_replan();
    let (app, web, batch) = (out(&tf, "app"), out(&tf, "web"), out(&tf, "batch"));
    assert_eq!(vapp_info(&sim, &app).and_then(|i| i.vapp_state), Some("stopped".to_owned()));

    // On: web starts (powerOn), batch does not (none).
    tf.write_main(&hcl("power_state      = \"on\"", "on"));
    tf.apply();
    tf.assert_no_changes();
    assert_eq!(vapp_info(&sim, &app).and_then(|i| i.vapp_state), Some("started".to_owned()));
    assert_eq!((power_of(&sim, &web).as_str(), power_of(&sim, &batch).as_str()), ("poweredOn", "poweredOff"));

    // Off: web stops by its stop action.
    tf.write_main(&hcl("power_state      = \"off\"", "off"));
    tf.apply();
    tf.assert_no_changes();
    assert_eq!(vapp_info(&sim, &app).and_then(|i| i.vapp_state), Some("stopped".to_owned()));
    assert_eq!((power_of(&sim, &web).as_str(), power_of(&sim, &batch).as_str()), ("poweredOff", "poweredOff"));
    tf.destroy();
    assert!(vapp_info(&sim, &app).is_none());
}

#[test]
fn vapp_start_is_checked_at_plan() {
    let sim = Vcsim::start(&[]);
    let bad = "  vapp_start {\n    order        = -1\n    start_action = \"poweron\"\n  }\n";
    let tf = Tf::new(&config(&sim, "vapp_id      = vi_vapp.a.id", bad));
    tf.init();
    let err = flat(&tf.fails(&["plan", "-no-color"]));
    assert!(err.contains("Invalid vApp start setting"), "{err}");
    assert!(err.contains("powerOn"), "the case hint: {err}");
    assert!(err.contains("order"), "{err}");

    // Without a vApp there is nothing to start with.
    let f = vi_check::facts(&sim);
    let pool = f.prop("ComputeResource", "DC0_H0", "resourcePool");
    let no_vapp = config(&sim, &format!("resource_pool_id = \"{pool}\""), "  vapp_start {\n    order = 1\n  }\n");
    tf.write_main(&no_vapp);
    let err = flat(&tf.fails(&["plan", "-no-color"]));
    assert!(err.contains("vapp_start needs a vApp"), "{err}");

    let both = config(&sim, &format!("resource_pool_id = \"{pool}\"\n  vapp_id      = vi_vapp.a.id"), "");
    tf.write_main(&both);
    let err = flat(&tf.fails(&["plan", "-no-color"]));
    assert!(err.contains("Conflicting placement"), "{err}");
}

/// The one test that leaves a vcsim-plus method out (`-without`): a vCenter
/// can refuse UpdateVAppConfig (a user without the vApp configuration
/// privilege, a vApp busy with another task), which vcsim-plus does not
/// model; a left-out method is refused the same way. The apply fails naming
/// the call, and the VM it created stays in state (tainted), not orphaned.
#[test]
fn a_refused_vapp_start_keeps_the_vm_in_state() {
    let sim = Vcsim::start(&["-without", "UpdateVAppConfig"]);
    let start = "  vapp_start {\n    order       = 2\n    stop_action = \"guestShutdown\"\n  }\n";
    let tf = Tf::new(&config(&sim, "vapp_id      = vi_vapp.a.id", start));
    tf.init();
    let err = flat(&tf.fails(&["apply", "-auto-approve", "-no-color"]));
    assert!(err.contains("setting the VM's start and stop settings in its vApp"), "{err}");
    assert!(err.contains("UpdateVAppConfig"), "{err}");
    let show = tf.show();
    let vm = show["values"]["root_module"]["resources"]
        .as_array()
        .and_then(|rs| rs.iter().find(|r| r["address"] == "vi_vm.web"))
        .cloned()
        .expect("the VM stays in state");
    assert!(vm["values"]["id"].as_str().is_some_and(|id| id.starts_with("vm-")), "{vm}");
    assert_eq!(vm["tainted"], true, "{vm}");
    let id = vm["values"]["id"].as_str().unwrap_or_default().to_owned();
    assert!(vm_info(&sim, &id).is_some(), "the VM exists in vcsim");
    tf.destroy();
    assert!(vm_info(&sim, &id).is_none(), "destroyed");
}
