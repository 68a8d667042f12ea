//! `data "vi_vm"`: finding a VM by name, path and uuid, checked against
//! vcsim; a VM this configuration makes, read back through the data source
//! once its uuid is known; and the lookup errors.
use crate::harness::terraform::{Tf, provider_block};
use crate::harness::vcsim::Vcsim;
use crate::vi_check;

#[test]
fn a_vm_is_found_by_name_path_and_uuid_with_its_hardware() {
    let sim = Vcsim::start(&[]);
    let f = vi_check::facts(&sim);
    let hcl = provider_block(&sim.sdk_url(), "")
        + &format!(
            r#"
data "vi_vm" "by_name" {{
  name = "DC0_H0_VM0"
}}

data "vi_vm" "by_path" {{
  path = "DC0_H0_VM0"
}}

data "vi_vm" "by_uuid" {{
  uuid = data.vi_vm.by_name.uuid
}}

resource "vi_vm" "made" {{
  name             = "made-1"
  resource_pool_id = "{pool}"
  datastore_id     = "{ds}"
  guest_id         = "otherLinux64Guest"
  num_cpus         = 2
  memory           = 256
  firmware         = "efi"
  scsi_type        = "pvscsi"
  power_state      = "off"
  disk {{
    label = "system"
    size  = 2
  }}
  disk {{
    label            = "data"
    size             = 3
    thin_provisioned = true
  }}
  network_interface {{
    network_id   = "{net}"
    adapter_type = "e1000e"
  }}
}}

# Known only after the VM exists: read during apply.
data "vi_vm" "made" {{
  uuid = vi_vm.made.uuid
}}

output "by_name" {{ value = data.vi_vm.by_name }}
output "by_path" {{ value = data.vi_vm.by_path.id }}
output "by_uuid" {{ value = data.vi_vm.by_uuid.id }}
output "made" {{ value = data.vi_vm.made }}
output "made_id" {{ value = vi_vm.made.id }}
"#,
            pool = f.prop("ComputeResource", "DC0_H0", "resourcePool"),
            ds = f.id("Datastore", "LocalDS_0"),
            net = f.id("Network", "VM Network"),
        );
    let tf = Tf::new(&hcl);
    tf.init_apply_replan();
    let out = tf.outputs();
    let s = |v: &serde_json::Value| v.as_str().unwrap_or_default().to_owned();

    let vm0 = f.id("VirtualMachine", "DC0_H0_VM0");
    assert_eq!(s(&out["by_name"]["id"]), vm0);
    assert_eq!(s(&out["by_path"]), vm0);
    assert_eq!(s(&out["by_uuid"]), vm0);
    assert_eq!(s(&out["by_name"]["path"]), "/DC0/vm/DC0_H0_VM0");
    assert_eq!(
        out["by_name"]["memory"].as_i64().map(|m| m.to_string()),
        Some(f.prop("VirtualMachine", "DC0_H0_VM0", "config.hardware.memoryMB"))
    );
    let power = f.prop("VirtualMachine", "DC0_H0_VM0", "runtime.powerState");
    assert_eq!(s(&out["by_name"]["power_state"]), if power == "poweredOn" { "on" } else { "off" });
    assert_eq!(out["by_name"]["template"], serde_json::json!(false));

    let made = &out["made"];
    assert_eq!(s(&made["id"]), s(&out["made_id"]));
    assert_eq!(s(&made["name"]), "made-1");
    assert_eq!(made["num_cpus"], serde_json::json!(2));
    assert_eq!(made["memory"], serde_json::json!(256));
    assert_eq!(s(&made["firmware"]), "efi");
    assert_eq!(s(&made["scsi_type"]), "pvscsi");
    assert_eq!(s(&made["power_state"]), "off");
    let disks = made["disks"].as_array().cloned().unwrap_or_default();
    let labels: Vec<String> = disks.iter().map(|d| s(&d["label"])).collect();
    assert_eq!(labels, ["system", "data"], "{made}");
    let sizes: Vec<i64> = disks.iter().filter_map(|d| d["size"].as_i64()).collect();
    assert_eq!(sizes, [2, 3], "{made}");
    assert_eq!(disks.get(1).map(|d| d["thin_provisioned"].clone()), Some(serde_json::json!(true)), "{made}");
    let nics = made["network_interfaces"].as_array().cloned().unwrap_or_default();
    assert_eq!(nics.len(), 1, "{made}");
    assert_eq!(nics.first().map(|n| s(&n["adapter_type"])).as_deref(), Some("e1000e"));
    assert_eq!(nics.first().map(|n| s(&n["network_id"])), Some(f.id("Network", "VM Network")));
    assert!(nics.first().is_some_and(|n| s(&n["mac_address"]).len() == 17), "{made}");

    tf.destroy();
}

#[test]
fn vm_lookups_that_miss_say_what_and_where() {
    let sim = Vcsim::start(&[]);
    let cases: &[(&str, &[&str])] = &[
        (
            r#"data "vi_vm" "x" { name = "nope" }"#,
            &["not found", r#"no virtual machine named "nope" in datacenter "DC0""#],
        ),
        (r#"data "vi_vm" "x" { path = "nowhere/nope" }"#, &["nothing at inventory path \"DC0/vm/nowhere/nope\""]),
        (
            r#"data "vi_vm" "x" { uuid = "00000000-0000-0000-0000-000000000000" }"#,
            &["Virtual machine not found", "00000000-0000-0000-0000-000000000000"],
        ),
        (r#"data "vi_vm" "x" { path = "/DC0/host/DC0_H0" }"#, &["Not a virtual machine"]),
        (r#"data "vi_vm" "x" {}"#, &["set one of `name`, `path`, `uuid` and `moid`"]),
        (
            r#"data "vi_vm" "x" {
  name = "DC0_H0_VM0"
  uuid = "abc"
}"#,
            &["Conflicting attributes"],
        ),
    ];
    for (hcl, wants) in cases {
        let tf = Tf::new(&(provider_block(&sim.sdk_url(), "") + hcl));
        tf.init();
        let err = tf.fails(&["plan", "-no-color"]);
        for w in *wants {
            assert!(err.contains(w), "plan of {hcl} should say {w:?}; it said:\n{err}");
        }
    }
}
