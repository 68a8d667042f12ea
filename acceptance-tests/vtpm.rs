//! Virtual TPMs against vcsim: `vi_vtpm` on a VM made elsewhere, the
//! `vtpm` block of `vi_vm`, every prerequisite failing `terraform plan` by
//! name, and the clone's TPM policy on vCenter 7.0 and 8.0. Key providers
//! are registered in vcsim through the CryptoManagerKmip SOAP API.
use crate::harness::terraform::{Tf, provider_block, text};
use crate::harness::vcsim::{Vcsim, traced_vcsim};
use crate::vi_check;

use terraform_provider_vi::vi::crypto::KmipServerInfo;
use terraform_provider_vi::vi::vm::{VM_PROPS, VmInfo};
use terraform_provider_vi::vi::vm_device::VirtualDevice;
use terraform_provider_vi::vi::vm_spec::{VirtualDeviceConfigSpec, VirtualMachineConfigSpec};
use terraform_provider_vi::vi::{Client, ManagedObjectReference};

const KP: &str = "kp-test";

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

fn vm_info(sim: &Vcsim, id: &str) -> Option<VmInfo> {
    let (rt, c) = vi_check::client(sim);
    let objs = rt.block_on(c.retrieve(&[vm_ref(id)], VM_PROPS)).expect("read VM from vcsim");
    objs.first().filter(|o| !o.is_missing_object()).map(VmInfo::from_content)
}

fn with_client<T>(sim: &Vcsim, f: impl AsyncFnOnce(&Client) -> T) -> T {
    let (rt, c) = vi_check::client(sim);
    rt.block_on(f(&c))
}

/// A VM made outside Terraform (as another team's module would), on host
/// DC0_H0: EFI or BIOS, hardware version 19, a 64-bit Windows guest.
fn outside_vm(sim: &Vcsim, name: &str, firmware: &str, power_on: bool) -> String {
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
        let vm = c.create_vm(&folder, &spec, &pool, None, None).await.expect("create VM");
        if power_on {
            c.power_on_vm(&vm, false, None).await.expect("power on");
        }
        vm.value
    })
}

fn tpm_of(sim: &Vcsim, id: &str) -> Option<VirtualDevice> {
    vm_info(sim, id).expect("VM exists").tpm().cloned()
}

#[test]
fn key_providers_registered_in_vcsim_are_listed_with_the_default() {
    let sim = Vcsim::start(&[]);
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
    let sim = Vcsim::start(&[]);
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
    with_client(&sim, async |c| c.reconfigure_vm(&vm_ref(&vm), &spec, None).await.expect("remove TPM"));
    let out = tf.run(&["plan", "-detailed-exitcode", "-no-color"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(text(&out).contains("vi_vtpm.t will be created"), "{}", text(&out));
    tf.apply();
    tf.assert_no_changes();
    assert!(tpm_of(&sim, &vm).is_some());

    tf.destroy();
    assert!(tpm_of(&sim, &vm).is_none(), "destroy removes the device");
    assert!(vm_info(&sim, &vm).is_some(), "and leaves the VM");
}
