//! Write-only secrets (protocol 5.8): a `password(8..)` vApp property set
//! through `sensitive_value_wo` from an ephemeral variable is in vSphere
//! (read back through the vi client) and nowhere else — not in
//! `terraform.tfstate`, `show -json`, any entry of a saved plan file, CLI
//! output or the TRACE log (the CLI's and the provider's); changing only
//! the version sends it again. The same for the customization passwords of
//! `vi_customization_spec` and of a `vi_vm` clone. Runs with every CLI on the machine that keeps
//! write-only attributes out of state (OpenTofu from `.tools/`, a Terraform
//! 1.11+ when installed) and says which; Terraform 1.0.3 is told to use the
//! stored form.
use std::path::{Path, PathBuf};

use crate::harness::peer::{self, Cli};
use crate::harness::plan_file;
use crate::harness::terraform::{Tf, provider_block, text};
use crate::harness::vcsim::Vcsim;
use crate::secrets::assert_absent;
use crate::vi_check;

use terraform_provider_vi::vi::ManagedObjectReference;
use terraform_provider_vi::vi::object::customization_spec::{CustomizationIdentity, CustomizationSysprep};

/// Distinctive, with characters XML and JSON escape.
const FIRST: &str = "Wr1te-0nly&<first>-secret";
const SECOND: &str = "Wr1te-0nly&<second>-secret";

fn property_hcl(sim: &Vcsim, vm: &str, version: i64) -> String {
    provider_block(&sim.sdk_url(), "")
        + &format!(
            r#"
variable "admin_password" {{
  type      = string
  sensitive = true
  ephemeral = true
}}

resource "vi_vapp_property" "admin_pw" {{
  target_id                  = "{vm}"
  property_id                = "admin_password"
  type                       = "password(8..)"
  sensitive_value_wo         = var.admin_password
  sensitive_value_wo_version = {version}
}}
"#
        )
}

/// The property's value as vSphere (vcsim) holds it.
fn value_in_vsphere(sim: &Vcsim, vm: &str) -> Option<String> {
    let target = ManagedObjectReference::new("VirtualMachine", vm);
    let options = vi_check::with_client(sim, async |c| c.vapp_options(&target).await).expect("read vApp options");
    options.properties().iter().find(|p| p.id.as_deref() == Some("admin_password")).and_then(|p| p.value.clone())
}

/// Runs a CLI command that must succeed, and checks its output for the
/// secrets.
fn quiet_ok(tf: &Tf, cli: &Cli, args: &[&str]) -> String {
    let out = tf.run(args);
    let all = text(&out);
    assert!(out.status.success(), "{}: {args:?} failed:\n{all}", cli.name);
    for secret in [FIRST, SECOND] {
        assert_absent(secret, &format!("{}: output of {args:?}", cli.name), &all);
    }
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Neither secret in the state file, `show -json` or a saved plan (each of
/// its entries, inflated).
fn assert_stored_nowhere(tf: &Tf, cli: &Cli, plan: Option<&str>) {
    let dir = tf.dir.path();
    // No state file before the first apply.
    let state = std::fs::read_to_string(dir.join("terraform.tfstate")).unwrap_or_default();
    let show = quiet_ok(tf, cli, &["show", "-json"]);
    let mut places = vec![("terraform.tfstate".to_owned(), state), ("show -json".to_owned(), show)];
    if let Some(plan) = plan {
        let bytes = std::fs::read(dir.join(plan)).expect("plan file");
        let entries = plan_file::entries(&bytes);
        assert!(entries.iter().any(|(n, _)| n == "tfplan"), "{}: {plan} holds no plan: {entries:?}", cli.name);
        for (name, data) in entries {
            places.push((format!("{plan}:{name}"), String::from_utf8_lossy(&data).into_owned()));
        }
        places.push((format!("show -json {plan}"), quiet_ok(tf, cli, &["show", "-json", plan])));
    }
    for (what, text) in &places {
        for secret in [FIRST, SECOND] {
            assert_absent(secret, &format!("{}: {what}", cli.name), text);
        }
    }
}

fn trace_log(dir: &Path) -> PathBuf {
    dir.join("terraform.log")
}

fn property_with(cli: &Cli) {
    let sim = Vcsim::start(&[]);
    let vm = vi_check::facts(&sim).id("VirtualMachine", "DC0_H0_VM0");
    let logs = tempfile::tempdir().expect("log dir");
    let log = trace_log(logs.path());
    let tf = Tf::new(&property_hcl(&sim, &vm, 1))
        .with_cli(&cli.bin, &cli.config)
        .env("TF_LOG", "TRACE")
        .env("TF_LOG_PROVIDER", "TRACE")
        .env("TF_LOG_PATH", log.to_str().expect("utf-8 path"))
        .env("TF_VAR_admin_password", FIRST);
    tf.init();

    // Planned and saved, applied from the file: in vSphere only.
    let plan = quiet_ok(&tf, cli, &["plan", "-no-color", "-out=first.tfplan"]);
    assert!(plan.contains("sensitive_value_wo") && plan.contains("write-only"), "{}: {plan}", cli.name);
    assert_stored_nowhere(&tf, cli, Some("first.tfplan"));
    quiet_ok(&tf, cli, &["apply", "-no-color", "first.tfplan"]);
    assert_eq!(value_in_vsphere(&sim, &vm).as_deref(), Some(FIRST), "{}", cli.name);
    assert_stored_nowhere(&tf, cli, None);
    tf.assert_no_changes();

    // A new value alone is not seen: nothing is kept to compare with.
    let tf = tf.env("TF_VAR_admin_password", SECOND);
    tf.assert_no_changes();
    assert_eq!(value_in_vsphere(&sim, &vm).as_deref(), Some(FIRST), "{}", cli.name);

    // A new version sends it, in place.
    tf.write_main(&property_hcl(&sim, &vm, 2));
    let plan = quiet_ok(&tf, cli, &["plan", "-no-color", "-out=second.tfplan"]);
    assert!(plan.contains("1 to change") && plan.contains("0 to destroy"), "{}: {plan}", cli.name);
    assert_stored_nowhere(&tf, cli, Some("second.tfplan"));
    quiet_ok(&tf, cli, &["apply", "-no-color", "second.tfplan"]);
    assert_eq!(value_in_vsphere(&sim, &vm).as_deref(), Some(SECOND), "{}", cli.name);
    assert_stored_nowhere(&tf, cli, None);
    tf.assert_no_changes();

    // The schema the CLI shows declares it write-only.
    let schema: serde_json::Value =
        serde_json::from_str(&tf.ok(&["providers", "schema", "-json"])).expect("providers schema -json");
    let address = format!(
        "{}/local/vi",
        if cli.name.starts_with("tofu") { "registry.opentofu.org" } else { "registry.terraform.io" }
    );
    let attr = &schema["provider_schemas"][address.as_str()]["resource_schemas"]["vi_vapp_property"]["block"]["attributes"]
        ["sensitive_value_wo"];
    assert_eq!((&attr["write_only"], &attr["sensitive"]), (&true.into(), &true.into()), "{}: {attr}", cli.name);

    // Checked against the type at plan, on its attribute, not repeated.
    let short = tf.env("TF_VAR_admin_password", "tiny-1");
    short.write_main(&property_hcl(&sim, &vm, 3));
    let err = short.fails(&["plan", "-no-color"]);
    assert!(err.contains("sensitive_value_wo is not valid for type `password(8..)`"), "{}: {err}", cli.name);
    assert!(!err.contains("tiny-1"), "{}: the bad value was repeated:\n{err}", cli.name);
    let tf = short.env("TF_VAR_admin_password", SECOND);
    tf.write_main(&property_hcl(&sim, &vm, 2));
    quiet_ok(&tf, cli, &["destroy", "-auto-approve", "-no-color"]);
    let trace = std::fs::read_to_string(&log).expect("TF_LOG_PATH file");
    assert!(
        trace.contains("[TRACE]") && trace.contains("vi call"),
        "{}: not a trace with the provider's lines",
        cli.name
    );
    assert!(trace.contains("ReconfigVM_Task"), "{}: the property was never written", cli.name);
    for secret in [FIRST, SECOND] {
        assert_absent(secret, &format!("{}: the TRACE log", cli.name), &trace);
    }
    eprintln!("write_only: {}: {} bytes of TRACE log checked", cli.name, trace.len());
}

/// Runs `f` with every write-only-capable CLI, or skips loudly.
fn with_each_cli(test: &str, f: fn(&Cli)) {
    peer::with_each_cli(
        test,
        peer::write_only_capable_clis(),
        "no CLI on this machine supports write-only attributes",
        f,
    );
}

#[test]
fn a_write_only_password_is_in_vsphere_and_nowhere_else() {
    with_each_cli("write_only::a_write_only_password_is_in_vsphere_and_nowhere_else", property_with);
}

fn spec_hcl(sim: &Vcsim, version: i64) -> String {
    provider_block(&sim.sdk_url(), "")
        + &format!(
            r#"
variable "admin_password" {{
  type      = string
  sensitive = true
  ephemeral = true
}}

resource "vi_customization_spec" "win" {{
  name = "win-write-only"
  spec {{
    windows_options {{
      computer_name                    = "WIN-WO01"
      admin_password_wo                = var.admin_password
      admin_password_wo_version        = {version}
      join_domain                      = "corp.example.com"
      domain_admin_user                = "joiner"
      domain_admin_password_wo         = "J0in-${{var.admin_password}}"
      domain_admin_password_wo_version = {version}
    }}
  }}
}}
"#
        )
}

/// The Sysprep identity of the stored specification.
fn stored_sysprep(sim: &Vcsim) -> CustomizationSysprep {
    let item = vi_check::with_client(sim, async |c| c.get_customization_spec("win-write-only").await)
        .expect("read the specification")
        .expect("the specification exists");
    match item.spec.identity {
        CustomizationIdentity::Sysprep(s) => s,
        other => panic!("not a Sysprep specification: {other:?}"),
    }
}

fn passwords(s: &CustomizationSysprep) -> (Option<String>, Option<String>) {
    (s.admin_password.as_ref().map(|p| p.value.clone()), s.domain_admin_password.as_ref().map(|p| p.value.clone()))
}

fn spec_with(cli: &Cli) {
    let sim = Vcsim::start(&[]);
    let tf = Tf::new(&spec_hcl(&sim, 1)).with_cli(&cli.bin, &cli.config).env("TF_VAR_admin_password", FIRST);
    tf.init();
    quiet_ok(&tf, cli, &["apply", "-auto-approve", "-no-color"]);
    assert_eq!(
        passwords(&stored_sysprep(&sim)),
        (Some(FIRST.to_owned()), Some(format!("J0in-{FIRST}"))),
        "{}: vCenter holds both passwords",
        cli.name
    );
    assert_stored_nowhere(&tf, cli, None);
    // vCenter hands the plain-text passwords back on refresh: still no
    // change, still nothing stored.
    tf.assert_no_changes();
    assert_stored_nowhere(&tf, cli, None);

    let tf = tf.env("TF_VAR_admin_password", SECOND);
    tf.write_main(&spec_hcl(&sim, 2));
    quiet_ok(&tf, cli, &["apply", "-auto-approve", "-no-color"]);
    assert_eq!(
        passwords(&stored_sysprep(&sim)),
        (Some(SECOND.to_owned()), Some(format!("J0in-{SECOND}"))),
        "{}: the new version sent both again",
        cli.name
    );
    assert_stored_nowhere(&tf, cli, None);
    tf.assert_no_changes();
    quiet_ok(&tf, cli, &["destroy", "-auto-approve", "-no-color"]);
}

#[test]
fn write_only_customization_passwords_are_in_vcenter_and_nowhere_else() {
    with_each_cli("write_only::write_only_customization_passwords_are_in_vcenter_and_nowhere_else", spec_with);
}

fn clone_hcl(sim: &Vcsim) -> String {
    let p = crate::vm::place(sim);
    let source = vi_check::facts(sim).id("VirtualMachine", "DC0_H0_VM0");
    provider_block(&sim.sdk_url(), "")
        + &format!(
            r#"
variable "admin_password" {{
  type      = string
  sensitive = true
  ephemeral = true
}}

resource "vi_vm" "desk" {{
  name             = "wo-desk"
  resource_pool_id = "{pool}"
  guest_id         = "windows2019srv_64Guest"
  network_interface {{
    network_id = "{net}"
  }}
  clone {{
    source_id = "{source}"
    customize {{
      windows_options {{
        computer_name                    = "WO-DESK01"
        admin_password_wo                = var.admin_password
        admin_password_wo_version        = 1
        join_domain                      = "corp.example.com"
        domain_admin_user                = "joiner"
        domain_admin_password_wo         = "J0in-${{var.admin_password}}"
        domain_admin_password_wo_version = 1
      }}
    }}
  }}
}}

output "id" {{
  value = vi_vm.desk.id
}}
"#,
            pool = p.pool,
            net = p.network,
        )
}

/// A clone sysprepped into a domain with write-only passwords: deployed,
/// then no change and no "applies only at deployment" warning on the next
/// plan (the passwords are in the configuration only), nothing stored.
fn clone_with(cli: &Cli) {
    let sim = Vcsim::start(&[]);
    let tf = Tf::new(&clone_hcl(&sim)).with_cli(&cli.bin, &cli.config).env("TF_VAR_admin_password", FIRST);
    tf.init();
    quiet_ok(&tf, cli, &["apply", "-auto-approve", "-no-color"]);
    let id = crate::vm::id_of(&tf, "id");
    assert_eq!(vi_check::guest_identity(&sim, &id).0.as_deref(), Some("WO-DESK01"), "{}: customized", cli.name);
    assert_stored_nowhere(&tf, cli, None);
    let replan = quiet_ok(&tf, cli, &["plan", "-no-color", "-detailed-exitcode"]);
    assert!(!replan.contains("Guest customization applies only"), "{}: {replan}", cli.name);
    tf.assert_no_changes();
    quiet_ok(&tf, cli, &["destroy", "-auto-approve", "-no-color"]);
}

#[test]
fn a_clone_is_customized_with_write_only_passwords() {
    with_each_cli("write_only::a_clone_is_customized_with_write_only_passwords", clone_with);
}

/// Terraform 1.0 keeps every attribute in state: it is told, at validate,
/// to use the stored form, which works as before.
#[test]
fn terraform_1_0_is_pointed_at_the_stored_form() {
    let sim = Vcsim::start(&[]);
    let vm = vi_check::facts(&sim).id("VirtualMachine", "DC0_H0_VM0");
    let old = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(".tools/bin/terraform");
    let hcl = property_hcl(&sim, &vm, 1)
        .replace("  ephemeral = true\n", "")
        .replace("variable \"admin_password\" {", "variable \"admin_password\" {\n  default = \"Literal-0ld-cli\"");
    let tf = Tf::new(&hcl).with_cli_bin(old.clone());
    tf.init();
    let err = tf.fails(&["validate", "-no-color"]).split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(err.contains("Write-only attribute not supported by this CLI"), "{err}");
    assert!(err.contains("Use `sensitive_value` instead"), "{err}");
    assert!(err.contains("sensitive_value_wo"), "the diagnostic points at the attribute:\n{err}");
    let stored = hcl
        .replace("sensitive_value_wo         = var.admin_password", "sensitive_value = var.admin_password")
        .replace("  sensitive_value_wo_version = 1\n", "");
    let tf = Tf::new(&stored).with_cli_bin(old);
    tf.init_apply_replan();
    assert_eq!(value_in_vsphere(&sim, &vm).as_deref(), Some("Literal-0ld-cli"));
    tf.destroy();
}
