//! `vi_vm` changes applied in place against vcsim, one step after another
//! on the same VM: settings (annotation, `extra_config` keys added, changed
//! and removed), hardware version upgrade, disks and NICs added, replaced
//! and removed; and a linked clone from a snapshot. Every step is checked
//! in vcsim and followed by a plan that must show no changes.
use crate::harness::terraform::{Tf, provider_block};
use crate::vi_check;
use crate::vi_check::vm_info;
use crate::vm::{Place, id_of, place, vm_count};

use terraform_provider_vi::vi::object::vm::VmInfo;

/// One step's configuration of the VM.
struct Step<'a> {
    hardware_version: i64,
    annotation: &'a str,
    extra: &'a [(&'a str, &'a str)],
    disks: &'a [i64],
    nics: &'a [&'a str],
}

fn config(sim_url: &str, p: &Place, s: &Step) -> String {
    let extra: String = s.extra.iter().map(|(k, v)| format!("    \"{k}\" = \"{v}\"\n")).collect();
    let disks: String = s
        .disks
        .iter()
        .enumerate()
        .map(|(i, size)| format!("  disk {{\n    label = \"d{i}\"\n    size  = {size}\n  }}\n"))
        .collect();
    let nics: String = s
        .nics
        .iter()
        .map(|model| {
            format!(
                "  network_interface {{\n    network_id   = \"{}\"\n    adapter_type = \"{model}\"\n  }}\n",
                p.network
            )
        })
        .collect();
    format!(
        r#"{provider}
resource "vi_vm" "box" {{
  name             = "in-place-1"
  resource_pool_id = "{pool}"
  datastore_id     = "{ds}"
  guest_id         = "otherLinux64Guest"
  power_state      = "off"
  hardware_version = {hw}
  annotation       = "{annotation}"
  extra_config = {{
{extra}  }}
{disks}{nics}}}
output "id" {{ value = vi_vm.box.id }}
"#,
        provider = provider_block(sim_url, ""),
        pool = p.pool,
        ds = p.datastore,
        hw = s.hardware_version,
        annotation = s.annotation,
    )
}

fn disk_sizes_gb(info: &VmInfo) -> Vec<i64> {
    info.devices.iter().filter(|d| d.is_disk()).map(|d| d.capacity_kb.unwrap_or(0) / (1024 * 1024)).collect()
}

fn nic_models(info: &VmInfo) -> Vec<String> {
    info.devices.iter().filter(|d| d.is_nic()).map(|d| d.kind.clone()).collect()
}

#[test]
fn settings_hardware_disks_and_nics_change_in_place() {
    let sim = crate::harness::vcsim::Vcsim::start(&[]);
    let p = place(&sim);
    let url = sim.sdk_url();

    let first = Step {
        hardware_version: 13,
        annotation: "first",
        extra: &[("guestinfo.a", "1"), ("guestinfo.b", "2")],
        disks: &[2],
        nics: &["vmxnet3"],
    };
    let tf = Tf::new(&config(&url, &p, &first));
    tf.init_apply_replan();
    let id = id_of(&tf, "id");
    let info = vm_info(&sim, &id).expect("VM exists in vcsim");
    assert_eq!(info.version.as_deref(), Some("vmx-13"));
    assert_eq!(info.annotation.as_deref(), Some("first"));
    assert_eq!(info.extra_config.get("guestinfo.b").map(String::as_str), Some("2"));
    assert_eq!(disk_sizes_gb(&info), vec![2]);
    assert_eq!(nic_models(&info), vec!["VirtualVmxnet3"]);

    // Settings changed, a key dropped, hardware upgraded, a disk and a NIC
    // added: one VM, the same id.
    let second = Step {
        hardware_version: 15,
        annotation: "second",
        extra: &[("guestinfo.a", "9"), ("guestinfo.c", "3")],
        disks: &[2, 1],
        nics: &["vmxnet3", "e1000e"],
    };
    tf.write_main(&config(&url, &p, &second));
    tf.apply();
    tf.assert_no_changes();
    assert_eq!(id_of(&tf, "id"), id, "changed in place, not replaced");
    let info = vm_info(&sim, &id).expect("VM still exists");
    assert_eq!(info.version.as_deref(), Some("vmx-15"));
    assert_eq!(info.annotation.as_deref(), Some("second"));
    assert_eq!(info.extra_config.get("guestinfo.a").map(String::as_str), Some("9"));
    assert_eq!(info.extra_config.get("guestinfo.c").map(String::as_str), Some("3"));
    assert!(
        info.extra_config.get("guestinfo.b").is_none_or(String::is_empty),
        "a key no longer configured is removed: {:?}",
        info.extra_config
    );
    assert_eq!(disk_sizes_gb(&info), vec![2, 1]);
    assert_eq!(nic_models(&info), vec!["VirtualVmxnet3", "VirtualE1000e"]);

    // The first NIC's model changed (a model cannot be edited: the adapter
    // is replaced), the second disk removed.
    let third = Step { disks: &[2], nics: &["e1000", "e1000e"], ..second };
    tf.write_main(&config(&url, &p, &third));
    tf.apply();
    tf.assert_no_changes();
    let info = vm_info(&sim, &id).expect("VM still exists");
    assert_eq!(disk_sizes_gb(&info), vec![2]);
    let mut models = nic_models(&info);
    models.sort();
    assert_eq!(models, vec!["VirtualE1000", "VirtualE1000e"]);

    // Down to one NIC.
    let fourth = Step { nics: &["e1000e"], ..third };
    tf.write_main(&config(&url, &p, &fourth));
    tf.apply();
    tf.assert_no_changes();
    let info = vm_info(&sim, &id).expect("VM still exists");
    assert_eq!(nic_models(&info), vec!["VirtualE1000e"]);

    // A lower hardware version cannot be done in place: the plan says so.
    tf.write_main(&config(&url, &p, &Step { hardware_version: 14, ..fourth }));
    let plan = tf.ok(&["plan", "-no-color"]);
    assert!(plan.contains("must be replaced") && plan.contains("hardware_version"), "{plan}");

    tf.destroy();
    assert!(vm_info(&sim, &id).is_none());
}

#[test]
fn linked_clone_from_a_snapshot_of_the_source() {
    let sim = crate::harness::vcsim::Vcsim::start(&[]);
    let p = place(&sim);
    let source = vi_check::facts(&sim).id("VirtualMachine", "DC0_H0_VM0");
    let before = vm_count(&sim);
    let clone = |with_snapshot: bool| {
        let snapshot = if with_snapshot {
            format!("resource \"vi_vm_snapshot\" \"base\" {{\n  vm_id = \"{source}\"\n  name  = \"base\"\n}}\n")
        } else {
            String::new()
        };
        let depends = if with_snapshot { "  depends_on       = [vi_vm_snapshot.base]\n" } else { "" };
        format!(
            r#"{provider}
{snapshot}
resource "vi_vm" "linked" {{
  name             = "linked-1"
  resource_pool_id = "{pool}"
{depends}  clone {{
    source_id    = "{source}"
    linked_clone = true
  }}
  network_interface {{
    network_id = "{net}"
  }}
}}
output "id" {{ value = vi_vm.linked.id }}
"#,
            provider = provider_block(&sim.sdk_url(), ""),
            pool = p.pool,
            net = p.network,
        )
    };

    // Without a snapshot on the source there is nothing to link to: a clear
    // error, and no VM left behind.
    let bare = Tf::new(&clone(false));
    bare.init();
    let err = bare.fails(&["apply", "-auto-approve", "-no-color"]);
    assert!(err.contains("linked clone needs a snapshot"), "{err}");
    assert_eq!(vm_count(&sim), before, "a refused linked clone makes no VM");

    let tf = Tf::new(&clone(true));
    tf.init_apply_replan();
    let info = vm_info(&sim, &id_of(&tf, "id")).expect("linked clone exists");
    assert_eq!(info.name, "linked-1");
    assert_eq!(vm_count(&sim), before + 1);
    tf.destroy();
    assert_eq!(vm_count(&sim), before);
}
