//! Waiting for tasks: a quick look where tasks end at once, else one
//! shared WaitForUpdatesEx long-poll; the calls a create and a destroy
//! cost, counted in vcsim's trace, with power operations that take their
//! time (`-method-delay`, which delays the tasks, not the calls' answers);
//! and the fall-back to polling when the server cannot long-poll (a proxy
//! refuses every CreateFilter), which still creates and destroys
//! everything once.
use crate::faults::config;
use crate::harness::fault_proxy::{Fault, FaultProxy};
use crate::harness::terraform::{Tf, provider_block};
use crate::harness::vcsim::{soap_calls, traced_vcsim};
use crate::vi_check;

const VMS: usize = 6;

#[test]
fn tasks_are_watched_by_one_long_poll_and_lookups_are_made_once() {
    let dir = tempfile::tempdir().expect("trace dir");
    // Power-on and power-off tasks take 300 ms: too long for a quick look.
    let (sim, trace) = traced_vcsim(dir.path(), &["-method-delay", "PowerOn:300,PowerOff:300"]);
    let f = vi_check::facts(&sim);
    let pool = f.prop("ComputeResource", "DC0_H0", "resourcePool");
    let ds = f.id("Datastore", "LocalDS_0");
    let net = f.id("Network", "VM Network");
    let tf = Tf::new(&format!(
        r#"{provider}
resource "vi_vm" "w" {{
  count            = {VMS}
  name             = "watch-${{count.index}}"
  resource_pool_id = "{pool}"
  datastore_id     = "{ds}"
  guest_id         = "otherLinux64Guest"
  memory           = 64
  disk {{
    label = "os"
    size  = 1
  }}
  network_interface {{
    network_id = "{net}"
  }}
}}
"#,
        provider = provider_block(&sim.sdk_url(), ""),
    ));
    tf.init();
    let calls = |m: &str| soap_calls(&trace, m);
    let (before, views, filters) = (calls("RetrievePropertiesEx"), calls("CreateContainerView"), calls("CreateFilter"));
    tf.ok(&["apply", "-auto-approve", "-no-color", "-parallelism=1"]);
    assert_eq!(vi_check::vms(&sim).iter().filter(|(_, n)| n.starts_with("watch-")).count(), VMS);
    // No view per VM: the datacenter, folder, datastore name and network
    // backing are looked up once per process (plan and apply are two).
    let views = calls("CreateContainerView") - views;
    assert!(views <= 2, "{views} container views for {VMS} creates");
    // One collector and filter per process, and about one long-poll
    // answer per power-on (the creates end within a quick look).
    let filters = calls("CreateFilter") - filters;
    assert!(filters <= 2, "{filters} filters");
    let waits = calls("WaitForUpdatesEx");
    assert!((VMS..=4 * VMS + 2).contains(&waits), "{waits} long-polls for {VMS} power-ons");
    // No task is polled (that is 5 to 10 reads a task): the reads are the
    // plan's checks (made once), the lookups, a read-back per VM, and at
    // most two quick looks per task (fewer once they stop paying; on a
    // loaded machine the creates' may miss too).
    let reads = calls("RetrievePropertiesEx") - before;
    assert!(reads <= 5 * VMS + 20, "{reads} reads for {VMS} VMs");
    tf.assert_no_changes();

    let before_destroy = calls("RetrievePropertiesEx");
    tf.destroy();
    assert_eq!(vi_check::vms(&sim).iter().filter(|(_, n)| n.starts_with("watch-")).count(), 0);
    // The refresh's reads, and the quick looks at the destroys: no read
    // of the VM before its destroy, no polling of the power-offs.
    let reads = calls("RetrievePropertiesEx") - before_destroy;
    assert!(reads <= 2 * VMS + 8, "{reads} reads to destroy {VMS} VMs");
    assert_eq!(calls("PowerOffVM_Task"), VMS);
    assert_eq!(calls("Destroy_Task"), VMS);
}

#[test]
fn without_a_long_poll_tasks_are_polled_and_nothing_is_lost() {
    let (sim, _) = crate::faults::plain_vcsim(None);
    let proxy = FaultProxy::start(&sim.addr);
    let tf = Tf::new(&config(&proxy, &sim, "poll", ""));
    tf.init();
    // A server that refuses the filter: every waiter polls instead.
    proxy.inject_persistent("CreateFilter", 0, 1000, Fault::Unavailable);
    let out = tf.apply();
    assert!(out.contains(&format!("{} added", crate::faults::COUNT)), "{out}");
    assert!(proxy.calls("WaitForUpdatesEx") == 0, "a long-poll without a filter");
    assert_eq!(proxy.calls("CreateVM_Task"), crate::faults::COUNT, "a create was sent twice");
    assert_eq!(crate::faults::assert_inventory_matches_state(&sim, &tf, "poll"), crate::faults::COUNT);
    tf.assert_no_changes();
    tf.destroy();
    assert_eq!(crate::faults::assert_inventory_matches_state(&sim, &tf, "poll"), 0);
}
