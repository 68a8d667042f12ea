//! `vi_vm` against vcsim: create, update, power, clone, import, drift,
//! deletion outside Terraform, plan-time rules, and batched refreshes.
use crate::harness::terraform::{Tf, provider_block};
use crate::harness::vcsim::{Vcsim, soap_calls, traced_vcsim};
use crate::vi_check::{self, vm_info};

use terraform_provider_vi::vi::ManagedObjectReference;
use terraform_provider_vi::vi::object::vm_spec::VirtualMachineConfigSpec;

/// Ids of the objects the VM tests place VMs on.
pub(crate) struct Place {
    pub pool: String,
    pub datastore: String,
    pub network: String,
    pub dvpg: String,
}

pub(crate) fn place(sim: &Vcsim) -> Place {
    let f = vi_check::facts(sim);
    Place {
        pool: f.prop("ComputeResource", "DC0_H0", "resourcePool"),
        datastore: f.id("Datastore", "LocalDS_0"),
        network: f.id("Network", "VM Network"),
        dvpg: f.id("DistributedVirtualPortgroup", "DC0_DVPG0"),
    }
}

pub(crate) fn vm_count(sim: &Vcsim) -> usize {
    let (rt, c) = vi_check::client(sim);
    let root = c.service_content().root_folder.clone();
    rt.block_on(c.list_by_type(&root, "VirtualMachine", &["name"])).expect("list VMs").len()
}

pub(crate) fn id_of(tf: &Tf, output: &str) -> String {
    tf.outputs()[output].as_str().unwrap_or_default().to_owned()
}

const WEB_ID: &str = "\noutput \"id\" {\n  value = vi_vm.web.id\n}\n";

fn basic_vm(p: &Place, memory: i64, cpus: i64, disk1: i64, second_net: &str, extra: &str) -> String {
    format!(
        r#"
resource "vi_vm" "web" {{
  name             = "web-1"
  resource_pool_id = "{pool}"
  datastore_id     = "{ds}"
  guest_id         = "otherLinux64Guest"
  num_cpus         = {cpus}
  memory           = {memory}
  annotation       = "made by terraform"
  extra_config = {{
    "guestinfo.role" = "web"
  }}
{extra}
  disk {{
    label = "os"
    size  = 2
  }}
  disk {{
    label = "data"
    size  = {disk1}
  }}
  network_interface {{
    network_id = "{net}"
  }}
  network_interface {{
    network_id   = "{second_net}"
    adapter_type = "e1000e"
  }}
}}
"#,
        pool = p.pool,
        ds = p.datastore,
        net = p.network,
    )
}

#[test]
fn blank_vm_with_two_disks_and_two_nics_then_updates_and_power() {
    let sim = Vcsim::start(&[]);
    let p = place(&sim);
    let before = vm_count(&sim);
    let hcl = |mem, cpus, disk1, net: &str, extra: &str| {
        provider_block(&sim.sdk_url(), "") + &basic_vm(&p, mem, cpus, disk1, net, extra) + WEB_ID
    };

    let tf = Tf::new(&hcl(1024, 2, 1, &p.dvpg, ""));
    tf.init_apply_replan();
    let id = id_of(&tf, "id");
    let info = vm_info(&sim, &id).expect("VM exists in vcsim");
    assert_eq!(info.name, "web-1");
    assert_eq!(info.memory_mb, Some(1024));
    assert_eq!(info.num_cpus, Some(2));
    assert!(info.is_powered_on());
    assert_eq!(info.annotation.as_deref(), Some("made by terraform"));
    assert_eq!(info.extra_config.get("guestinfo.role").map(String::as_str), Some("web"));
    let disks: Vec<_> = info.devices.iter().filter(|d| d.is_disk()).collect();
    assert_eq!(disks.len(), 2, "{:?}", info.devices);
    assert_eq!(disks[1].capacity_kb, Some(1024 * 1024));
    let nics: Vec<_> = info.devices.iter().filter(|d| d.is_nic()).collect();
    assert_eq!(nics.iter().map(|n| n.kind.as_str()).collect::<Vec<_>>(), vec!["VirtualVmxnet3", "VirtualE1000e"]);
    assert!(info.devices.iter().any(|d| d.kind == "ParaVirtualSCSIController"));

    // CPU and memory on a running VM need consent to power-cycle: plan says so.
    tf.write_main(&hcl(2048, 4, 3, &p.network, ""));
    let err = tf.fails(&["plan", "-no-color"]);
    assert!(err.contains("reboot_allowed"), "{err}");

    // With consent: CPU, memory, disk growth and a NIC moved to another network.
    tf.write_main(&hcl(2048, 4, 3, &p.network, "  reboot_allowed = true\n"));
    tf.apply();
    tf.assert_no_changes();
    let info = vm_info(&sim, &id).expect("VM still exists");
    assert_eq!(info.memory_mb, Some(2048));
    assert_eq!(info.num_cpus, Some(4));
    let disks: Vec<_> = info.devices.iter().filter(|d| d.is_disk()).collect();
    assert_eq!(disks[1].capacity_kb, Some(3 * 1024 * 1024));
    assert!(info.is_powered_on(), "powered on again after the cycle");
    let show = tf.show();
    let nets: Vec<&str> = show["values"]["root_module"]["resources"][0]["values"]["network_interface"]
        .as_array()
        .map(|a| a.iter().filter_map(|n| n["network_id"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(nets, vec![p.network.as_str(), p.network.as_str()]);

    // Power off, then on.
    tf.write_main(&hcl(2048, 4, 3, &p.network, "  reboot_allowed = true\n  power_state = \"off\"\n"));
    tf.apply();
    tf.assert_no_changes();
    assert!(!vm_info(&sim, &id).expect("VM").is_powered_on());
    tf.write_main(&hcl(2048, 4, 3, &p.network, "  reboot_allowed = true\n"));
    tf.apply();
    tf.assert_no_changes();
    assert!(vm_info(&sim, &id).expect("VM").is_powered_on());

    tf.destroy();
    assert!(vm_info(&sim, &id).is_none());
    assert_eq!(vm_count(&sim), before, "destroy leaves no extra VMs");
}

#[test]
fn efi_vm_with_secure_boot() {
    let sim = Vcsim::start(&[]);
    let p = place(&sim);
    let tf = Tf::new(&format!(
        r#"{provider}
resource "vi_vm" "efi" {{
  name             = "efi-1"
  resource_pool_id = "{pool}"
  datastore_id     = "{ds}"
  guest_id         = "windows2019srv_64Guest"
  firmware         = "efi"
  efi_secure_boot  = true
  hardware_version = 19
  memory           = 4096
  power_state      = "off"
  disk {{
    label = "os"
    size  = 4
  }}
}}
output "id" {{ value = vi_vm.efi.id }}
"#,
        provider = provider_block(&sim.sdk_url(), ""),
        pool = p.pool,
        ds = p.datastore
    ));
    tf.init_apply_replan();
    let info = vm_info(&sim, &id_of(&tf, "id")).expect("VM");
    assert_eq!(info.firmware.as_deref(), Some("efi"));
    assert_eq!(info.efi_secure_boot, Some(true));
    assert_eq!(info.version.as_deref(), Some("vmx-19"));
    tf.destroy();
}

#[test]
fn clone_of_a_vcsim_vm() {
    let sim = Vcsim::start(&[]);
    let p = place(&sim);
    let source = vi_check::facts(&sim).id("VirtualMachine", "DC0_H0_VM0");
    let before = vm_count(&sim);
    let tf = Tf::new(&format!(
        r#"{provider}
resource "vi_vm" "copy" {{
  name             = "clone-1"
  resource_pool_id = "{pool}"
  num_cpus         = 2
  memory           = 2048
  hardware_version = 19
  clone {{
    source_id = "{source}"
  }}
  network_interface {{
    network_id = "{net}"
  }}
}}
output "id" {{ value = vi_vm.copy.id }}
"#,
        provider = provider_block(&sim.sdk_url(), ""),
        pool = p.pool,
        net = p.network,
    ));
    tf.init_apply_replan();
    let info = vm_info(&sim, &id_of(&tf, "id")).expect("clone exists");
    assert_eq!(info.name, "clone-1");
    assert_eq!(info.memory_mb, Some(2048));
    // The source is vmx-13: the clone is upgraded to what was asked.
    assert_eq!(info.version.as_deref(), Some("vmx-19"));
    assert_eq!(vm_count(&sim), before + 1);
    tf.destroy();
    assert_eq!(vm_count(&sim), before);
}

#[test]
fn import_then_plan_shows_no_changes() {
    let sim = Vcsim::start(&[]);
    let p = place(&sim);
    // Outputs are not imported: the adopting configurations have none.
    let config = provider_block(&sim.sdk_url(), "") + &basic_vm(&p, 1024, 1, 1, &p.network, "");
    let made = Tf::new(&(config.clone() + WEB_ID));
    made.init_apply_replan();
    let id = id_of(&made, "id");

    let adopted = Tf::new(&config);
    adopted.init();
    adopted.ok(&["import", "-no-color", "vi_vm.web", &id]);
    adopted.assert_no_changes();
    // Also by inventory path.
    let by_path = Tf::new(&config);
    by_path.init();
    by_path.ok(&["import", "-no-color", "vi_vm.web", "/DC0/vm/web-1"]);
    by_path.assert_no_changes();

    made.destroy();
}

#[test]
fn drift_and_deletion_outside_terraform_show_in_the_plan() {
    let sim = Vcsim::start(&[]);
    let p = place(&sim);
    let tf = Tf::new(
        &(provider_block(&sim.sdk_url(), "")
            + &basic_vm(&p, 1024, 1, 1, &p.network, "  reboot_allowed = true\n")
            + WEB_ID),
    );
    tf.init_apply_replan();
    let vm = ManagedObjectReference::new("VirtualMachine", id_of(&tf, "id"));

    let (rt, c) = vi_check::client(&sim);
    let spec = VirtualMachineConfigSpec { memory_mb: Some(4096), ..Default::default() };
    rt.block_on(c.vm(&vm).reconfigure(&spec, None)).expect("change memory behind Terraform's back");
    let text = tf.assert_changes();
    assert!(text.contains("memory") && text.contains("4096 -> 1024"), "{text}");

    rt.block_on(c.vm(&vm).power_off(None)).expect("power off");
    rt.block_on(c.vm(&vm).destroy(None)).expect("destroy behind Terraform's back");
    let text = tf.assert_changes();
    assert!(text.contains("will be created"), "{text}");
    // Applying re-creates it and converges.
    tf.apply();
    tf.assert_no_changes();
    tf.destroy();
}

#[test]
fn plan_time_rules_reject_bad_hardware_on_the_right_attribute() {
    let sim = Vcsim::start(&[]);
    let p = place(&sim);
    let cases: &[(&str, &str, &[&str])] = &[
        ("memory = 1023", "", &["memory = 1023", "multiple of 4"]),
        ("num_cpus = 3\n  num_cores_per_socket = 2", "", &["num_cpus"]),
        ("efi_secure_boot = true", "", &["efi_secure_boot", "efi"]),
        ("scsi_type = \"ide\"", "", &["scsi_type", "pvscsi"]),
        ("", "disk {\n    label = \"d\"\n    size = 1\n    unit_number = 7\n  }", &["unit_number = 7"]),
        (
            "",
            "network_interface {\n    network_id = \"x\"\n    mac_address = \"02:00:00:00:00:01\"\n  }",
            &["mac_address", "00:50:56:00:00:00"],
        ),
        (
            "",
            "network_interface {\n    network_id = \"x\"\n    adapter_type = \"rtl8139\"\n  }",
            &["adapter_type", "vmxnet3"],
        ),
        ("", "cdrom {\n    datastore_path = \"[LocalDS_0] ../etc/passwd\"\n  }", &["datastore_path", ".."]),
    ];
    for (attrs, blocks, wants) in cases {
        let tf = Tf::new(&format!(
            r#"{provider}
resource "vi_vm" "bad" {{
  name             = "bad"
  resource_pool_id = "{pool}"
  datastore_id     = "{ds}"
  {attrs}
  {blocks}
}}
"#,
            provider = provider_block(&sim.sdk_url(), ""),
            pool = p.pool,
            ds = p.datastore
        ));
        tf.init();
        let err = tf.fails(&["plan", "-no-color"]);
        for w in *wants {
            assert!(err.contains(w), "plan with `{attrs}{blocks}` should mention {w:?}:\n{err}");
        }
    }
    assert_eq!(vm_count(&sim), 4, "nothing was created");
}

#[test]
fn refreshing_thirty_vms_is_batched() {
    let dir = tempfile::tempdir().expect("dir");
    let (sim, trace) = traced_vcsim(dir.path(), &[]);
    let p = place(&sim);
    let tf = Tf::new(&format!(
        r#"{provider}
resource "vi_vm" "many" {{
  count            = 30
  name             = "many-${{count.index}}"
  resource_pool_id = "{pool}"
  datastore_id     = "{ds}"
  power_state      = "off"
}}
"#,
        provider = provider_block(&sim.sdk_url(), ""),
        pool = p.pool,
        ds = p.datastore
    ));
    tf.init();
    tf.apply();
    let pc = |t: &std::path::Path| {
        soap_calls(t, "RetrievePropertiesEx")
            + soap_calls(t, "ContinueRetrievePropertiesEx")
            + soap_calls(t, "RetrieveProperties")
    };
    let before = pc(&trace);
    tf.assert_no_changes();
    let refresh_calls = pc(&trace) - before;
    assert!(refresh_calls <= 5, "refreshing 30 VMs took {refresh_calls} PropertyCollector calls");
    tf.destroy();
}

#[test]
fn a_task_past_its_deadline_is_reported_and_the_vm_is_kept() {
    let sim = Vcsim::start(&["-method-delay", "PowerOnVM_Task:4000"]);
    let p = place(&sim);
    let before = vm_count(&sim);
    let tf = Tf::new(&format!(
        r#"{provider}
resource "vi_vm" "slow" {{
  name             = "slow-1"
  resource_pool_id = "{pool}"
  datastore_id     = "{ds}"
  timeouts {{
    create = "1s"
  }}
}}
"#,
        provider = provider_block(&sim.sdk_url(), ""),
        pool = p.pool,
        ds = p.datastore
    ));
    tf.init();
    let err = tf.fails(&["apply", "-auto-approve", "-no-color"]);
    // vcsim delays the call itself, not the task, so the call is what
    // times out here (a slow task is named by its id: unit-tested).
    assert!(err.contains("PowerOnVM_Task call had not returned by the deadline"), "{err}");
    // The VM exists and is in state (tainted), not orphaned.
    assert_eq!(vm_count(&sim), before + 1);
    let state = tf.ok(&["state", "list"]);
    assert!(state.contains("vi_vm.slow"), "{state}");
    let show = tf.ok(&["show", "-no-color"]);
    assert!(show.contains("tainted"), "{show}");
    tf.destroy();
    assert_eq!(vm_count(&sim), before);
}

#[test]
fn cdrom_media_changes_in_place() {
    let sim = Vcsim::start(&[]);
    let p = place(&sim);
    let hcl = |cdrom: &str| {
        format!(
            r#"{provider}
resource "vi_vm" "iso" {{
  name             = "iso-1"
  resource_pool_id = "{pool}"
  datastore_id     = "{ds}"
  {cdrom}
}}
output "id" {{ value = vi_vm.iso.id }}
"#,
            provider = provider_block(&sim.sdk_url(), ""),
            pool = p.pool,
            ds = p.datastore
        )
    };
    let tf = Tf::new(&hcl("cdrom {\n    datastore_path = \"[LocalDS_0] a.iso\"\n  }"));
    tf.init_apply_replan();
    let id = id_of(&tf, "id");
    let iso = |sim: &Vcsim| {
        vm_info(sim, &id).expect("VM").devices.iter().find_map(|d| match &d.backing {
            terraform_provider_vi::vi::object::vm_device::Backing::Iso { file_name, .. } => Some(file_name.clone()),
            _ => None,
        })
    };
    assert_eq!(iso(&sim).as_deref(), Some("[LocalDS_0] a.iso"));
    tf.write_main(&hcl(&format!("cdrom {{\n    datastore_id = \"{}\"\n    path = \"b.iso\"\n  }}", p.datastore)));
    tf.apply();
    tf.assert_no_changes();
    assert_eq!(iso(&sim).as_deref(), Some("[LocalDS_0] b.iso"));
    assert_eq!(id_of(&tf, "id"), id, "changed in place");
    tf.write_main(&hcl(""));
    tf.apply();
    tf.assert_no_changes();
    assert_eq!(iso(&sim), None);
    tf.destroy();
}

#[test]
fn nics_on_standard_distributed_and_opaque_networks() {
    let sim = Vcsim::start(&["-nsx", "1"]);
    let p = place(&sim);
    let tf = Tf::new(&format!(
        r#"{provider}
data "vi_network" "std" {{ name = "VM Network" }}
data "vi_network" "dvpg" {{ name = "DC0_DVPG0" }}
data "vi_network" "nsx" {{ name = "DC0_NSX0" }}

resource "vi_vm" "nets" {{
  name             = "nets-1"
  resource_pool_id = "{pool}"
  datastore_id     = "{ds}"
  power_state      = "off"
  network_interface {{ network_id = data.vi_network.std.id }}
  network_interface {{ network_id = data.vi_network.dvpg.id }}
  network_interface {{ network_id = data.vi_network.nsx.id }}
}}
output "id" {{ value = vi_vm.nets.id }}
output "types" {{ value = [data.vi_network.std.type, data.vi_network.dvpg.type, data.vi_network.nsx.type] }}
"#,
        provider = provider_block(&sim.sdk_url(), ""),
        pool = p.pool,
        ds = p.datastore
    ));
    tf.init_apply_replan();
    let out = tf.outputs();
    assert_eq!(out["types"], serde_json::json!(["Network", "DistributedVirtualPortgroup", "OpaqueNetwork"]));
    let info = vm_info(&sim, out["id"].as_str().unwrap_or_default()).expect("VM");
    use terraform_provider_vi::vi::object::vm_device::Backing;
    let backings: Vec<&str> = info
        .devices
        .iter()
        .filter(|d| d.is_nic())
        .map(|d| match &d.backing {
            Backing::Network { .. } => "standard",
            Backing::DvPort { switch_uuid, .. } if !switch_uuid.is_empty() => "distributed",
            Backing::OpaqueNetwork { .. } => "opaque",
            _ => "other",
        })
        .collect();
    assert_eq!(backings, vec!["standard", "distributed", "opaque"]);
    tf.destroy();
}
