//! Switching from the vSphere provider: VMs the real `hashicorp/vsphere`
//! v2.16.1 created on vcsim move to `vi_vm` with `moved` blocks; the plan
//! shows only the moves, the apply changes nothing in vSphere, and the
//! managed object ids stay. Runs with every CLI on the machine that can
//! move state between providers, and says which.
use crate::harness::peer::{self, Cli};
use crate::harness::terraform::Tf;
use crate::harness::vcsim::Vcsim;
use crate::vi_check;

fn peer_config(sim: &Vcsim) -> String {
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
        version = peer::PEER_VERSION,
        addr = sim.addr,
        user = sim.user(),
        password = sim.password(),
    )
}

/// The same objects described for `vi`, as the migration guide writes
/// them, with the `moved` blocks.
fn vi_config(sim: &Vcsim) -> String {
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

data "vi_datastore" "ds" {{
  name = "LocalDS_0"
}}

data "vi_host" "host" {{
  name = "DC0_H0"
}}

data "vi_network" "net" {{
  name = "VM Network"
}}

moved {{
  from = vsphere_virtual_machine.web
  to   = vi_vm.web
}}

resource "vi_vm" "web" {{
  count            = 2
  name             = "web-${{count.index}}"
  resource_pool_id = data.vi_host.host.resource_pool_id
  datastore_id     = data.vi_datastore.ds.id
  guest_id         = "otherLinux64Guest"
  num_cpus         = 2
  memory           = 1024

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
    network_id = data.vi_network.net.id
  }}
}}

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
        url = sim.sdk_url(),
        user = sim.user(),
        password = sim.password(),
    )
}

/// address → managed object id, of the VMs in a state or a plan's values.
fn moids(values: &serde_json::Value, attr: &str) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = values["root_module"]["resources"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default()
        .iter()
        .filter(|r| r["mode"] == "managed")
        .map(|r| {
            let address = r["address"].as_str().unwrap_or_default().to_owned();
            (address, r["values"][attr].as_str().unwrap_or_default().to_owned())
        })
        .collect();
    out.sort();
    out
}

fn move_with(cli: &Cli) {
    let sim = Vcsim::start(&[]);
    let tf = Tf::new(&peer_config(&sim)).with_cli(&cli.bin, &cli.config);
    tf.init();
    // The vSphere provider's creates time out on vcsim when they overlap.
    tf.ok(&["apply", "-auto-approve", "-no-color", "-parallelism=1"]);
    let before = moids(&tf.show()["values"], "moid");
    assert_eq!(before.len(), 3, "{before:?}");
    let vcsim_before = vi_check::vms_with_instance_uuid(&sim);

    tf.write_main(&vi_config(&sim));
    tf.ok(&["init", "-no-color"]);
    let plan = tf.ok(&["plan", "-no-color", "-out=moves.tfplan"]);
    assert!(plan.contains("Plan: 0 to add, 0 to change, 0 to destroy."), "{}: {plan}", cli.name);
    for addr in ["web[0]", "web[1]", "db"] {
        assert!(
            plan.contains(&format!("vsphere_virtual_machine.{addr} has moved to vi_vm.{addr}")),
            "{}: no move of {addr}:\n{plan}",
            cli.name
        );
    }
    // What has no counterpart is named, on the VM that had it.
    assert!(plan.contains("Settings not carried over to vi_vm"), "{}: {plan}", cli.name);
    assert!(plan.contains("cpu_reservation"), "{}: {plan}", cli.name);
    let saved: serde_json::Value =
        serde_json::from_str(&tf.ok(&["show", "-json", "moves.tfplan"])).expect("show -json of the plan");
    let changes = saved["resource_changes"].as_array().cloned().unwrap_or_default();
    let moved: Vec<_> = changes.iter().filter(|c| c["mode"] == "managed").collect();
    assert_eq!(moved.len(), 3, "{}: {changes:?}", cli.name);
    for c in &moved {
        assert_eq!(c["change"]["actions"], serde_json::json!(["no-op"]), "{}: {c}", cli.name);
        let from = c["previous_address"].as_str().unwrap_or_default();
        assert!(from.starts_with("vsphere_virtual_machine."), "{}: {c}", cli.name);
        // A moved VM is an adopted one: a creation block is taken as written.
        assert_eq!(c["change"]["after"]["imported"], true, "{}: {c}", cli.name);
    }

    let applied = tf.ok(&["apply", "-no-color", "moves.tfplan"]);
    assert!(applied.contains("0 added, 0 changed, 0 destroyed"), "{}: {applied}", cli.name);
    tf.assert_no_changes();

    // The same VMs, under the same managed object ids, in state and in vcsim.
    let after: Vec<(String, String)> = moids(&tf.show()["values"], "id")
        .into_iter()
        .map(|(a, id)| (a.replacen("vi_vm.", "vsphere_virtual_machine.", 1), id))
        .collect();
    assert_eq!(after, before, "{}", cli.name);
    assert_eq!(vi_check::vms_with_instance_uuid(&sim), vcsim_before, "{}", cli.name);

    // A CLI that knows identity stored the moved VM's: its managed object id.
    if cli.version >= (1, 12, 0) {
        let raw = std::fs::read_to_string(tf.dir.path().join("terraform.tfstate")).expect("state file");
        let state: serde_json::Value = serde_json::from_str(&raw).expect("state JSON");
        let db = state["resources"].as_array().and_then(|rs| rs.iter().find(|r| r["name"] == "db")).expect("db");
        let moid = &before.iter().find(|(a, _)| a == "vsphere_virtual_machine.db").expect("db moid").1;
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
    let (clis, skipped) = peer::move_capable_clis(&peer);
    for s in &skipped {
        eprintln!("{test}: not run with {s}");
    }
    if clis.is_empty() {
        return peer::skip_loudly(test, "no CLI on this machine can move state between providers");
    }
    for cli in &clis {
        move_with(cli);
    }
    let names: Vec<&str> = clis.iter().map(|c| c.name.as_str()).collect();
    println!("{test}: passed with {}", names.join(", "));
    eprintln!("{test}: passed with {}", names.join(", "));
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
    assert!(
        flat.contains("vi_vm_snapshot cannot take over the state of vsphere_virtual_machine"),
        "{}: {out}",
        cli.name
    );
    println!("{test}: passed with {}", cli.name);
}
