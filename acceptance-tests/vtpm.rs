//! Virtual TPMs against vcsim: `vi_vtpm` on a VM made elsewhere, the
//! `vtpm` block of `vi_vm`, every prerequisite failing `terraform plan` by
//! name, and the clone's TPM policy on vCenter 7.0 and 8.0. Key providers
//! are registered in vcsim through the CryptoManagerKmip SOAP API.
use crate::harness::terraform::{Tf, provider_block};
use crate::harness::vcsim::{Vcsim, traced_vcsim};
use crate::vi_check::{self, vm_info, with_client};

use terraform_provider_vi::vi::ManagedObjectReference;
use terraform_provider_vi::vi::object::crypto::KmipServerInfo;
use terraform_provider_vi::vi::object::vm_device::VirtualDevice;
use terraform_provider_vi::vi::object::vm_spec::{VirtualDeviceConfigSpec, VirtualMachineConfigSpec};

const KP: &str = "kp-test";

/// vTPMs need vCenter 7.0 or later; vcsim says 6.5 unless told otherwise.
pub(crate) const VC7: &[&str] = &["-api-version", "7.0.3.0"];

/// Registers a standard (KMIP) key provider in vcsim, as vCenter's default
/// when `default`.
pub fn register_key_provider(sim: &Vcsim, id: &str, default: bool) {
    let (rt, c) = vi_check::client(sim);
    let server = KmipServerInfo { name: format!("{id}-1"), address: "kms.example".into(), port: 5696 };
    rt.block_on(c.register_kmip_server(id, &server)).expect("RegisterKmipServer");
    if default {
        rt.block_on(c.set_default_key_provider(id)).expect("SetDefaultKmsCluster");
    }
}

fn vm_ref(id: &str) -> ManagedObjectReference {
    ManagedObjectReference::new("VirtualMachine", id)
}

/// A VM made outside Terraform (as another team's module would), on host
/// DC0_H0: EFI or BIOS, hardware version 19, a 64-bit Windows guest.
pub(crate) fn outside_vm(sim: &Vcsim, name: &str, firmware: &str, power_on: bool) -> String {
    let f = vi_check::facts(sim);
    let folder = ManagedObjectReference::new("Folder", f.prop("Datacenter", "DC0", "vmFolder"));
    let pool = ManagedObjectReference::new("ResourcePool", f.prop("ComputeResource", "DC0_H0", "resourcePool"));
    let spec = VirtualMachineConfigSpec {
        name: Some(name.into()),
        version: Some("vmx-19".into()),
        guest_id: Some("windows2019srv_64Guest".into()),
        vm_path_name: Some("[LocalDS_0]".into()),
        firmware: Some(firmware.into()),
        ..Default::default()
    };
    with_client(sim, async |c| {
        let vm = c.folder(&folder).create_vm(&spec, &pool, None, None).await.expect("create VM");
        if power_on {
            c.vm(&vm).power_on(false, None).await.expect("power on");
        }
        vm.value
    })
}

pub(crate) fn tpm_of(sim: &Vcsim, id: &str) -> Option<VirtualDevice> {
    vm_info(sim, id).expect("VM exists").tpm().cloned()
}

#[test]
fn key_providers_registered_in_vcsim_are_listed_with_the_default() {
    let sim = Vcsim::start(VC7);
    with_client(&sim, async |c| assert_eq!(c.key_providers().await.expect("list"), vec![]));
    register_key_provider(&sim, "kp-a", false);
    register_key_provider(&sim, "kp-b", true);
    with_client(&sim, async |c| {
        let kps = c.key_providers().await.expect("list");
        let ids: Vec<(&str, bool)> = kps.iter().map(|k| (k.cluster_id.as_str(), k.use_as_default)).collect();
        assert_eq!(ids, vec![("kp-a", false), ("kp-b", true)]);
        assert_eq!(kps[0].servers[0].name, "kp-a-1");
        let key = c.encryption_key(&kps[0]).await.expect("GenerateKey");
        assert!(!key.key_id.is_empty());
        assert_eq!(key.provider_id.as_deref(), Some("kp-a"));
    });
}

#[test]
fn vi_vtpm_on_an_efi_vm_made_elsewhere() {
    let sim = Vcsim::start(VC7);
    register_key_provider(&sim, KP, true);
    let vm = outside_vm(&sim, "made-elsewhere", "efi", false);
    let hcl = |kp: &str| {
        format!("{}\nresource \"vi_vtpm\" \"t\" {{\n  vm_id = \"{vm}\"\n{kp}}}\n", provider_block(&sim.sdk_url(), ""))
    };
    let tf = Tf::new(&hcl(&format!("  key_provider_id = \"{KP}\"\n")));
    tf.init_apply_replan();
    let tpm = tpm_of(&sim, &vm).expect("vcsim has the VirtualTPM");
    let info = vm_info(&sim, &vm).expect("VM");
    assert_eq!(info.key_provider(), Some(KP), "home files encrypted with the named provider");
    let show = tf.show();
    let values = &show["values"]["root_module"]["resources"][0]["values"];
    assert_eq!(values["device_key"].as_i64(), Some(tpm.key));
    assert_eq!(values["id"].as_str(), Some(vm.as_str()));
    assert_eq!(values["endorsement_key_certificates_present"].as_bool(), Some(false));

    // Import: the same configuration adopts it with no changes.
    let adopted = Tf::new(&hcl(&format!("  key_provider_id = \"{KP}\"\n")));
    adopted.init();
    adopted.ok(&["import", "-no-color", "vi_vtpm.t", &vm]);
    adopted.assert_no_changes();
    // Leaving key_provider_id out reads what the VM has: no change either.
    tf.write_main(&hcl(""));
    tf.assert_no_changes();

    // Removed behind Terraform's back: the next plan shows it missing.
    let spec = VirtualMachineConfigSpec {
        device_change: vec![VirtualDeviceConfigSpec::remove(tpm.clone(), false)],
        ..Default::default()
    };
    with_client(&sim, async |c| c.vm(&vm_ref(&vm)).reconfigure(&spec, None).await.expect("remove TPM"));
    let plan = tf.assert_changes();
    assert!(plan.contains("vi_vtpm.t will be created"), "{plan}");
    tf.apply();
    tf.assert_no_changes();
    assert!(tpm_of(&sim, &vm).is_some());

    tf.destroy();
    assert!(tpm_of(&sim, &vm).is_none(), "destroy removes the device");
    assert!(vm_info(&sim, &vm).is_some(), "and leaves the VM");
}

/// Ids of the objects the tests place VMs on.
pub(crate) fn pool_and_datastore(sim: &Vcsim) -> (String, String) {
    let f = vi_check::facts(sim);
    (f.prop("ComputeResource", "DC0_H0", "resourcePool"), f.id("Datastore", "LocalDS_0"))
}

pub(crate) fn tpm_vm(sim: &Vcsim, firmware: &str, extra: &str) -> String {
    let (pool, ds) = pool_and_datastore(sim);
    format!(
        r#"{provider}
resource "vi_vm" "tpm" {{
  name             = "tpm-1"
  resource_pool_id = "{pool}"
  datastore_id     = "{ds}"
  guest_id         = "windows2019srv_64Guest"
  firmware         = "{firmware}"
  hardware_version = 19
  memory           = 2048
{extra}
}}
"#,
        provider = provider_block(&sim.sdk_url(), "")
    )
}

pub(crate) const VTPM: &str = "  vtpm {}\n";

/// Outputs of the `vi_vm.tpm` tests (left out of configurations that
/// import, since outputs are not imported).
const OUTPUTS: &str =
    "output \"id\" { value = vi_vm.tpm.id }\noutput \"vtpm_present\" { value = vi_vm.tpm.vtpm_present }\n";

#[test]
fn vi_vm_with_a_vtpm_from_creation_then_removed_and_added_in_place() {
    let sim = Vcsim::start(VC7);
    register_key_provider(&sim, KP, true);
    let tf = Tf::new(&(tpm_vm(&sim, "efi", VTPM) + OUTPUTS));
    tf.init_apply_replan();
    let id = tf.outputs()["id"].as_str().unwrap_or_default().to_owned();
    assert!(tpm_of(&sim, &id).is_some(), "vcsim has the VirtualTPM");
    assert_eq!(tf.outputs()["vtpm_present"], serde_json::json!(true));
    assert!(vm_info(&sim, &id).expect("VM").is_powered_on(), "powered on after the vTPM was added");

    // Import adopts the VM and its vTPM with no changes.
    let adopted = Tf::new(&tpm_vm(&sim, "efi", VTPM));
    adopted.init();
    adopted.ok(&["import", "-no-color", "vi_vm.tpm", &id]);
    adopted.assert_no_changes();

    // Removing it from a running VM needs consent to power it off.
    tf.write_main(&(tpm_vm(&sim, "efi", "") + OUTPUTS));
    let err = unwrapped(&tf.fails(&["plan", "-no-color"]));
    assert!(err.contains("vTPM prerequisite not met: power_state"), "{err}");
    assert!(err.contains("powered on") && err.contains("reboot_allowed"), "{err}");
    tf.write_main(&(tpm_vm(&sim, "efi", "  reboot_allowed = true\n") + OUTPUTS));
    tf.apply();
    tf.assert_no_changes();
    assert!(tpm_of(&sim, &id).is_none(), "removed in place");
    assert_eq!(tf.outputs()["id"].as_str(), Some(id.as_str()), "same VM");
    assert!(vm_info(&sim, &id).expect("VM").is_powered_on(), "started again");

    // And added back in place, with the named key provider.
    let kp = format!("  reboot_allowed = true\n  vtpm {{\n    key_provider_id = \"{KP}\"\n  }}\n");
    tf.write_main(&(tpm_vm(&sim, "efi", &kp) + OUTPUTS));
    tf.apply();
    tf.assert_no_changes();
    assert!(tpm_of(&sim, &id).is_some());
    assert_eq!(vm_info(&sim, &id).expect("VM").key_provider(), Some(KP));

    // A VirtualTPM vSphere dropped shows in the next plan.
    let tpm = tpm_of(&sim, &id).expect("TPM");
    let spec = VirtualMachineConfigSpec {
        device_change: vec![VirtualDeviceConfigSpec::remove(tpm, false)],
        ..Default::default()
    };
    with_client(&sim, async |c| {
        c.vm(&vm_ref(&id)).power_off(None).await.expect("power off");
        c.vm(&vm_ref(&id)).reconfigure(&spec, None).await.expect("remove TPM");
        c.vm(&vm_ref(&id)).power_on(false, None).await.expect("power on");
    });
    let plan = tf.assert_changes();
    assert!(plan.contains("+ vtpm {"), "{plan}");
    tf.apply();
    tf.assert_no_changes();
    assert!(tpm_of(&sim, &id).is_some());
    tf.destroy();
    assert!(vm_info(&sim, &id).is_none());
}

/// Terraform's output with its line wrapping undone, for matching
/// messages.
pub(crate) fn unwrapped(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// `terraform plan` fails, naming the prerequisite; nothing is created.
pub(crate) fn plan_fails(tf: &Tf, wants: &[&str]) -> String {
    tf.init();
    let err = unwrapped(&tf.fails(&["plan", "-no-color"]));
    for w in wants {
        assert!(err.contains(w), "plan should mention {w:?}:\n{err}");
    }
    err
}

#[test]
fn every_unmet_prerequisite_fails_the_plan_by_name() {
    let sim = Vcsim::start(VC7);
    let vms_before = with_client(&sim, async |c| {
        let root = c.service_content().root_folder.clone();
        c.list_by_type(&root, "VirtualMachine", &["name"]).await.expect("list").len()
    });
    // No key provider registered at all.
    plan_fails(
        &Tf::new(&tpm_vm(&sim, "efi", VTPM)),
        &["vTPM prerequisite not met: key_provider_id", "no key provider is registered", "vtpm {"],
    );
    register_key_provider(&sim, KP, false);
    // Registered, but none is the default and none is named.
    plan_fails(&Tf::new(&tpm_vm(&sim, "efi", VTPM)), &["no default key provider", &format!("`{KP}`")]);
    // Named but unknown.
    plan_fails(
        &Tf::new(&tpm_vm(&sim, "efi", "  vtpm {\n    key_provider_id = \"nope\"\n  }\n")),
        &["key provider `nope` is not registered", "key_provider_id"],
    );
    register_key_provider(&sim, "kp-default", true);
    // A BIOS VM.
    let err = plan_fails(&Tf::new(&tpm_vm(&sim, "bios", VTPM)), &["vTPM prerequisite not met: firmware", "EFI"]);
    assert!(err.contains("firmware = \"bios\""), "points at the firmware line:\n{err}");
    // Old hardware, a 32-bit guest, and no hardware version at all.
    plan_fails(
        &Tf::new(&tpm_vm(&sim, "efi", VTPM).replace("hardware_version = 19", "hardware_version = 13")),
        &["vTPM prerequisite not met: hardware_version", "vmx-14"],
    );
    plan_fails(
        &Tf::new(&tpm_vm(&sim, "efi", VTPM).replace("windows2019srv_64Guest", "windows7Guest")),
        &["vTPM prerequisite not met: guest_id", "windows7Guest"],
    );
    plan_fails(
        &Tf::new(&tpm_vm(&sim, "efi", VTPM).replace("hardware_version = 19", "")),
        &["hardware_version", "set hardware_version"],
    );
    // vi_vtpm on a powered-on VM and on a BIOS VM made elsewhere.
    let running = outside_vm(&sim, "running", "efi", true);
    let bios = outside_vm(&sim, "bios", "bios", false);
    for (vm, wants) in [
        (&running, ["vTPM prerequisite not met: power_state", "is powered on"]),
        (&bios, ["vTPM prerequisite not met: firmware", "BIOS"]),
    ] {
        let tf = Tf::new(&format!(
            "{}\nresource \"vi_vtpm\" \"t\" {{\n  vm_id = \"{vm}\"\n}}\n",
            provider_block(&sim.sdk_url(), "")
        ));
        let err = plan_fails(&tf, &wants);
        assert!(err.contains(&format!("VM {vm}:")), "{err}");
        assert!(tpm_of(&sim, vm).is_none());
    }
    let vms_after = with_client(&sim, async |c| {
        let root = c.service_content().root_folder.clone();
        c.list_by_type(&root, "VirtualMachine", &["name"]).await.expect("list").len()
    });
    assert_eq!(vms_after, vms_before + 2, "only the two outside VMs exist");
}

#[test]
fn a_vm_id_known_only_at_apply_is_checked_before_anything_changes() {
    let sim = Vcsim::start(VC7);
    register_key_provider(&sim, KP, true);
    let (pool, ds) = pool_and_datastore(&sim);
    let hcl = |firmware: &str| {
        format!(
            r#"{provider}
resource "vi_vm" "base" {{
  name             = "base-1"
  resource_pool_id = "{pool}"
  datastore_id     = "{ds}"
  guest_id         = "windows2019srv_64Guest"
  firmware         = "{firmware}"
  hardware_version = 19
  power_state      = "off"
}}
resource "vi_vtpm" "t" {{
  vm_id = vi_vm.base.id
}}
output "id" {{ value = vi_vm.base.id }}
"#,
            provider = provider_block(&sim.sdk_url(), "")
        )
    };
    // The plan cannot know the VM; apply checks it first and stops.
    let tf = Tf::new(&hcl("bios"));
    tf.init();
    tf.ok(&["plan", "-no-color"]);
    let err = unwrapped(&tf.fails(&["apply", "-auto-approve", "-no-color"]));
    assert!(err.contains("vTPM prerequisite not met: firmware"), "{err}");
    let id = tf.outputs()["id"].as_str().unwrap_or_default().to_owned();
    assert!(tpm_of(&sim, &id).is_none(), "nothing was changed");
    let state = tf.ok(&["state", "list"]);
    assert!(!state.contains("vi_vtpm.t"), "{state}");
    // Once the VM is EFI (changed in place first: with a known vm_id the
    // plan checks the VM as it is), the same configuration works.
    tf.write_main(&hcl("efi"));
    tf.ok(&["apply", "-auto-approve", "-no-color", "-target=vi_vm.base"]);
    tf.apply();
    tf.assert_no_changes();
    assert!(tpm_of(&sim, &id).is_some());
    tf.destroy();
}

/// The source (a cluster VM) gets a vTPM behind Terraform's back; the
/// clone goes into vApp DC0_C0_APP0, a different vApp from the source's
/// (none), with `tpm_provisioning = "replace"`.
fn clone_into_vapp(api_version: &str) -> (Vcsim, Tf, std::path::PathBuf, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("dir");
    let (sim, trace) = traced_vcsim(dir.path(), &["-app", "1", "-api-version", api_version]);
    let (source, vapp) = with_client(&sim, async |c| {
        let find = async |p: &str| c.find_by_inventory_path(p).await.expect("find").expect(p);
        let source = find("DC0/vm/DC0_C0_RP0_VM0").await;
        let vapp = find("DC0/host/DC0_C0/Resources/DC0_C0_APP0").await;
        c.vm(&source).power_off(None).await.expect("power off source");
        let add = VirtualMachineConfigSpec {
            device_change: vec![VirtualDeviceConfigSpec::add(VirtualDevice {
                kind: "VirtualTPM".into(),
                key: -1,
                ..Default::default()
            })],
            ..Default::default()
        };
        c.vm(&source).reconfigure(&add, None).await.expect("give the source a vTPM");
        (source.value, vapp)
    });
    assert_eq!(vapp.kind, "VirtualApp");
    let tf = Tf::new(&format!(
        r#"{provider}
resource "vi_vm" "copy" {{
  name             = "copy-1"
  resource_pool_id = "{pool}"
  firmware         = "efi"
  power_state      = "off"
  clone {{
    source_id        = "{source}"
    tpm_provisioning = "replace"
  }}
  vtpm {{}}
}}
output "id" {{ value = vi_vm.copy.id }}
"#,
        provider = provider_block(&sim.sdk_url(), ""),
        pool = vapp.value
    ));
    tf.init();
    (sim, tf, trace, dir)
}

#[test]
fn replacing_a_tpm_when_copying_to_another_vapp_fails_at_plan_on_vcenter_7() {
    let (sim, tf, _trace, _dir) = clone_into_vapp("7.0");
    let err = unwrapped(&tf.fails(&["plan", "-no-color"]));
    assert!(
        err.contains("tpm_provisioning `replace` is not allowed when you copy a VM to a different vApp on vCenter 7.x"),
        "{err}"
    );
    assert!(err.contains("allowed: copy") && err.contains("tpm_provisioning = \"replace\""), "{err}");
    drop(sim);
}

#[test]
fn replacing_a_tpm_when_copying_to_another_vapp_works_on_vcenter_8() {
    let (sim, tf, trace, _dir) = clone_into_vapp("8.0.2.0");
    tf.apply();
    tf.assert_no_changes();
    let id = tf.outputs()["id"].as_str().unwrap_or_default().to_owned();
    let info = vm_info(&sim, &id).expect("clone exists");
    assert!(info.has_tpm(), "the clone has a vTPM");
    assert_eq!(info.resource_pool.as_ref().map(|p| p.kind.as_str()), Some("VirtualApp"));
    let sent = std::fs::read_to_string(&trace).unwrap_or_default();
    assert!(sent.contains("<tpmProvisionPolicy>replace</tpmProvisionPolicy>"), "CloneVM_Task carried the policy");
    tf.destroy();
}

#[test]
fn a_cloned_vtpm_is_kept_unmanaged_then_adopted_then_removed() {
    let sim = Vcsim::start(VC7);
    register_key_provider(&sim, KP, true);
    let source = outside_vm(&sim, "tpm-source", "efi", false);
    let add = VirtualMachineConfigSpec {
        device_change: vec![VirtualDeviceConfigSpec::add(VirtualDevice {
            kind: "VirtualTPM".into(),
            key: -1,
            ..Default::default()
        })],
        ..Default::default()
    };
    with_client(&sim, async |c| c.vm(&vm_ref(&source)).reconfigure(&add, None).await.expect("source vTPM"));
    let (pool, _) = pool_and_datastore(&sim);
    let hcl = |vtpm: &str| {
        format!(
            r#"{provider}
resource "vi_vm" "copy" {{
  name             = "copy-1"
  resource_pool_id = "{pool}"
  guest_id         = "windows2019srv_64Guest"
  firmware         = "efi"
  power_state      = "off"
  clone {{
    source_id = "{source}"
  }}
{vtpm}}}
output "id" {{ value = vi_vm.copy.id }}
output "vtpm_present" {{ value = vi_vm.copy.vtpm_present }}
"#,
            provider = provider_block(&sim.sdk_url(), "")
        )
    };
    // Without a vtpm block the clone's copy of the vTPM stays, reported only.
    let tf = Tf::new(&hcl(""));
    tf.init_apply_replan();
    let id = tf.outputs()["id"].as_str().unwrap_or_default().to_owned();
    let key = tpm_of(&sim, &id).expect("the clone has the copied vTPM").key;
    assert_eq!(tf.outputs()["vtpm_present"], serde_json::json!(true));
    // A vtpm block adopts it in place: the same device, nothing added.
    tf.write_main(&hcl(VTPM));
    let plan = tf.ok(&["plan", "-no-color"]);
    assert!(plan.contains("1 to change"), "{plan}");
    tf.apply();
    tf.assert_no_changes();
    assert_eq!(tpm_of(&sim, &id).map(|t| t.key), Some(key));
    // Now managed, dropping the block removes it.
    tf.write_main(&hcl(""));
    tf.apply();
    tf.assert_no_changes();
    assert!(tpm_of(&sim, &id).is_none());
    assert_eq!(tf.outputs()["vtpm_present"], serde_json::json!(false));
    tf.destroy();
}

#[test]
fn a_named_key_provider_encrypts_the_vm_and_an_encrypted_vm_keeps_its_own() {
    let sim = Vcsim::start(VC7);
    register_key_provider(&sim, "kp-default", true);
    register_key_provider(&sim, KP, false);
    let named = format!("  power_state = \"off\"\n  vtpm {{\n    key_provider_id = \"{KP}\"\n  }}\n");
    let tf = Tf::new(&(tpm_vm(&sim, "efi", &named) + OUTPUTS));
    tf.init_apply_replan();
    let id = tf.outputs()["id"].as_str().unwrap_or_default().to_owned();
    let info = vm_info(&sim, &id).expect("VM");
    assert!(info.has_tpm());
    assert_eq!(info.key_provider(), Some(KP), "not the default one");

    // The same VM, now encrypted with KP, cannot take a vTPM on another
    // provider: vi_vtpm's plan says so (after the vi_vm one is dropped).
    tf.write_main(&(tpm_vm(&sim, "efi", "  power_state = \"off\"\n  reboot_allowed = true\n") + OUTPUTS));
    tf.apply();
    assert!(tpm_of(&sim, &id).is_none());
    let other = Tf::new(&format!(
        "{}\nresource \"vi_vtpm\" \"t\" {{\n  vm_id           = \"{id}\"\n  key_provider_id = \"kp-default\"\n}}\n",
        provider_block(&sim.sdk_url(), "")
    ));
    plan_fails(&other, &["already encrypted with key provider `kp-test`", "key_provider_id"]);
    tf.destroy();
}

/// Issue 8: with a snapshot present, adding or removing a vTPM is refused at
/// plan, naming the snapshot, on both ways in.
#[test]
fn a_snapshot_blocks_adding_or_removing_a_vtpm_at_plan() {
    let sim = Vcsim::start(&["-api-version", "8.0.2.0"]);
    register_key_provider(&sim, KP, true);
    let outside = outside_vm(&sim, "snapped", "efi", false);
    let tf = Tf::new(&(tpm_vm(&sim, "efi", "  power_state = \"off\"\n") + OUTPUTS));
    tf.init_apply_replan();
    let id = tf.outputs()["id"].as_str().unwrap_or_default().to_owned();
    with_client(&sim, async |c| {
        c.vm(&vm_ref(&id)).create_snapshot("nightly", "", false, false, None).await.expect("snapshot of the vi_vm");
        c.vm(&vm_ref(&outside))
            .create_snapshot("golden", "", false, false, None)
            .await
            .expect("snapshot of the other VM");
    });

    // Adding through vi_vm.vtpm.
    tf.write_main(&(tpm_vm(&sim, "efi", &format!("  power_state = \"off\"\n{VTPM}")) + OUTPUTS));
    plan_fails(&tf, &["nightly"]);
    assert!(tpm_of(&sim, &id).is_none());

    // Adding through vi_vtpm on a VM managed elsewhere.
    let other = Tf::new(&format!(
        "{}\nresource \"vi_vtpm\" \"t\" {{\n  vm_id = \"{outside}\"\n}}\n",
        provider_block(&sim.sdk_url(), "")
    ));
    plan_fails(&other, &["golden"]);
    assert!(tpm_of(&sim, &outside).is_none());

    // Terraform 1.0 plans the configuration before a destroy too: go back to
    // the configuration that matches the VM first.
    tf.write_main(&(tpm_vm(&sim, "efi", "  power_state = \"off\"\n") + OUTPUTS));
    tf.destroy();
}

#[test]
fn a_snapshot_blocks_removing_a_vtpm_at_plan() {
    let sim = Vcsim::start(&["-api-version", "8.0.2.0"]);
    register_key_provider(&sim, KP, true);
    let with_tpm = tpm_vm(&sim, "efi", &format!("  power_state = \"off\"\n{VTPM}")) + OUTPUTS;
    let tf = Tf::new(&with_tpm);
    tf.init_apply_replan();
    let id = tf.outputs()["id"].as_str().unwrap_or_default().to_owned();
    assert!(tpm_of(&sim, &id).is_some());
    with_client(&sim, async |c| {
        c.vm(&vm_ref(&id)).create_snapshot("pre-patch", "", false, false, None).await.expect("snapshot");
    });
    tf.write_main(&(tpm_vm(&sim, "efi", "  power_state = \"off\"\n") + OUTPUTS));
    plan_fails(&tf, &["pre-patch"]);
    assert!(tpm_of(&sim, &id).is_some(), "the vTPM is still there");
    tf.write_main(&with_tpm);
    tf.destroy();
}

/// A VM with a vTPM moved into a vApp: the plan is an in-place move that
/// leaves the vTPM alone (the TPM rule for a move is copy: the device goes
/// with the VM, nothing is re-provisioned). The move runs
/// (MoveIntoResourcePool, on vcsim-plus): the VM is in the vApp with the
/// same vTPM, and out again the same way.
#[test]
fn a_vm_with_a_vtpm_moves_into_a_vapp_and_keeps_it() {
    let sim = Vcsim::start(&["-api-version", "7.0.3.0"]);
    register_key_provider(&sim, KP, true);
    let f = vi_check::facts(&sim);
    let cluster = f.prop("ClusterComputeResource", "DC0_C0", "resourcePool");
    let ds = f.id("Datastore", "LocalDS_0");
    let config = |placement: &str| {
        format!(
            r#"{provider}
resource "vi_vapp" "a" {{
  name             = "tpm-app-a"
  resource_pool_id = "{cluster}"
}}
resource "vi_vm" "tpm" {{
  name             = "tpm-mover"
  {placement}
  datastore_id     = "{ds}"
  guest_id         = "windows2019srv_64Guest"
  firmware         = "efi"
  hardware_version = 19
  memory           = 2048
  power_state      = "off"
  vtpm {{}}
}}
output "id" {{ value = vi_vm.tpm.id }}
output "vapp" {{ value = vi_vapp.a.id }}
"#,
            provider = provider_block(&sim.sdk_url(), "")
        )
    };
    let tf = Tf::new(&config(&format!("resource_pool_id = \"{cluster}\"")));
    tf.init_apply_replan();
    let id = tf.outputs()["id"].as_str().unwrap_or_default().to_owned();
    let vapp = tf.outputs()["vapp"].as_str().unwrap_or_default().to_owned();
    let tpm = tpm_of(&sim, &id).expect("vcsim has the VirtualTPM");
    let key_id = vm_info(&sim, &id).and_then(|i| i.key_provider().map(str::to_owned));

    tf.write_main(&config("vapp_id = vi_vapp.a.id"));
    let plan = tf.ok(&["plan", "-no-color"]);
    assert!(plan.contains("update in-place") && !plan.contains("must be replaced"), "{plan}");
    assert!(plan.contains("+ vapp_id"), "{plan}");
    assert!(!plan.contains("vtpm {") && plan.contains("(1 unchanged block hidden)"), "the vTPM stays: {plan}");
    tf.apply();
    tf.assert_no_changes();
    let pool_of = |id: &str| vm_info(&sim, id).and_then(|i| i.resource_pool).map(|r| r.value);
    assert_eq!(pool_of(&id), Some(vapp.clone()), "moved into the vApp");
    assert_eq!(tf.outputs()["id"].as_str(), Some(id.as_str()), "the same VM");
    // The same device, the same key provider: moved, not re-provisioned.
    assert_eq!(tpm_of(&sim, &id).map(|t| t.key), Some(tpm.key), "the vTPM went with the VM");
    assert_eq!(vm_info(&sim, &id).and_then(|i| i.key_provider().map(str::to_owned)), key_id);

    // Out of the vApp again: the same.
    tf.write_main(&config(&format!("resource_pool_id = \"{cluster}\"")));
    tf.apply();
    tf.assert_no_changes();
    assert_eq!(pool_of(&id), Some(cluster.clone()), "moved out of the vApp");
    assert_eq!(tpm_of(&sim, &id).map(|t| t.key), Some(tpm.key), "the vTPM went with the VM");
    tf.destroy();
    assert!(vm_info(&sim, &id).is_none());
}
