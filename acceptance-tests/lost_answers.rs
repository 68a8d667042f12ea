//! Creates whose answers are lost for good: vcsim frozen (SIGSTOP) while
//! the calls are in flight, or the network cut after vcsim accepted them.
//! The provider cannot learn the outcome during the apply, so it records
//! each object as *pending* (tainted, no id, with what identifies it); once
//! vcsim answers again, the next apply finds every object that was made and
//! replaces it, or creates it when it was not made — never a second copy.
//! Each step is checked in vcsim through the `vi` client, for VMs, vApps
//! and datastore uploads.
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::faults::{
    COUNT, Slot, assert_inventory_matches_state, config, converge, datastore_file, failed_apply, live, pending_vms,
    plain_vcsim, state_attr, tiny_ovf_in, upload_config,
};
use crate::harness::fault_proxy::{Fault, FaultProxy};
use crate::harness::terraform::{Tf, provider_block};
use crate::harness::vcsim::Vcsim;
use crate::vi_check;

/// The provider settings of these tests: a short `api_timeout`, and the
/// sessions kept in `dir` (`persist_session`), so the provider does not log
/// out as it exits. A Logout queued in a frozen vcsim beside the create
/// could be handled first once it thaws, and the create then fail for want
/// of a session: a fine outcome (nothing made, the refresh drops the
/// pending object), but not the one these tests exercise.
fn settings(dir: &std::path::Path) -> String {
    format!("  api_timeout     = \"5s\"\n  persist_session = true\n  session_path    = \"{}\"\n", dir.display())
}

/// A proxy hook that freezes vcsim (`"frozen"`) or cuts the network.
fn freeze_or_cut(sim: &Vcsim, proxy: &FaultProxy, case: &str) -> crate::harness::fault_proxy::Hook {
    if case == "frozen" {
        let freeze = sim.freezer();
        Arc::new(move |_| freeze())
    } else {
        let cutter = proxy.cutter();
        Arc::new(move |_| cutter.cut())
    }
}

/// Waits (bounded) until `done` holds: what vcsim does once thawed or
/// once a delayed task ends takes a moment.
fn eventually(what: &str, mut done: impl FnMut() -> bool) {
    let until = Instant::now() + Duration::from_secs(60);
    while !done() {
        assert!(Instant::now() < until, "{what} did not happen within 60 s");
        std::thread::sleep(Duration::from_millis(500));
    }
}

fn vms_named(sim: &Vcsim, prefix: &str) -> usize {
    vi_check::vms(sim).iter().filter(|(_, n)| n.starts_with(&format!("{prefix}-"))).count()
}

/// The issue's first case: vcsim (answering every call after 200 ms)
/// stops (SIGSTOP) as the last create goes out, while the others wait on
/// their tasks, and is only let go after the apply gave up. VMs whose
/// outcome the provider could not see are pending in state; vcsim then
/// makes the last one too; the next apply replaces each one it finds, and
/// vcsim ends with exactly one VM per resource.
#[test]
fn vm_creates_sent_to_a_frozen_vcsim_are_pending_then_found() {
    let sessions = tempfile::tempdir().expect("session cache dir");
    let (sim, _) = plain_vcsim_with(&["-delay", "200"]);
    let proxy = FaultProxy::start(&sim.addr);
    let tf = Tf::new(&config(&proxy, &sim, "frozen", &settings(sessions.path())));
    tf.init();
    let freeze = sim.freezer();
    proxy.inject("CreateVM_Task", COUNT - 1, 1, Fault::Hook(Arc::new(move |_| freeze())));
    let err = failed_apply(&tf);
    assert!(err.contains("may have been created"), "{err}");
    assert!(err.contains("instance UUID"), "{err}");
    assert!(!err.contains("panic"), "{err}");
    assert_eq!(proxy.calls("CreateVM_Task"), COUNT, "a create was sent twice");
    let pending = pending_vms(&tf);
    assert!(pending >= 1, "no VM recorded as pending:\n{err}");
    sim.thaw();
    // What vcsim took while frozen, it does now.
    eventually("vcsim making the VMs it was sent", || vms_named(&sim, "frozen") == COUNT);
    assert_eq!(assert_inventory_matches_state(&sim, &tf, "frozen"), COUNT);
    let plan = tf.ok(&["plan", "-no-color"]);
    assert!(plan.contains("is tainted, so") && plan.contains("must be replaced"), "{plan}");
    converge(&sim, &proxy, &tf, "frozen");
    eprintln!(
        "lost answers: {COUNT} creates to a frozen vcsim; {pending} pending in state; {COUNT} VMs after re-apply"
    );
    tf.destroy();
    assert_eq!(vms_named(&sim, "frozen"), 0);
}

/// The issue's second case: vcsim accepts every CreateVM_Task (each task
/// takes 4 s), then the network is cut while the provider waits on them.
/// The tasks finish in vcsim; the provider, unable to see them, records
/// every VM pending; with the network back the next apply finds them all.
#[test]
fn vm_creates_accepted_before_a_network_cut_are_pending_then_found() {
    let sessions = tempfile::tempdir().expect("session cache dir");
    let (sim, _) = plain_vcsim_with(&["-method-delay", "CreateVm:4000,LockHandoff:0"]);
    let proxy = FaultProxy::start(&sim.addr);
    let tf = Tf::new(&config(&proxy, &sim, "cut", &settings(sessions.path())));
    tf.init();
    let cutter = proxy.cutter();
    // After the last create was sent: a moment for its answer, then the cut.
    proxy.inject(
        "CreateVM_Task",
        COUNT - 1,
        1,
        Fault::Hook(Arc::new(move |_| {
            let c = cutter.clone();
            std::thread::spawn(move || {
                std::thread::sleep(Duration::from_millis(1500));
                c.cut();
            });
        })),
    );
    let err = failed_apply(&tf);
    assert!(err.contains("may have been created"), "{err}");
    assert_eq!(proxy.calls("CreateVM_Task"), COUNT, "a create was sent twice");
    assert_eq!(pending_vms(&tf), COUNT, "every VM's outcome was unknown:\n{err}");
    eventually("vcsim finishing the accepted tasks", || vms_named(&sim, "cut") == COUNT);
    assert_eq!(assert_inventory_matches_state(&sim, &tf, "cut"), COUNT);
    proxy.cutter().mend();
    converge(&sim, &proxy, &tf, "cut");
    eprintln!("lost answers: {COUNT} tasks accepted before a cut; {COUNT} pending; {COUNT} VMs after re-apply");
    tf.destroy();
    assert_eq!(vms_named(&sim, "cut"), 0);
}

fn plain_vcsim_with(extra: &[&str]) -> (Vcsim, ()) {
    let mut args = vec!["-tls=false"];
    args.extend_from_slice(extra);
    (Vcsim::start(&args), ())
}

fn vapp_config(proxy: &FaultProxy, sim: &Vcsim, name: &str, sessions: &std::path::Path) -> String {
    let pool = vi_check::facts(sim).prop("ClusterComputeResource", "DC0_C0", "resourcePool");
    provider_block(&proxy.sdk_url(), &settings(sessions))
        + &format!(
            "resource \"vi_vapp\" \"app\" {{\n  name             = \"{name}\"\n  resource_pool_id = \"{pool}\"\n}}\n"
        )
}

/// The state's `vi_vapp.app`: its id, or pending.
fn state_vapp(tf: &Tf) -> Option<Slot> {
    let show = tf.show();
    let r = show["values"]["root_module"]["resources"]
        .as_array()
        .and_then(|rs| rs.iter().find(|r| r["type"] == "vi_vapp").cloned())?;
    Some(match r["values"]["id"].as_str() {
        Some(id) => Slot::Id(id.to_owned()),
        None => Slot::Pending(r["values"]["name"].as_str().unwrap_or_default().to_owned()),
    })
}

/// A vApp whose CreateVApp went to a frozen vcsim, then one whose answer
/// was cut off after vcsim made it: both pending, both found by the next
/// apply, one vApp in vcsim each time.
#[test]
fn vapp_creates_whose_answers_are_lost_are_pending_then_found() {
    let sessions = tempfile::tempdir().expect("session cache dir");
    let (sim, _) = plain_vcsim(None);
    let proxy = FaultProxy::start(&sim.addr);

    // Frozen.
    let tf = Tf::new(&vapp_config(&proxy, &sim, "lost-app-frozen", sessions.path()));
    tf.init();
    let freeze = sim.freezer();
    proxy.inject("CreateVApp", 0, 1, Fault::Hook(Arc::new(move |_| freeze())));
    let err = failed_apply(&tf);
    assert!(err.contains("may have been created"), "{err}");
    assert_eq!(state_vapp(&tf), Some(Slot::Pending("lost-app-frozen".into())));
    sim.thaw();
    eventually("vcsim making the vApp", || live(&sim, "VirtualApp", "lost-app-frozen").len() == 1);
    proxy.clear();
    tf.apply();
    tf.assert_no_changes();
    let apps = live(&sim, "VirtualApp", "lost-app-frozen");
    assert_eq!(apps.len(), 1, "{apps:?}");
    assert_eq!(state_vapp(&tf), apps.values().next().map(|id| Slot::Id(id.clone())));

    // The network cut as vcsim answers.
    let tf2 = Tf::new(&vapp_config(&proxy, &sim, "lost-app-cut", sessions.path()));
    tf2.init();
    let cutter = proxy.cutter();
    proxy.inject("CreateVApp", 0, 1, Fault::Hook(Arc::new(move |_| cutter.cut())));
    let err = failed_apply(&tf2);
    assert!(err.contains("may have been created"), "{err}");
    assert_eq!(state_vapp(&tf2), Some(Slot::Pending("lost-app-cut".into())));
    assert_eq!(live(&sim, "VirtualApp", "lost-app-cut").len(), 1, "vcsim made the vApp");
    proxy.cutter().mend();
    tf2.apply();
    tf2.assert_no_changes();
    let apps = live(&sim, "VirtualApp", "lost-app-cut");
    assert_eq!(apps.len(), 1, "{apps:?}");
    assert_eq!(state_vapp(&tf2), apps.values().next().map(|id| Slot::Id(id.clone())));
    eprintln!("lost answers: 2 vApp creates (frozen, cut); 2 pending; 1 vApp each after re-apply");
    tf2.destroy();
    tf.destroy();
    assert!(live(&sim, "VirtualApp", "lost-app-").is_empty());
}

/// A datastore upload whose PUT went to a frozen vcsim, then one whose
/// answer was cut off: both pending in state; once vcsim answers, the next
/// apply finds the file and uploads it again; the state and the datastore
/// agree.
#[test]
fn uploads_whose_answers_are_lost_are_pending_then_found() {
    let sessions = tempfile::tempdir().expect("session cache dir");
    let (sim, _) = plain_vcsim(None);
    let proxy = FaultProxy::start(&sim.addr);
    let files = tempfile::tempdir().expect("source files");
    let blob = files.path().join("blob.bin");
    const SIZE: u64 = 256 * 1024 + 3;
    std::fs::write(&blob, vec![5u8; SIZE as usize]).expect("write blob");
    let ds = vi_check::facts(&sim).id("Datastore", "LocalDS_0");
    let hcl = |path: &str| upload_config(&proxy, &settings(sessions.path()), &blob, &ds, path);
    let size_in_state = |tf: &Tf| state_attr(tf, "id").contains_key("vi_datastore_upload.file");

    for (case, path) in [("frozen", "lost/frozen.bin"), ("cut", "lost/cut.bin")] {
        let tf = Tf::new(&hcl(path));
        tf.init();
        match case {
            "frozen" => {
                let freeze = sim.freezer();
                proxy.inject_persistent("PUT /folder", 0, 1, Fault::Hook(Arc::new(move |_| freeze())))
            }
            _ => {
                let cutter = proxy.cutter();
                proxy.inject_persistent("PUT /folder", 0, 1, Fault::Hook(Arc::new(move |_| cutter.cut())));
            }
        }
        let err = failed_apply(&tf);
        assert!(err.contains("may have been written"), "{case}: {err}");
        assert!(size_in_state(&tf), "{case}: the upload is not in state");
        if case == "frozen" {
            sim.thaw();
        }
        proxy.cutter().mend();
        eventually("vcsim writing the file", || datastore_file(&sim, path) == Some(SIZE));
        let plan = tf.ok(&["plan", "-no-color"]);
        assert!(plan.contains("is tainted, so") && plan.contains("must be replaced"), "{case}: {plan}");
        proxy.clear();
        tf.apply();
        tf.assert_no_changes();
        assert_eq!(datastore_file(&sim, path), Some(SIZE), "{case}");
        let show = tf.show();
        let size = show["values"]["root_module"]["resources"][0]["values"]["size"].as_u64();
        assert_eq!(size, Some(SIZE), "{case}: the state's size");
        tf.destroy();
        assert_eq!(datastore_file(&sim, path), None, "{case}");
    }
    eprintln!("lost answers: 2 uploads (frozen, cut); both pending, then found and replaced");
}

/// A snapshot whose CreateSnapshot_Task went to a frozen vcsim, then one
/// whose answer was cut off: both pending (no id, tainted), both found by
/// the next apply and taken again, never two of a name in vcsim.
#[test]
fn snapshots_whose_answers_are_lost_are_pending_then_found() {
    let sessions = tempfile::tempdir().expect("session cache dir");
    use crate::vm_snapshot::snapshot_names;
    use terraform_provider_vi::vi::ManagedObjectReference;
    let (sim, _) = plain_vcsim(None);
    let proxy = FaultProxy::start(&sim.addr);
    let vm = vi_check::facts(&sim).id("VirtualMachine", "DC0_H0_VM0");
    let (rt, c) = vi_check::client(&sim);
    rt.block_on(c.vm(&ManagedObjectReference::new("VirtualMachine", vm.clone())).power_off(None)).expect("power off");
    let hcl = |name: &str| {
        provider_block(&proxy.sdk_url(), &settings(sessions.path()))
            + &format!("resource \"vi_vm_snapshot\" \"s\" {{\n  vm_id = \"{vm}\"\n  name  = \"{name}\"\n}}\n")
    };
    let state_id = |tf: &Tf| -> Option<Option<String>> {
        let show = tf.show();
        let r = show["values"]["root_module"]["resources"].as_array()?.first()?.clone();
        Some(r["values"]["id"].as_str().map(str::to_owned))
    };
    let count = |name: &str| snapshot_names(&sim, &vm).iter().filter(|n| *n == name).count();
    for case in ["frozen", "cut"] {
        let name = format!("lost-{case}");
        let tf = Tf::new(&hcl(&name));
        tf.init();
        let hook = freeze_or_cut(&sim, &proxy, case);
        proxy.inject("CreateSnapshot_Task", 0, 1, Fault::Hook(hook));
        let err = failed_apply(&tf);
        assert!(err.contains("may have been taken"), "{case}: {err}");
        assert_eq!(state_id(&tf), Some(None), "{case}: the snapshot is not pending in state");
        if case == "frozen" {
            sim.thaw();
        }
        proxy.cutter().mend();
        eventually("vcsim taking the snapshot", || count(&name) == 1);
        proxy.clear();
        let plan = tf.ok(&["plan", "-no-color"]);
        assert!(plan.contains("is tainted, so") && plan.contains("must be replaced"), "{case}: {plan}");
        tf.apply();
        tf.assert_no_changes();
        assert_eq!(count(&name), 1, "{case}: {:?}", snapshot_names(&sim, &vm));
        assert!(matches!(state_id(&tf), Some(Some(_))), "{case}");
        tf.destroy();
        assert_eq!(count(&name), 0, "{case}");
    }
    eprintln!("lost answers: 2 snapshots (frozen, cut); both pending, then found and taken again");
}

/// A catalog whose create went to a frozen vcsim, then a catalog item
/// whose create was cut off after vcsim made it: each pending in state,
/// each found by the next apply and made again, one of each in vcsim.
#[test]
fn catalogs_and_items_whose_answers_are_lost_are_pending_then_found() {
    let sessions = tempfile::tempdir().expect("session cache dir");
    use crate::faults::libraries;
    let (sim, _) = plain_vcsim(None);
    let proxy = FaultProxy::start(&sim.addr);
    let files = tempfile::tempdir().expect("source files");
    let ovf = tiny_ovf_in(files.path());
    let ds = vi_check::facts(&sim).id("Datastore", "LocalDS_0");
    let hcl = |case: &str| {
        provider_block(&proxy.sdk_url(), &settings(sessions.path()))
            + &format!(
                r#"
resource "vi_catalog" "cat" {{
  name         = "lost-cat-{case}"
  datastore_id = "{ds}"
}}
resource "vi_catalog_item" "item" {{
  catalog_id  = vi_catalog.cat.id
  name        = "lost-item-{case}"
  source_file = "{ovf}"
}}
"#,
                ovf = ovf.display()
            )
    };
    for (case, call) in [
        ("frozen", "POST /rest/com/vmware/content/local-library"),
        ("cut", "POST /rest/com/vmware/content/library/item"),
    ] {
        let tf = Tf::new(&hcl(case));
        tf.init();
        let hook = freeze_or_cut(&sim, &proxy, case);
        proxy.inject(call, 0, 1, Fault::Hook(hook));
        let err = failed_apply(&tf);
        assert!(err.contains("may have been created"), "{case}: {err}");
        let ids = state_attr(&tf, "id");
        let pending = if case == "frozen" { "vi_catalog.cat" } else { "vi_catalog_item.item" };
        assert_eq!(ids.get(pending).map(String::as_str), Some(""), "{case}: {pending} is not pending: {ids:?}");
        if case == "frozen" {
            sim.thaw();
        }
        proxy.cutter().mend();
        let prefix = format!("lost-cat-{case}");
        let made = |libs: &std::collections::BTreeMap<String, String>,
                    items: &std::collections::BTreeMap<String, String>| {
            if case == "frozen" { libs.len() == 1 } else { libs.len() == 1 && items.len() == 1 }
        };
        eventually("vcsim making what it was asked", || {
            let (libs, items) = libraries(&sim, &prefix);
            made(&libs, &items)
        });
        proxy.clear();
        tf.apply();
        tf.assert_no_changes();
        let (libs, items) = libraries(&sim, &prefix);
        let ids = state_attr(&tf, "id");
        assert_eq!(libs.values().collect::<Vec<_>>(), vec![&ids["vi_catalog.cat"]], "{case}");
        assert_eq!(items.values().collect::<Vec<_>>(), vec![&ids["vi_catalog_item.item"]], "{case}");
        tf.destroy();
        let (libs, _) = libraries(&sim, &prefix);
        assert!(libs.is_empty(), "{case}: {libs:?}");
    }
    eprintln!("lost answers: a catalog (frozen) and a catalog item (cut); both pending, then found and made again");
}

/// A vTPM whose ReconfigVM_Task answer was cut off after vcsim took it.
/// A VM holds one vTPM at most, and replacing one would discard its keys:
/// the apply ends with a warning and the state keeps the vTPM (by its VM,
/// untainted); the next refresh reads it from vcsim, and a re-apply has
/// nothing to do. Where the add never reached vcsim, the refresh drops it
/// and the next apply adds it.
#[test]
fn a_vtpm_whose_answer_was_lost_is_kept_by_its_vm() {
    let sessions = tempfile::tempdir().expect("session cache dir");
    use crate::vtpm::{outside_vm, register_key_provider, tpm_of};
    let (sim, _) = plain_vcsim_with(crate::vtpm::VC7);
    register_key_provider(&sim, "kp-lost", true);
    let proxy = FaultProxy::start(&sim.addr);
    for (case, fault_after) in [("taken", true), ("never sent", false)] {
        let vm = outside_vm(&sim, &format!("lost-tpm-{}", case.len()), "efi", false);
        let tf = Tf::new(
            &(provider_block(&proxy.sdk_url(), &settings(sessions.path()))
                + &format!("resource \"vi_vtpm\" \"t\" {{\n  vm_id = \"{vm}\"\n}}\n")),
        );
        tf.init();
        let cutter = proxy.cutter();
        let fault = if fault_after { Fault::Hook(Arc::new(move |_| cutter.cut())) } else { Fault::DropRequest };
        proxy.inject_persistent("ReconfigVM_Task", 0, 1, fault);
        let out = tf.ok(&["apply", "-auto-approve", "-no-color"]);
        let out = out.split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(out.contains("may not have been added"), "{case}: {out}");
        let show = tf.show();
        let kept = &show["values"]["root_module"]["resources"][0]["values"];
        assert_eq!(kept["vm_id"].as_str(), Some(vm.as_str()), "{case}: the vTPM is not kept in state: {show}");
        proxy.cutter().mend();
        proxy.clear();
        if fault_after {
            eventually("vcsim adding the vTPM", || tpm_of(&sim, &vm).is_some());
            tf.assert_no_changes();
        } else {
            assert!(tpm_of(&sim, &vm).is_none(), "{case}: vcsim never saw the add");
            let plan = tf.ok(&["plan", "-no-color"]);
            assert!(plan.contains("will be created"), "{case}: {plan}");
            tf.apply();
            tf.assert_no_changes();
        }
        assert!(tpm_of(&sim, &vm).is_some(), "{case}: the VM has its vTPM");
        tf.destroy();
        assert!(tpm_of(&sim, &vm).is_none(), "{case}: destroy removed the vTPM");
    }
    eprintln!("lost answers: 2 vTPM adds (answer cut; never sent) kept by their VM; refresh settled both");
}

/// A vApp property whose ReconfigVM_Task answer was cut off after vcsim
/// took it: recorded (by target and key, untainted) with a warning; the
/// next refresh finds it in vcsim and a re-apply has nothing to do.
#[test]
fn a_vapp_property_whose_answer_was_lost_is_kept_by_its_key() {
    let sessions = tempfile::tempdir().expect("session cache dir");
    use crate::vtpm::outside_vm;
    let (sim, _) = plain_vcsim(None);
    let vm = outside_vm(&sim, "lost-prop", "bios", false);
    let proxy = FaultProxy::start(&sim.addr);
    let tf = Tf::new(
        &(provider_block(&proxy.sdk_url(), &settings(sessions.path()))
            + &format!(
                "resource \"vi_vapp_property\" \"p\" {{\n  target_id   = \"{vm}\"\n  key         = 7\n  property_id = \"port\"\n  type        = \"int(1..65535)\"\n  value       = \"8080\"\n}}\n"
            )),
    );
    tf.init();
    let cutter = proxy.cutter();
    proxy.inject_persistent("ReconfigVM_Task", 0, 1, Fault::Hook(Arc::new(move |_| cutter.cut())));
    let out = tf.ok(&["apply", "-auto-approve", "-no-color"]);
    let out = out.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(out.contains("may not have been added"), "{out}");
    assert_eq!(state_attr(&tf, "id").get("vi_vapp_property.p").map(String::as_str), Some(format!("{vm}:7").as_str()));
    proxy.cutter().mend();
    proxy.clear();
    let live = || {
        let (rt, c) = vi_check::client(&sim);
        let vm_ref = terraform_provider_vi::vi::ManagedObjectReference::new("VirtualMachine", vm.clone());
        let o = rt.block_on(c.retrieve(std::slice::from_ref(&vm_ref), &["config.vAppConfig"])).expect("read VM");
        let opts = o.first().map(terraform_provider_vi::vi::object::vapp_config::VAppOptions::from_content);
        opts.and_then(|o| o.property(7).map(|p| (p.id.clone(), p.value.clone())))
    };
    eventually("vcsim adding the property", || live().is_some());
    tf.assert_no_changes();
    assert_eq!(live(), Some((Some("port".to_owned()), Some("8080".to_owned()))));
    tf.destroy();
    assert_eq!(live(), None);
    eprintln!("lost answers: a vApp property add whose answer was cut; kept by its key; refresh found it");
}
