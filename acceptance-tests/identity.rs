//! Resource identity (protocol 5.9): a `vi_vm` is identified by its managed
//! object id, stored by the CLI beside the state, kept across refreshes,
//! and usable to import (`import { identity = { id = ... } }`). Runs with
//! every CLI on the machine that knows identity, and says which.
use crate::harness::peer::{self, Cli};
use crate::harness::terraform::{Tf, provider_block};
use crate::harness::vcsim::Vcsim;
use crate::vi_check;

/// The identity the CLI stored for `address` in the working directory's
/// state, and its version.
fn stored_identity(tf: &Tf, address: &str) -> (serde_json::Value, serde_json::Value) {
    let raw = std::fs::read_to_string(tf.dir.path().join("terraform.tfstate")).expect("state file");
    let state: serde_json::Value = serde_json::from_str(&raw).expect("state JSON");
    let (kind, name) = address.split_once('.').expect("address");
    let r = state["resources"]
        .as_array()
        .and_then(|rs| rs.iter().find(|r| r["type"] == kind && r["name"] == name))
        .unwrap_or_else(|| panic!("no {address} in state:\n{raw}"));
    let i = &r["instances"][0];
    (i["identity"].clone(), i["identity_schema_version"].clone())
}

fn identity_with(cli: &Cli) {
    let sim = Vcsim::start(&[]);
    let facts = vi_check::facts(&sim);
    let pool = facts.prop("ComputeResource", "DC0_H0", "resourcePool");
    let ds = facts.id("Datastore", "LocalDS_0");
    let created = Tf::new(&format!(
        r#"{provider}
resource "vi_vm" "web" {{
  name             = "id-web"
  resource_pool_id = "{pool}"
  datastore_id     = "{ds}"
  guest_id         = "otherLinux64Guest"
  memory           = 512
  disk {{
    label = "os"
    size  = 1
  }}
}}
"#,
        provider = provider_block(&sim.sdk_url(), ""),
    ))
    .with_cli(&cli.bin, &cli.config);
    created.init();
    created.apply();
    let id =
        created.show()["values"]["root_module"]["resources"][0]["values"]["id"].as_str().unwrap_or_default().to_owned();
    assert!(id.starts_with("vm-"), "{}: {id}", cli.name);
    assert_eq!(stored_identity(&created, "vi_vm.web"), (serde_json::json!({"id": id}), 0.into()), "{}", cli.name);
    // A refresh hands the same identity back: no "identity changed" error.
    created.assert_no_changes();

    // A VM vcsim made, adopted by identity with generated configuration.
    let theirs = facts.id("VirtualMachine", "DC0_H0_VM0");
    let adopted = Tf::new(&format!(
        r#"{provider}
import {{
  to       = vi_vm.adopted
  identity = {{ id = "{theirs}" }}
}}
"#,
        provider = provider_block(&sim.sdk_url(), ""),
    ))
    .with_cli(&cli.bin, &cli.config);
    adopted.init();
    let plan = adopted.ok(&["plan", "-no-color", "-generate-config-out=generated.tf", "-out=import.tfplan"]);
    assert!(plan.contains("1 to import, 0 to add, 0 to change, 0 to destroy"), "{}: {plan}", cli.name);
    adopted.ok(&["apply", "-no-color", "import.tfplan"]);
    assert_eq!(stored_identity(&adopted, "vi_vm.adopted").0, serde_json::json!({"id": theirs}), "{}", cli.name);
    let state = adopted.show();
    assert_eq!(state["values"]["root_module"]["resources"][0]["values"]["id"], theirs.as_str(), "{}", cli.name);
    adopted.assert_no_changes();
}

#[test]
fn a_vm_is_identified_by_its_managed_object_id() {
    let test = "identity::a_vm_is_identified_by_its_managed_object_id";
    let (clis, skipped) = peer::identity_capable_clis();
    for s in &skipped {
        eprintln!("{test}: not run with {s}");
    }
    if clis.is_empty() {
        return peer::skip_loudly(test, "no CLI on this machine knows resource identity");
    }
    for cli in &clis {
        identity_with(cli);
    }
    let names: Vec<&str> = clis.iter().map(|c| c.name.as_str()).collect();
    println!("{test}: passed with {}", names.join(", "));
    eprintln!("{test}: passed with {}", names.join(", "));
}
