//! Load: 100 VMs with `-parallelism=20`. One login per provider process
//! (Terraform runs plan and apply as separate processes) — no session storm
//! however many resources run at once — and no deadlock: every phase ends
//! within a bound.
use std::time::{Duration, Instant};

use crate::harness::terraform::{Tf, provider_block};
use crate::harness::vcsim::{soap_calls, traced_vcsim};
use crate::vi_check;

const VMS: usize = 100;
/// Generous for a loaded two-core machine; a deadlock never ends at all.
const PHASE_BOUND: Duration = Duration::from_secs(600);

#[test]
fn a_hundred_vms_with_parallelism_twenty_log_in_once_per_process() {
    let dir = tempfile::tempdir().expect("trace dir");
    let (sim, trace) = traced_vcsim(dir.path(), &[]);
    let f = vi_check::facts(&sim);
    let hcl = provider_block(&sim.sdk_url(), "")
        + &format!(
            r#"
resource "vi_vm" "load" {{
  count            = {VMS}
  name             = "load-${{count.index}}"
  resource_pool_id = "{pool}"
  datastore_id     = "{ds}"
  guest_id         = "otherLinux64Guest"
  num_cpus         = 1
  memory           = 32
  power_state      = "off"
}}
"#,
            pool = f.prop("ComputeResource", "DC0_H0", "resourcePool"),
            ds = f.id("Datastore", "LocalDS_0"),
        );
    let tf = Tf::new(&hcl);
    tf.init();

    // Each phase: (logins, connects) it caused, and how long it took.
    let phase = |args: &[&str]| {
        let (l0, c0) = (soap_calls(&trace, "Login"), soap_calls(&trace, "RetrieveServiceContent"));
        let started = Instant::now();
        tf.ok(args);
        let took = started.elapsed();
        let (l, c) = (soap_calls(&trace, "Login") - l0, soap_calls(&trace, "RetrieveServiceContent") - c0);
        assert!(took < PHASE_BOUND, "terraform {args:?} took {took:?}");
        eprintln!("concurrency: terraform {} — {l} login(s), {c} provider connection(s), {took:?}", args.join(" "));
        (l, c)
    };

    let (l, c) = phase(&["plan", "-out=load.tfplan", "-parallelism=20", "-no-color"]);
    assert_eq!(l, c, "plan: re-logins happened ({l} logins, {c} connections)");
    assert!(l <= 1, "plan logged in {l} times");

    let (l, c) = phase(&["apply", "-parallelism=20", "-no-color", "load.tfplan"]);
    assert_eq!((l, c), (1, 1), "apply of a saved plan: one provider process, one login");
    let names: Vec<String> =
        vi_check::vms(&sim).into_iter().map(|(_, n)| n).filter(|n| n.starts_with("load-")).collect();
    assert_eq!(names.len(), VMS, "{names:?}");

    // A refresh of all hundred: still one login, and batched reads.
    let reads = soap_calls(&trace, "RetrievePropertiesEx");
    let (l, _) = phase(&["plan", "-detailed-exitcode", "-parallelism=20", "-no-color"]);
    assert_eq!(l, 1);
    let reads = soap_calls(&trace, "RetrievePropertiesEx") - reads;
    assert!(reads < VMS, "refreshing {VMS} VMs took {reads} RetrievePropertiesEx calls");

    let (l, c) = phase(&["destroy", "-auto-approve", "-parallelism=20", "-no-color"]);
    // Terraform 1.0 destroys in up to three walks (refresh, destroy plan,
    // apply), each with its own provider process: one login per process.
    assert_eq!(l, c, "destroy: re-logins happened ({l} logins, {c} connections)");
    assert!(l <= 3, "destroy logged in {l} times");
    assert!(vi_check::vms(&sim).iter().all(|(_, n)| !n.starts_with("load-")), "VMs left after destroy");
}
