//! The provider under network faults: a fault-injecting proxy between
//! Terraform's provider and a plain-HTTP vcsim drops connections, answers
//! 503, delays calls past `api_timeout`, and ends the session mid-apply.
//! After every faulted run vcsim's inventory is compared with the state:
//! every VM that exists is in state, none twice, and the next apply
//! converges to a no-change plan.
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::harness::fault_proxy::{Fault, FaultProxy};
use crate::harness::terraform::{Tf, provider_block};
use crate::harness::vcsim::{Vcsim, soap_calls, traced_vcsim};
use crate::vi_check;

/// VMs the fault tests create, named `<prefix>-<n>`.
pub(crate) const COUNT: usize = 5;

pub(crate) fn plain_vcsim(trace_dir: Option<&std::path::Path>) -> (Vcsim, Option<std::path::PathBuf>) {
    match trace_dir {
        Some(dir) => {
            let (sim, trace) = traced_vcsim(dir, &["-tls=false"]);
            (sim, Some(trace))
        }
        None => (Vcsim::start(&["-tls=false"]), None),
    }
}

pub(crate) fn config(proxy: &FaultProxy, sim: &Vcsim, prefix: &str, extra_provider: &str) -> String {
    let f = vi_check::facts(sim);
    let pool = f.prop("ComputeResource", "DC0_H0", "resourcePool");
    let ds = f.id("Datastore", "LocalDS_0");
    provider_block(&proxy.sdk_url(), extra_provider)
        + &format!(
            r#"
resource "vi_vm" "f" {{
  count            = {COUNT}
  name             = "{prefix}-${{count.index}}"
  resource_pool_id = "{pool}"
  datastore_id     = "{ds}"
  guest_id         = "otherLinux64Guest"
  num_cpus         = 1
  memory           = 64
  power_state      = "off"
}}
"#
        )
}

/// The `vi_vm` resources in the state, by name: the id, or for a VM whose
/// create lost its answer (pending, no id yet) its instance UUID.
pub(crate) fn state_vms(tf: &Tf) -> BTreeMap<String, Slot> {
    let show = tf.show();
    let mut out = BTreeMap::new();
    for r in show["values"]["root_module"]["resources"].as_array().cloned().unwrap_or_default() {
        if r["type"] == "vi_vm" {
            let v = &r["values"];
            let slot = match v["id"].as_str() {
                Some(id) => Slot::Id(id.to_owned()),
                None => Slot::Pending(v["instance_uuid"].as_str().unwrap_or_default().to_owned()),
            };
            out.insert(v["name"].as_str().unwrap_or_default().to_owned(), slot);
        }
    }
    out
}

/// How the state holds an object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Slot {
    Id(String),
    /// No id: its create lost its answer; what identifies it instead.
    Pending(String),
}

/// vcsim and the state agree: every `<prefix>-*` VM in vcsim is in state,
/// under its own id or pending under its own instance UUID; none exists
/// twice; and every id in the state is a VM vcsim holds. (A pending entry
/// may stand for a VM that was never made: the next refresh drops it.)
/// Returns how many VMs there are.
pub(crate) fn assert_inventory_matches_state(sim: &Vcsim, tf: &Tf, prefix: &str) -> usize {
    let mut live = BTreeMap::new();
    for (id, name, uuid) in vi_check::vms_with_instance_uuid(sim) {
        if name.starts_with(&format!("{prefix}-")) {
            assert!(live.insert(name.clone(), (id, uuid)).is_none(), "VM {name} exists twice in vcsim");
        }
    }
    let state = state_vms(tf);
    for (name, (id, uuid)) in &live {
        match state.get(name) {
            Some(Slot::Id(sid)) => assert_eq!(sid, id, "VM {name}: vcsim's id vs the state's"),
            Some(Slot::Pending(suuid)) => assert_eq!(suuid, uuid, "VM {name}: vcsim's instance UUID vs the state's"),
            None => panic!("VM {name} ({id}) exists in vcsim but not in the state: orphaned\nstate: {state:?}"),
        }
    }
    for (name, slot) in &state {
        if let Slot::Id(id) = slot {
            assert_eq!(live.get(name).map(|(i, _)| i), Some(id), "the state holds {name} = {id}, vcsim does not");
        }
    }
    live.len()
}

/// How many `vi_vm`s the state holds as pending (their create lost its answer).
pub(crate) fn pending_vms(tf: &Tf) -> usize {
    state_vms(tf).values().filter(|s| matches!(s, Slot::Pending(_))).count()
}

pub(crate) fn converge(sim: &Vcsim, proxy: &FaultProxy, tf: &Tf, prefix: &str) {
    proxy.clear();
    tf.apply();
    tf.assert_no_changes();
    assert_eq!(assert_inventory_matches_state(sim, tf, prefix), COUNT);
    assert_eq!(pending_vms(tf), 0, "a VM is still pending after a clean apply");
}

/// Faults on reads are absorbed by retries: the apply succeeds, with
/// every VM created exactly once.
#[test]
fn faulted_reads_are_retried_and_nothing_is_duplicated() {
    let (sim, _) = plain_vcsim(None);
    let proxy = FaultProxy::start(&sim.addr);
    let tf = Tf::new(&config(&proxy, &sim, "rd", ""));
    tf.init();
    // No request is faulted more than three times (the proxy's cap), so
    // every call's fourth send gets through.
    proxy.inject("RetrievePropertiesEx", 2, 3, Fault::Unavailable);
    proxy.inject("RetrievePropertiesEx", 5, 2, Fault::DropRequest);
    proxy.inject("RetrievePropertiesEx", 5, 2, Fault::DropResponse);
    proxy.inject("RetrievePropertiesEx", 5, 1, Fault::Delay(Duration::from_secs(4)));
    // The long-poll every task waiter shares.
    proxy.inject("WaitForUpdatesEx", 1, 1, Fault::Unavailable);
    proxy.inject("WaitForUpdatesEx", 3, 1, Fault::DropResponse);
    proxy.inject("CreateContainerView", 0, 2, Fault::DropRequest);
    proxy.inject("FindByInventoryPath", 0, 1, Fault::Unavailable);
    proxy.inject("RetrieveServiceContent", 0, 1, Fault::Unavailable);
    proxy.inject("Login", 0, 1, Fault::DropRequest);
    let out = tf.apply();
    assert!(out.contains(&format!("{COUNT} added")), "{out}");
    let injected = proxy.injected();
    assert!(injected >= 10, "only {injected} faults were injected");
    assert_eq!(proxy.calls("CreateVM_Task"), COUNT, "a create was sent twice");
    assert_eq!(assert_inventory_matches_state(&sim, &tf, "rd"), COUNT);
    converge(&sim, &proxy, &tf, "rd");
    eprintln!("faults: {injected} injected on reads; apply succeeded");
    tf.destroy();
    assert_eq!(assert_inventory_matches_state(&sim, &tf, "rd"), 0);
}

/// A 503 or a dropped request on CreateVM_Task is not retried: a clear
/// diagnostic, the VMs that were made are in state, and the next apply
/// makes the missing one.
#[test]
fn faulted_task_calls_are_not_resent() {
    let dir = tempfile::tempdir().expect("trace dir");
    let (sim, trace) = plain_vcsim(Some(dir.path()));
    let trace = trace.expect("trace file");
    let proxy = FaultProxy::start(&sim.addr);
    let tf = Tf::new(&config(&proxy, &sim, "tk", "  api_timeout = \"20s\"\n"));
    tf.init();

    proxy.inject("CreateVM_Task", 2, 1, Fault::Unavailable);
    let err = tf.fails(&["apply", "-auto-approve", "-no-color"]);
    assert!(err.contains("creating the VM") && err.contains("HTTP 503"), "{err}");
    assert_eq!(soap_calls(&trace, "CreateVM_Task"), COUNT - 1, "the refused create reached vcsim");
    assert_eq!(proxy.calls("CreateVM_Task"), COUNT, "the refused create was sent again");
    assert_eq!(assert_inventory_matches_state(&sim, &tf, "tk"), COUNT - 1);
    // A 503 may come from a gateway after vCenter took the call: the VM is
    // kept pending, and the next refresh finds there is none.
    assert_eq!(pending_vms(&tf), 1, "the create that got a 503 is not recorded as pending");
    converge(&sim, &proxy, &tf, "tk");

    // The connection dropped before the call reached vcsim.
    let tf2 = Tf::new(&config(&proxy, &sim, "tk2", "  api_timeout = \"20s\"\n"));
    tf2.init();
    let before = proxy.calls("CreateVM_Task");
    proxy.inject("CreateVM_Task", 1, 1, Fault::DropRequest);
    let err = tf2.fails(&["apply", "-auto-approve", "-no-color"]);
    assert!(err.contains("creating the VM"), "{err}");
    assert_eq!(proxy.calls("CreateVM_Task") - before, COUNT, "the dropped create was sent again");
    assert_eq!(assert_inventory_matches_state(&sim, &tf2, "tk2"), COUNT - 1);
    assert_eq!(pending_vms(&tf2), 1, "the dropped create is not recorded as pending");
    converge(&sim, &proxy, &tf2, "tk2");
    eprintln!("faults: {} injected on task calls", proxy.injected());
    tf2.destroy();
    tf.destroy();
}

/// vCenter answering 503 to every read from some point of an apply on, in
/// the middle of the creates (task waits are reads): each read is retried,
/// then the apply stops with a diagnostic naming the status and the
/// attempts; every VM that exists by then is in state, and the next apply,
/// the fault gone, converges.
#[test]
fn a_503_that_persists_mid_apply_is_a_clear_diagnostic_and_loses_nothing() {
    let (sim, _) = plain_vcsim(None);
    let proxy = FaultProxy::start(&sim.addr);
    let tf = Tf::new(&config(&proxy, &sim, "busy", "  api_timeout = \"20s\"\n"));
    tf.init();
    // From the second create on, every read is refused.
    let rules = proxy.rules();
    proxy.inject(
        "CreateVM_Task",
        1,
        1,
        Fault::Hook(Arc::new(move |_| {
            rules.inject_persistent("RetrievePropertiesEx", 0, usize::MAX, Fault::Unavailable);
        })),
    );
    let err = tf.fails(&["apply", "-auto-approve", "-no-color"]);
    let err = err.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(err.contains("HTTP 503"), "{err}");
    assert!(err.contains("4 attempts"), "{err}");
    assert!(!err.contains("panic"), "{err}");
    let creates = proxy.calls("CreateVM_Task");
    assert!(creates >= 2, "the fault began before the second create");
    assert!(proxy.injected() >= 5, "{} faults", proxy.injected());
    let kept = assert_inventory_matches_state(&sim, &tf, "busy");
    assert!(kept <= creates, "{kept} VMs from {creates} creates");
    eprintln!("faults: {} persistent 503s; {creates} creates sent, {kept} VMs kept in state", proxy.injected());
    converge(&sim, &proxy, &tf, "busy");
    tf.destroy();
    assert_eq!(assert_inventory_matches_state(&sim, &tf, "busy"), 0);
}

/// The answer to CreateVM_Task is lost after vcsim ran it: the VM exists
/// without Terraform having been told its id. The provider finds it by the
/// instance UUID it chose, records it (tainted), and the next apply
/// replaces it.
#[test]
fn a_create_whose_answer_was_lost_is_recorded_not_orphaned() {
    let (sim, _) = plain_vcsim(None);
    let proxy = FaultProxy::start(&sim.addr);
    let tf = Tf::new(&config(&proxy, &sim, "lost", ""));
    tf.init();
    proxy.inject("CreateVM_Task", 1, 1, Fault::DropResponse);
    let err = tf.fails(&["apply", "-auto-approve", "-no-color"]);
    assert!(err.contains("created although the call failed"), "{err}");
    assert_eq!(proxy.calls("CreateVM_Task"), COUNT, "the lost create was sent again");
    // All five exist, all five are in state: nothing orphaned.
    assert_eq!(assert_inventory_matches_state(&sim, &tf, "lost"), COUNT);
    let plan = tf.ok(&["plan", "-no-color"]);
    // Terraform: "is tainted, so must be replaced"; OpenTofu: "… so it must …".
    assert!(plan.contains("is tainted, so") && plan.contains("must be replaced"), "{plan}");
    converge(&sim, &proxy, &tf, "lost");

    // The answer to a Destroy_Task is lost after vcsim ran it: the VM is
    // gone, so the destroy counts as done.
    proxy.inject("Destroy_Task", 2, 1, Fault::DropResponse);
    tf.destroy();
    assert_eq!(proxy.calls("Destroy_Task"), COUNT + 1, "{} Destroy_Task calls", proxy.calls("Destroy_Task"));
    assert_eq!(assert_inventory_matches_state(&sim, &tf, "lost"), 0);
}

/// Another client ends the provider's session in the middle of the apply:
/// the provider logs in again once and the apply succeeds.
#[test]
fn a_session_ended_mid_apply_logs_in_again_once() {
    let dir = tempfile::tempdir().expect("trace dir");
    let (sim, trace) = plain_vcsim(Some(dir.path()));
    let trace = trace.expect("trace file");
    let proxy = FaultProxy::start(&sim.addr);
    let tf = Tf::new(&config(&proxy, &sim, "sess", ""));
    tf.init();

    let admin = Arc::new(Mutex::new(vi_check::client(&sim)));
    let ended = Arc::new(Mutex::new(Vec::<String>::new()));
    let (a, e) = (admin.clone(), ended.clone());
    proxy.inject(
        "CreateVM_Task",
        2,
        1,
        Fault::Hook(Arc::new(move |key: &str| {
            let guard = a.lock().expect("admin client");
            let (rt, c) = &*guard;
            let args = format!("<sessionId>{key}</sessionId>");
            rt.block_on(c.invoke("TerminateSession", &c.service_content().session_manager, &args))
                .expect("TerminateSession");
            e.lock().expect("ended").push(key.to_owned());
        })),
    );
    let logins_before = soap_calls(&trace, "Login");
    let connects_before = soap_calls(&trace, "RetrieveServiceContent");
    tf.apply();
    assert_eq!(ended.lock().expect("ended").len(), 1, "the session was not ended");
    // One login per provider process (each connects once), plus exactly one
    // re-login after the session was ended.
    let logins = soap_calls(&trace, "Login") - logins_before;
    let connects = soap_calls(&trace, "RetrieveServiceContent") - connects_before;
    assert_eq!(logins, connects + 1, "{logins} logins for {connects} provider processes");
    assert_eq!(assert_inventory_matches_state(&sim, &tf, "sess"), COUNT);
    converge(&sim, &proxy, &tf, "sess");
    tf.destroy();
}

/// Calls slower than `api_timeout`: once is absorbed by a retry; always
/// becomes a diagnostic that names the timeout.
#[test]
fn calls_slower_than_api_timeout() {
    let (sim, _) = plain_vcsim(None);
    let proxy = FaultProxy::start(&sim.addr);
    let hcl = config(&proxy, &sim, "slow", "  api_timeout = \"2s\"\n")
        + "\ndata \"vi_datacenter\" \"dc\" {\n  name = \"DC0\"\n}\n";
    let tf = Tf::new(&hcl);
    tf.init();

    // Persistently slow reads: plan fails clearly, naming the timeout.
    proxy.inject_persistent("RetrievePropertiesEx", 0, 1000, Fault::Delay(Duration::from_secs(3)));
    proxy.inject_persistent("FindByInventoryPath", 0, 1000, Fault::Delay(Duration::from_secs(3)));
    let err = tf.fails(&["plan", "-no-color"]);
    // Terraform wraps long lines.
    let err = err.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(err.contains("timed out after 2s"), "{err}");
    assert!(err.contains("api_timeout"), "{err}");
    assert!(err.contains("sent 4 times"), "{err}");
    assert!(!err.contains("panic"), "{err}");
    assert_eq!(assert_inventory_matches_state(&sim, &tf, "slow"), 0);

    // Slow once: retried, the apply succeeds.
    proxy.clear();
    proxy.inject("RetrievePropertiesEx", 3, 1, Fault::Delay(Duration::from_secs(3)));
    tf.apply();
    assert_eq!(assert_inventory_matches_state(&sim, &tf, "slow"), COUNT);
    converge(&sim, &proxy, &tf, "slow");
    eprintln!("faults: {} delays injected", proxy.injected());
    tf.destroy();
}

/// Names of the objects of `kind` in vcsim that start with `prefix`, with
/// their ids.
pub(crate) fn live(sim: &Vcsim, kind: &str, prefix: &str) -> BTreeMap<String, String> {
    let (rt, c) = vi_check::client(sim);
    let root = c.service_content().root_folder.clone();
    let objs = rt.block_on(c.list_by_type(&root, kind, &["name"])).expect("list inventory");
    let _ = rt.block_on(c.logout());
    let mut out = BTreeMap::new();
    for o in objs {
        let name = o.str("name").unwrap_or_default().to_owned();
        if name.starts_with(prefix) {
            assert!(out.insert(name.clone(), o.obj.value.clone()).is_none(), "{kind} {name} exists twice");
        }
    }
    out
}

/// (library names → ids, item names → ids) in vcsim's content libraries.
pub(crate) fn libraries(sim: &Vcsim, prefix: &str) -> (BTreeMap<String, String>, BTreeMap<String, String>) {
    use terraform_provider_vi::vi::LibraryClient;
    let (rt, c) = vi_check::client(sim);
    rt.block_on(async {
        let lib = LibraryClient::connect(&c).await.expect("vAPI login");
        let (mut libs, mut items) = (BTreeMap::new(), BTreeMap::new());
        for id in lib.list_libraries().await.expect("libraries") {
            let name = lib.get_library(&id).await.expect("library").and_then(|l| l.name).unwrap_or_default();
            if !name.starts_with(prefix) {
                continue;
            }
            for item in lib.list_items(&id).await.expect("items") {
                let n = lib.get_item(&item).await.expect("item").and_then(|i| i.name).unwrap_or_default();
                assert!(items.insert(n.clone(), item).is_none(), "item {n} exists twice");
            }
            assert!(libs.insert(name.clone(), id).is_none(), "library {name} exists twice");
        }
        let _ = lib.logout().await;
        (libs, items)
    })
}

/// The size of a file on LocalDS_0, if it exists.
pub(crate) fn datastore_file(sim: &Vcsim, path: &str) -> Option<u64> {
    let (rt, c) = vi_check::client(sim);
    rt.block_on(c.datastore_file_info("DC0", "LocalDS_0", path)).expect("HEAD datastore file")
}

/// A copy of `examples/catalog/tiny.ovf` in `dir`.
pub(crate) fn tiny_ovf_in(dir: &std::path::Path) -> std::path::PathBuf {
    let ovf = dir.join("tiny.ovf");
    std::fs::copy(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/catalog/tiny.ovf"), &ovf)
        .expect("copy tiny.ovf");
    ovf
}

/// One `vi_datastore_upload.file` of `source` to `path` on `ds`, through
/// the proxy, with `provider_extra` in the provider block.
pub(crate) fn upload_config(
    proxy: &FaultProxy,
    provider_extra: &str,
    source: &std::path::Path,
    ds: &str,
    path: &str,
) -> String {
    provider_block(&proxy.sdk_url(), provider_extra)
        + &format!(
            "resource \"vi_datastore_upload\" \"file\" {{\n  source_file  = \"{}\"\n  datastore_id = \"{ds}\"\n  path         = \"{path}\"\n}}\n",
            source.display()
        )
}

/// Runs an apply that must fail; its output with whitespace runs folded
/// (the CLIs wrap long lines).
pub(crate) fn failed_apply(tf: &Tf) -> String {
    let err = tf.fails(&["apply", "-auto-approve", "-no-color"]);
    err.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// `type.name` → `attr` of every resource in the state.
pub(crate) fn state_attr(tf: &Tf, attr: &str) -> BTreeMap<String, String> {
    let show = tf.show();
    let mut out = BTreeMap::new();
    for r in show["values"]["root_module"]["resources"].as_array().cloned().unwrap_or_default() {
        if r["mode"] == "managed" {
            let key = format!("{}.{}", r["type"].as_str().unwrap_or_default(), r["name"].as_str().unwrap_or_default());
            out.insert(key, r["values"][attr].as_str().unwrap_or_default().to_owned());
        }
    }
    out
}

/// Faults on reads while a vApp, a catalog with an item, a datastore upload
/// and a VM are made and destroyed: everything that exists is in state,
/// once, and the runs converge.
#[test]
fn faulted_reads_across_vapps_catalogs_uploads_and_vms() {
    let (sim, _) = plain_vcsim(None);
    let proxy = FaultProxy::start(&sim.addr);
    let files = tempfile::tempdir().expect("source files");
    let ovf = tiny_ovf_in(files.path());
    let blob = files.path().join("blob.bin");
    std::fs::write(&blob, vec![7u8; 256 * 1024]).expect("write blob");
    let hcl = provider_block(&proxy.sdk_url(), "")
        + &format!(
            r#"
data "vi_datacenter" "dc" {{
  name = "DC0"
}}
data "vi_datastore" "ds" {{
  name          = "LocalDS_0"
  datacenter_id = data.vi_datacenter.dc.id
}}
data "vi_resource_pool" "pool" {{
  path          = "DC0_C0/Resources"
  datacenter_id = data.vi_datacenter.dc.id
}}
resource "vi_vapp" "app" {{
  name             = "mix-app"
  resource_pool_id = data.vi_resource_pool.pool.id
}}
resource "vi_vm" "vm" {{
  name             = "mix-vm"
  resource_pool_id = data.vi_resource_pool.pool.id
  datastore_id     = data.vi_datastore.ds.id
  guest_id         = "otherLinux64Guest"
  memory           = 64
  power_state      = "off"
}}
resource "vi_catalog" "cat" {{
  name         = "mix-cat"
  datastore_id = data.vi_datastore.ds.id
}}
resource "vi_catalog_item" "item" {{
  catalog_id  = vi_catalog.cat.id
  name        = "mix-item"
  source_file = "{ovf}"
}}
resource "vi_datastore_upload" "file" {{
  source_file  = "{blob}"
  datastore_id = data.vi_datastore.ds.id
  path         = "mix/blob.bin"
}}
"#,
            ovf = ovf.display(),
            blob = blob.display(),
        );
    let tf = Tf::new(&hcl);
    tf.init();
    let faults = || {
        proxy.inject("RetrievePropertiesEx", 1, 3, Fault::Unavailable);
        proxy.inject("RetrievePropertiesEx", 3, 2, Fault::DropResponse);
        proxy.inject("RetrievePropertiesEx", 3, 2, Fault::DropRequest);
        proxy.inject("FindByInventoryPath", 0, 2, Fault::Unavailable);
        proxy.inject("CreateContainerView", 1, 1, Fault::DropRequest);
    };
    let check = |present: bool| {
        let ids = state_attr(&tf, "id");
        let expect = |key: &str| if present { ids.get(key).cloned() } else { None };
        let vapps = live(&sim, "VirtualApp", "mix-");
        assert_eq!(vapps.get("mix-app").cloned(), expect("vi_vapp.app"), "vApp vs state");
        let vms = live(&sim, "VirtualMachine", "mix-");
        assert_eq!(vms.get("mix-vm").cloned(), expect("vi_vm.vm"), "VM vs state");
        let (libs, items) = libraries(&sim, "mix-");
        assert_eq!(libs.get("mix-cat").cloned(), expect("vi_catalog.cat"), "catalog vs state");
        assert_eq!(items.get("mix-item").cloned(), expect("vi_catalog_item.item"), "catalog item vs state");
        assert_eq!(datastore_file(&sim, "mix/blob.bin").is_some(), present, "uploaded file vs state");
        assert_eq!(ids.contains_key("vi_datastore_upload.file"), present);
    };
    faults();
    tf.apply();
    check(true);
    proxy.clear();
    tf.assert_no_changes();
    faults();
    tf.destroy();
    check(false);
    eprintln!("faults: {} injected across vApp, VM, catalog, item and upload runs", proxy.injected());
}

/// Faults on the datastore transfer itself (`PUT /folder`, not SOAP): a
/// connection dropped before the bytes reach vcsim leaves nothing and says
/// so; one dropped after vcsim wrote the file leaves a file that is
/// recorded (tainted), not orphaned; a persistent 503 is a diagnostic. Each
/// time the next apply converges.
#[test]
fn faulted_datastore_uploads_lose_nothing() {
    let (sim, _) = plain_vcsim(None);
    let proxy = FaultProxy::start(&sim.addr);
    let files = tempfile::tempdir().expect("source files");
    let blob = files.path().join("blob.bin");
    std::fs::write(&blob, vec![9u8; 3 * 1024 * 1024 + 5]).expect("write blob");
    let ds = vi_check::facts(&sim).id("Datastore", "LocalDS_0");
    let hcl = |path: &str| upload_config(&proxy, "  api_timeout = \"20s\"\n", &blob, &ds, path);
    let uploads = |tf: &Tf| state_attr(tf, "datastore_path").contains_key("vi_datastore_upload.file");

    // Dropped before vcsim saw it: an error on `path`, no file, no state.
    let tf = Tf::new(&hcl("up/a.bin"));
    tf.init();
    proxy.inject_persistent("PUT /folder", 0, 1, Fault::DropRequest);
    let err = tf.fails(&["apply", "-auto-approve", "-no-color"]);
    assert!(err.contains("uploading the file"), "{err}");
    assert_eq!(datastore_file(&sim, "up/a.bin"), None);
    assert!(!uploads(&tf), "nothing was uploaded, nothing is in state");
    proxy.clear();
    tf.apply();
    tf.assert_no_changes();
    assert_eq!(datastore_file(&sim, "up/a.bin"), Some(3 * 1024 * 1024 + 5));

    // vcsim wrote it, the answer was lost: the file is in state, tainted,
    // and the next apply replaces it.
    tf.write_main(&hcl("up/b.bin"));
    proxy.inject_persistent("PUT /folder", 0, 1, Fault::DropResponse);
    let err = tf.fails(&["apply", "-auto-approve", "-no-color"]);
    assert!(err.contains("uploading the file"), "{err}");
    assert!(datastore_file(&sim, "up/b.bin").is_some(), "vcsim kept the bytes");
    assert!(uploads(&tf), "a file that exists is in state");
    assert_eq!(datastore_file(&sim, "up/a.bin"), None, "the replaced upload was removed");
    let plan = tf.ok(&["plan", "-no-color"]);
    assert!(plan.contains("is tainted, so") && plan.contains("must be replaced"), "{plan}");
    proxy.clear();
    tf.apply();
    tf.assert_no_changes();

    // A 503 on every PUT: a clear diagnostic; the file already there stays
    // in state.
    tf.write_main(&hcl("up/c.bin"));
    proxy.inject_persistent("PUT /folder", 0, usize::MAX, Fault::Unavailable);
    let err = tf.fails(&["apply", "-auto-approve", "-no-color"]);
    let err = err.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(err.contains("503"), "{err}");
    assert_eq!(datastore_file(&sim, "up/c.bin"), None);
    proxy.clear();
    tf.apply();
    tf.assert_no_changes();
    assert!(datastore_file(&sim, "up/c.bin").is_some());
    eprintln!("faults: {} injected on datastore transfers", proxy.injected());
    tf.destroy();
    assert_eq!(datastore_file(&sim, "up/c.bin"), None);
}
