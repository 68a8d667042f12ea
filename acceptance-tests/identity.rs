//! Resource identity (protocol 5.9): a `vi_vm` is identified by its managed
//! object id, a snapshot by its VM and id, a vApp property by its target
//! and key, an upload by its datastore and path; stored by the CLI beside
//! the state, kept across refreshes, and usable to import (`import {
//! identity = { ... } }`). Runs with every CLI on the machine that knows
//! identity, and says which.
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
    peer::with_each_cli(
        test,
        peer::identity_capable_clis(),
        "no CLI on this machine knows resource identity",
        identity_with,
    );
}

/// Each resource's identity, as the CLI stores it; then a snapshot, a vApp
/// property, a vApp and a catalog imported by identity into a second
/// configuration that plans no change.
fn every_identity_with(cli: &Cli) {
    let sim = Vcsim::start(&[]);
    let facts = vi_check::facts(&sim);
    let pool = facts.prop("ComputeResource", "DC0_H0", "resourcePool");
    let ds = facts.id("Datastore", "LocalDS_0");
    let body = format!(
        r#"
resource "vi_vm" "web" {{
  name             = "ids-web"
  resource_pool_id = "{pool}"
  datastore_id     = "{ds}"
  guest_id         = "otherLinux64Guest"
  memory           = 512
  # vcsim records a snapshot of a running VM as a memory snapshot, which
  # the import then reads it as.
  power_state      = "off"
  disk {{
    label = "os"
    size  = 1
  }}
}}

resource "vi_vm_snapshot" "before" {{
  vm_id = vi_vm.web.id
  name  = "before"
}}

resource "vi_vapp_property" "role" {{
  target_id   = vi_vm.web.id
  property_id = "role"
  type        = "string"
  value       = "web"
}}

resource "vi_vapp" "app" {{
  name             = "ids-app"
  resource_pool_id = "{pool}"
}}

resource "vi_catalog" "lib" {{
  name         = "ids-lib"
  datastore_id = "{ds}"
}}

resource "vi_datastore_upload" "notes" {{
  source_file  = "${{path.module}}/notes.txt"
  datastore_id = "{ds}"
  path         = "ids/notes.txt"
  create_directories = true
}}
"#
    );
    let provider = provider_block(&sim.sdk_url(), "");
    let created = Tf::new(&format!("{provider}{body}")).with_cli(&cli.bin, &cli.config);
    std::fs::write(created.dir.path().join("notes.txt"), b"identity").expect("local file");
    created.init();
    created.apply();
    let values = created.show()["values"]["root_module"]["resources"].clone();
    let of = |address: &str, attr: &str| -> String {
        values
            .as_array()
            .and_then(|rs| rs.iter().find(|r| r["address"] == address))
            .and_then(|r| r["values"][attr].as_str().map(str::to_owned))
            .or_else(|| {
                values
                    .as_array()
                    .and_then(|rs| rs.iter().find(|r| r["address"] == address))
                    .map(|r| r["values"][attr].to_string())
            })
            .unwrap_or_default()
    };
    let vm = of("vi_vm.web", "id");
    let expected = [
        ("vi_vm_snapshot.before", serde_json::json!({"vm_id": vm, "id": of("vi_vm_snapshot.before", "id")})),
        ("vi_vapp_property.role", serde_json::json!({"target_id": vm, "key": of("vi_vapp_property.role", "key")})),
        ("vi_vapp.app", serde_json::json!({"id": of("vi_vapp.app", "id")})),
        ("vi_catalog.lib", serde_json::json!({"id": of("vi_catalog.lib", "id")})),
        ("vi_datastore_upload.notes", serde_json::json!({"datastore_id": ds, "path": "ids/notes.txt"})),
    ];
    for (address, want) in &expected {
        assert!(want.as_object().unwrap().values().all(|v| v.as_str().is_some_and(|s| !s.is_empty())), "{want}");
        assert_eq!(&stored_identity(&created, address).0, want, "{}: {address}", cli.name);
    }
    created.assert_no_changes();

    // The same objects, adopted by identity into another configuration.
    let imports: String = expected[..4]
        .iter()
        .map(|(address, identity)| {
            let pairs: Vec<String> = identity.as_object().unwrap().iter().map(|(k, v)| format!("{k} = {v}")).collect();
            format!("import {{\n  to       = {address}\n  identity = {{ {} }}\n}}\n", pairs.join(", "))
        })
        .collect();
    let adopted_body = body
        .replace("vi_vm.web.id", &format!("\"{vm}\""))
        .split("resource \"vi_datastore_upload\"")
        .next()
        .unwrap_or_default()
        .to_owned();
    // The VM itself stays with the first configuration.
    let adopted_body =
        adopted_body.replacen(adopted_body.split("resource \"vi_vm_snapshot\"").next().unwrap_or_default(), "\n", 1);
    let adopted = Tf::new(&format!("{provider}{imports}{adopted_body}")).with_cli(&cli.bin, &cli.config);
    adopted.init();
    let plan = adopted.ok(&["plan", "-no-color", "-out=import.tfplan"]);
    assert!(plan.contains("4 to import, 0 to add, 0 to change, 0 to destroy"), "{}: {plan}", cli.name);
    adopted.ok(&["apply", "-no-color", "import.tfplan"]);
    for (address, want) in &expected[..4] {
        assert_eq!(&stored_identity(&adopted, address).0, want, "{}: {address}", cli.name);
    }
    adopted.assert_no_changes();
}

#[test]
fn every_resource_is_identified_and_imported_by_identity() {
    let test = "identity::every_resource_is_identified_and_imported_by_identity";
    peer::with_each_cli(
        test,
        peer::identity_capable_clis(),
        "no CLI on this machine knows resource identity",
        every_identity_with,
    );
}
