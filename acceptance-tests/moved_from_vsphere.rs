//! Switching from the vSphere provider: VMs the real `hashicorp/vsphere`
//! v2.16.1 created on vcsim move to `vi_vm` with `moved` blocks; the plan
//! shows only the moves, the apply changes nothing in vSphere, and the
//! managed object ids stay. Runs with every CLI on the machine that can
//! move state between providers, and says which.
use crate::harness::guide;
use crate::harness::peer::{self, Cli};
use crate::harness::terraform::Tf;
use crate::harness::vcsim::Vcsim;
use crate::vi_check;
use terraform_provider_vi::vi::MoType;
use terraform_provider_vi::vi::object::snapshot::snapshot_trees;

/// The vSphere provider on `sim`, with its datacenter and datastore.
fn peer_provider(sim: &Vcsim) -> String {
    format!(
        r#"terraform {{
  required_providers {{
    vsphere = {{ source = "hashicorp/vsphere", version = "{version}" }}
  }}
}}

provider "vsphere" {{
  vsphere_server       = "{addr}"
  user                 = "{user}"
  password             = "{password}"
  allow_unverified_ssl = true
}}

data "vsphere_datacenter" "dc" {{
  name = "DC0"
}}

data "vsphere_datastore" "ds" {{
  name          = "LocalDS_0"
  datacenter_id = data.vsphere_datacenter.dc.id
}}
"#,
        version = peer::PEER_VERSION,
        addr = sim.addr,
        user = sim.user(),
        password = sim.password(),
    )
}

fn peer_config(sim: &Vcsim) -> String {
    format!(
        r#"{provider}
# vcsim: the vSphere provider creates VMs in a standalone host's pool only.
data "vsphere_host" "host" {{
  name          = "DC0_H0"
  datacenter_id = data.vsphere_datacenter.dc.id
}}

data "vsphere_network" "net" {{
  name          = "VM Network"
  datacenter_id = data.vsphere_datacenter.dc.id
}}

resource "vsphere_virtual_machine" "web" {{
  count            = 2
  name             = "web-${{count.index}}"
  resource_pool_id = data.vsphere_host.host.resource_pool_id
  datastore_id     = data.vsphere_datastore.ds.id
  guest_id         = "otherLinux64Guest"
  num_cpus         = 2
  memory           = 1024

  wait_for_guest_net_timeout = 0
  wait_for_guest_ip_timeout  = 0

  disk {{
    label = "system"
    size  = 1
  }}

  disk {{
    label       = "data"
    size        = 2
    unit_number = 1
  }}

  network_interface {{
    network_id = data.vsphere_network.net.id
  }}

  lifecycle {{
    ignore_changes = [swap_placement_policy]
  }}
}}

resource "vsphere_virtual_machine_snapshot" "before_upgrade" {{
  virtual_machine_uuid = vsphere_virtual_machine.web[0].uuid
  snapshot_name        = "before-upgrade"
  description          = "taken by the vSphere provider"
  memory               = false
  quiesce              = false
}}

resource "vsphere_file" "iso" {{
  datacenter         = "DC0"
  datastore          = "LocalDS_0"
  source_file        = "${{path.module}}/tools.iso"
  destination_file   = "iso/tools.iso"
  create_directories = true
}}

resource "vsphere_virtual_machine" "db" {{
  name             = "db"
  resource_pool_id = data.vsphere_host.host.resource_pool_id
  datastore_id     = data.vsphere_datastore.ds.id
  guest_id         = "otherLinux64Guest"
  memory           = 512
  annotation       = "database"
  cpu_reservation  = 100

  wait_for_guest_net_timeout = 0
  wait_for_guest_ip_timeout  = 0

  disk {{
    label = "disk0"
    size  = 1
  }}

  network_interface {{
    network_id = data.vsphere_network.net.id
  }}

  lifecycle {{
    ignore_changes = [swap_placement_policy]
  }}
}}
"#,
        provider = peer_provider(sim),
    )
}

fn vi_provider(sim: &Vcsim) -> String {
    format!(
        r#"terraform {{
  required_providers {{
    vi = {{ source = "local/vi" }}
  }}
}}

provider "vi" {{
  url      = "{url}"
  user     = "{user}"
  password = "{password}"
  insecure = true
}}
"#,
        url = sim.sdk_url(),
        user = sim.user(),
        password = sim.password(),
    )
}

/// The same objects described for `vi`, as the migration guide writes
/// them (its HCL, read from the guide), with the `moved` blocks; and `db`,
/// whose CPU reservation has no counterpart.
fn vi_config(sim: &Vcsim) -> String {
    let guide = |name| guide::hcl("migrating-from-vsphere", name);
    format!(
        r#"{provider}
{data}
{vms}
{snapshot}
{file}
moved {{
  from = vsphere_virtual_machine.db
  to   = vi_vm.db
}}

resource "vi_vm" "db" {{
  name             = "db"
  resource_pool_id = data.vi_host.host.resource_pool_id
  datastore_id     = data.vi_datastore.ds.id
  guest_id         = "otherLinux64Guest"
  memory           = 512
  annotation       = "database"

  disk {{
    label = "disk0"
    size  = 1
  }}

  network_interface {{
    network_id = data.vi_network.net.id
  }}
}}
"#,
        provider = vi_provider(sim),
        data = guide("moved_data"),
        vms = guide("moved_vms"),
        snapshot = guide("moved_snapshot"),
        file = guide("moved_file"),
    )
}

/// The `vi` type each vSphere-provider type moves to.
const PAIRS: &[(&str, &str)] = &[
    ("vsphere_virtual_machine", "vi_vm"),
    ("vsphere_virtual_machine_snapshot", "vi_vm_snapshot"),
    ("vsphere_file", "vi_datastore_upload"),
    ("vsphere_vapp_container", "vi_vapp"),
    ("vsphere_content_library", "vi_catalog"),
    ("vsphere_content_library_item", "vi_catalog_item"),
];

/// (address, as the vSphere provider named it; what identifies the object
/// in vSphere) of every managed resource in a state's values: a managed
/// object id, a library's or item's id, a file's datastore path.
fn objects(values: &serde_json::Value) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = values["root_module"]["resources"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default()
        .iter()
        .filter(|r| r["mode"] == "managed")
        .map(|r| {
            let (t, v) = (r["type"].as_str().unwrap_or_default(), &r["values"]);
            let text = |k: &str| v[k].as_str().unwrap_or_default().to_owned();
            let what = match t {
                "vsphere_virtual_machine" => text("moid"),
                "vsphere_file" => format!("[{}] {}", text("datastore"), text("destination_file")),
                "vi_datastore_upload" => text("datastore_path"),
                _ => text("id"),
            };
            let address = r["address"].as_str().unwrap_or_default();
            let address = match PAIRS.iter().find(|(_, to)| address.starts_with(&format!("{to}."))) {
                Some((from, to)) => address.replacen(to, from, 1),
                None => address.to_owned(),
            };
            (address, what)
        })
        .collect();
    out.sort();
    out
}

/// Creates what `peer` describes with the vSphere provider, switches to
/// `vi` (whose configuration moves every resource), and checks: the plan
/// shows only moves, none with a change; the apply adds, changes and
/// destroys nothing; a re-plan is clean; the objects (and vcsim's VMs)
/// are the same ones. Returns the plan's text and the working directory.
fn move_all(cli: &Cli, sim: &Vcsim, peer: &str, vi: &str, files: &[(&str, &[u8])]) -> (String, Tf) {
    let tf = Tf::new(peer).with_cli(&cli.bin, &cli.config);
    for (name, bytes) in files {
        std::fs::write(tf.dir.path().join(name), bytes).expect("local file");
    }
    tf.init();
    // The vSphere provider's creates time out on vcsim when they overlap.
    tf.ok(&["apply", "-auto-approve", "-no-color", "-parallelism=1"]);
    let before = objects(&tf.show()["values"]);
    let vcsim_before = vi_check::vms_with_instance_uuid(sim);

    tf.write_main(vi);
    tf.ok(&["init", "-no-color"]);
    let plan = tf.ok(&["plan", "-no-color", "-out=moves.tfplan"]);
    assert!(plan.contains("Plan: 0 to add, 0 to change, 0 to destroy."), "{}: {plan}", cli.name);
    for (address, _) in &before {
        let (t, rest) = address.split_once('.').unwrap_or_default();
        let to = PAIRS.iter().find(|(from, _)| *from == t).map(|(_, to)| *to).unwrap_or("?");
        assert!(
            plan.contains(&format!("{address} has moved to {to}.{rest}")),
            "{}: no move of {address}:\n{plan}",
            cli.name
        );
    }
    let saved: serde_json::Value =
        serde_json::from_str(&tf.ok(&["show", "-json", "moves.tfplan"])).expect("show -json of the plan");
    let changes = saved["resource_changes"].as_array().cloned().unwrap_or_default();
    let moved: Vec<_> = changes.iter().filter(|c| c["mode"] == "managed").collect();
    assert_eq!(moved.len(), before.len(), "{}: {changes:?}", cli.name);
    for c in &moved {
        assert_eq!(c["change"]["actions"], serde_json::json!(["no-op"]), "{}: {c}", cli.name);
        let from = c["previous_address"].as_str().unwrap_or_default();
        assert!(PAIRS.iter().any(|(t, _)| from.starts_with(&format!("{t}."))), "{}: {c}", cli.name);
        if c["type"] == "vi_vm" {
            // A moved VM is an adopted one: a creation block is taken as written.
            assert_eq!(c["change"]["after"]["imported"], true, "{}: {c}", cli.name);
        }
    }

    let applied = tf.ok(&["apply", "-no-color", "moves.tfplan"]);
    assert!(applied.contains("0 added, 0 changed, 0 destroyed"), "{}: {applied}", cli.name);
    tf.assert_no_changes();

    // The same objects, under the same ids, in state and in vcsim.
    assert_eq!(objects(&tf.show()["values"]), before, "{}", cli.name);
    assert_eq!(vi_check::vms_with_instance_uuid(sim), vcsim_before, "{}", cli.name);
    (plan, tf)
}

/// The migration guide's scenario: two VMs with two disks each (and a
/// third whose CPU reservation has no counterpart), a snapshot of one, and
/// an uploaded file.
fn move_with(cli: &Cli) {
    let sim = Vcsim::start(&[]);
    let iso = b"an ISO the vSphere provider uploaded".repeat(1000);
    let (plan, tf) = move_all(cli, &sim, &peer_config(&sim), &vi_config(&sim), &[("tools.iso", &iso)]);
    assert_eq!(objects(&tf.show()["values"]).len(), 5, "{}", cli.name);
    // What has no counterpart is named, on the VM that had it.
    assert!(plan.contains("Settings not carried over to vi_vm"), "{}: {plan}", cli.name);
    assert!(plan.contains("cpu_reservation"), "{}: {plan}", cli.name);

    // The snapshot is the VM's, in vcsim, under its old id and name.
    let state = tf.show();
    let resources = state["values"]["root_module"]["resources"].as_array().cloned().unwrap_or_default();
    let snap = resources.iter().find(|r| r["type"] == "vi_vm_snapshot").expect("the snapshot");
    let vm = snap["values"]["vm_id"].as_str().expect("vm_id").to_owned();
    let objs = vi_check::with_client(&sim, async |c| {
        c.retrieve(&[MoType::VirtualMachine.moref(&vm)], &["snapshot"]).await.expect("snapshot tree")
    });
    let tree = objs.first().and_then(|o| o.node("snapshot")).map(snapshot_trees).unwrap_or_default();
    let names: Vec<_> = tree.iter().map(|t| (t.snapshot.value.clone(), t.name.clone())).collect();
    assert_eq!(names, [(snap["values"]["id"].as_str().unwrap_or_default().to_owned(), "before-upgrade".to_owned())]);
    // The upload's digest is the datastore copy's, read back at the move.
    let upload = resources.iter().find(|r| r["type"] == "vi_datastore_upload").expect("the upload");
    assert_eq!(upload["values"]["size"], serde_json::json!(iso.len()), "{}", cli.name);

    // A CLI that knows identity stored the moved VM's: its managed object id.
    if cli.version >= (1, 12, 0) {
        let raw = std::fs::read_to_string(tf.dir.path().join("terraform.tfstate")).expect("state file");
        let state: serde_json::Value = serde_json::from_str(&raw).expect("state JSON");
        let db = state["resources"].as_array().and_then(|rs| rs.iter().find(|r| r["name"] == "db")).expect("db");
        let moid = db["instances"][0]["attributes"]["id"].clone();
        assert_eq!(db["instances"][0]["identity"], serde_json::json!({ "id": moid }), "{}", cli.name);
    }
}

#[test]
fn vms_move_from_the_vsphere_provider_with_no_change() {
    let test = "moved_from_vsphere::vms_move_from_the_vsphere_provider_with_no_change";
    let peer = match peer::peer_binary() {
        Ok(p) => p,
        Err(why) => return peer::skip_loudly(test, &why),
    };
    let none = "no CLI on this machine can move state between providers";
    peer::with_each_cli(test, peer::move_capable_clis(&peer), none, move_with);
}

/// A vApp, a content library and an OVF template in it, made by the
/// vSphere provider.
fn peer_library_config(sim: &Vcsim) -> String {
    format!(
        r#"{provider}
data "vsphere_compute_cluster" "cluster" {{
  name          = "DC0_C0"
  datacenter_id = data.vsphere_datacenter.dc.id
}}

resource "vsphere_vapp_container" "app" {{
  name                    = "app"
  parent_resource_pool_id = data.vsphere_compute_cluster.cluster.resource_pool_id
  cpu_reservation         = 10
}}

resource "vsphere_content_library" "lib" {{
  name            = "lib"
  description     = "templates"
  storage_backing = [data.vsphere_datastore.ds.id]
}}

resource "vsphere_content_library_item" "tiny" {{
  name       = "tiny"
  library_id = vsphere_content_library.lib.id
  file_url   = "${{path.module}}/tiny.ovf"
}}
"#,
        provider = peer_provider(sim),
    )
}

/// An OVF descriptor with no disk: what the library item holds.
const TINY_OVF: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<Envelope xmlns="http://schemas.dmtf.org/ovf/envelope/1" xmlns:ovf="http://schemas.dmtf.org/ovf/envelope/1"
    xmlns:rasd="http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/CIM_ResourceAllocationSettingData"
    xmlns:vssd="http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/CIM_VirtualSystemSettingData">
  <VirtualSystem ovf:id="tiny">
    <Info>A tiny appliance</Info>
    <VirtualHardwareSection>
      <Info>Its hardware</Info>
      <System><vssd:ElementName>Virtual hardware</vssd:ElementName><vssd:InstanceID>0</vssd:InstanceID><vssd:VirtualSystemType>vmx-19</vssd:VirtualSystemType></System>
      <Item><rasd:ElementName>1 vCPU</rasd:ElementName><rasd:InstanceID>1</rasd:InstanceID><rasd:ResourceType>3</rasd:ResourceType><rasd:VirtualQuantity>1</rasd:VirtualQuantity></Item>
      <Item><rasd:AllocationUnits>byte * 2^20</rasd:AllocationUnits><rasd:ElementName>256 MB</rasd:ElementName><rasd:InstanceID>2</rasd:InstanceID><rasd:ResourceType>4</rasd:ResourceType><rasd:VirtualQuantity>256</rasd:VirtualQuantity></Item>
    </VirtualHardwareSection>
  </VirtualSystem>
</Envelope>
"#;

fn vapp_and_library_move_with(cli: &Cli) {
    let sim = Vcsim::start(&[]);
    let guide = |name| guide::hcl("migrating-from-vsphere", name);
    let vi = format!(
        "{}
{}
{}
{}",
        vi_provider(&sim),
        guide("moved_data"),
        guide("moved_vapp"),
        guide("moved_library")
    );
    let (_, tf) = move_all(cli, &sim, &peer_library_config(&sim), &vi, &[("tiny.ovf", TINY_OVF.as_bytes())]);
    let state = tf.show();
    let resources = state["values"]["root_module"]["resources"].as_array().cloned().unwrap_or_default();
    let of = |t: &str| resources.iter().find(|r| r["type"] == t).map(|r| r["values"].clone()).unwrap_or_default();
    // Read from vSphere at the move: the vApp's settings, the item's facts.
    assert_eq!(of("vi_vapp")["cpu_reservation"], 10, "{}", cli.name);
    assert_eq!(of("vi_catalog")["datastore_id"], of("vi_datastore")["id"], "{}", cli.name);
    let item = of("vi_catalog_item");
    assert_eq!(item["virtual_systems"][0]["num_cpus"], 1, "{}: {item}", cli.name);
    assert!(item["source_sha256"].as_str().is_some_and(|s| s.len() == 64), "{}: {item}", cli.name);
}

#[test]
fn a_vapp_and_a_library_move_from_the_vsphere_provider_with_no_change() {
    let test = "moved_from_vsphere::a_vapp_and_a_library_move_from_the_vsphere_provider_with_no_change";
    let peer = match peer::peer_binary() {
        Ok(p) => p,
        Err(why) => return peer::skip_loudly(test, &why),
    };
    let none = "no CLI on this machine can move state between providers";
    peer::with_each_cli(test, peer::move_capable_clis(&peer), none, vapp_and_library_move_with);
}

#[test]
fn a_move_from_an_unsupported_type_names_what_is_supported() {
    let test = "moved_from_vsphere::a_move_from_an_unsupported_type_names_what_is_supported";
    let peer = match peer::peer_binary() {
        Ok(p) => p,
        Err(why) => return peer::skip_loudly(test, &why),
    };
    let (clis, _) = peer::move_capable_clis(&peer);
    let Some(cli) = clis.first() else {
        return peer::skip_loudly(test, "no CLI on this machine can move state between providers");
    };
    let sim = Vcsim::start(&[]);
    let tf = Tf::new(&peer_config(&sim)).with_cli(&cli.bin, &cli.config);
    std::fs::write(tf.dir.path().join("tools.iso"), b"an ISO").expect("local file");
    tf.init();
    // The vSphere provider's creates time out on vcsim when they overlap.
    tf.ok(&["apply", "-auto-approve", "-no-color", "-parallelism=1"]);
    // A vi_vm_snapshot takes over no other type's state.
    let config = vi_config(&sim).replace(
        "moved {\n  from = vsphere_virtual_machine.db\n  to   = vi_vm.db\n}",
        "moved {\n  from = vsphere_virtual_machine.db\n  to   = vi_vm_snapshot.db\n}\n\nresource \"vi_vm_snapshot\" \"db\" {\n  vm_id = vi_vm.web[0].id\n  name  = \"s\"\n}",
    );
    tf.write_main(&config);
    tf.ok(&["init", "-no-color"]);
    let out = tf.fails(&["plan", "-no-color"]);
    // The CLI wraps long lines.
    let flat = out.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(flat.contains("Move not supported"), "{}: {out}", cli.name);
    // It names the type it takes over, and its schema version.
    assert!(
        flat.contains(
            "vi_vm_snapshot takes over the state of vsphere_virtual_machine_snapshot (hashicorp/vsphere, schema \
             versions 0) only, not vsphere_virtual_machine"
        ),
        "{}: {out}",
        cli.name
    );
    println!("{test}: passed with {}", cli.name);
}
