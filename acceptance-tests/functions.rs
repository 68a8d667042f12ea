//! Provider functions (protocol 5.5) through real CLIs: every function
//! called from a configuration's outputs answers what the rules say, a bad
//! argument fails with the rule's message on that argument, `console`
//! calls them, and `providers schema -json` lists them. Runs with every CLI
//! on the machine that calls provider functions (OpenTofu from `.tools/`, a
//! Terraform 1.8+ when installed) and says which.
use crate::harness::peer::{self, Cli};
use crate::harness::terraform::{REQUIRED_PROVIDERS, Tf, text};

use terraform_provider_vi::functions;
use terraform_provider_vi::rules::datastore_path::DatastorePath;
use terraform_provider_vi::rules::hardware::{check_cpus, check_memory};
use terraform_provider_vi::rules::hardware_version::HardwareVersion;
use terraform_provider_vi::rules::mac_address::check_mac;
use terraform_provider_vi::rules::tpm::{TpmOperation, TpmPolicy, VcenterVersion, effective_policy};
use terraform_provider_vi::shared::tpm::checks::policy_detail;

/// One output per call; every function appears at least once.
const CALLS: &str = r#"
output "type" {
  value = provider::vi::vapp_property_type_parse("string[\"forward\", \"reverse\"]")
}
output "value_ok" {
  value = provider::vi::vapp_property_value_problem("int(1..65535)", "22")
}
output "value_bad" {
  value = provider::vi::vapp_property_value_problem("int(1..65535)", "70000")
}
output "path" {
  value = provider::vi::datastore_path_parse("[datastore 1] iso/linux/x.iso")
}
output "built" {
  value = provider::vi::datastore_path_build("datastore 1", "iso", "x.iso")
}
output "root" {
  value = provider::vi::datastore_path_build("datastore 1")
}
output "tpm" {
  value = provider::vi::tpm_provisioning_allowed("clone_vm", "8.0.2.0", null)
}
output "tpm_problem" {
  value = provider::vi::tpm_provisioning_problem("clone_vm", "7.0.3.0", null, "replace")
}
output "limits" {
  value = provider::vi::hardware_version_limits(19)
}
output "memory" {
  value = provider::vi::hardware_memory_problem(4098, "vmx-19")
}
output "cpus" {
  value = provider::vi::hardware_cpu_problem(6, 4, null)
}
output "mac" {
  value = provider::vi::mac_address_parse("00:50:56:0A:0B:0C")
}
output "mac_problem" {
  value = provider::vi::mac_address_problem("02:00:00:00:00:01")
}
"#;

fn address(cli: &Cli) -> &'static str {
    if cli.name.starts_with("tofu") { "registry.opentofu.org/local/vi" } else { "registry.terraform.io/local/vi" }
}

fn calls_with(cli: &Cli) {
    for f in functions::all() {
        assert!(CALLS.contains(&format!("provider::vi::{}(", f.name())), "{} is not called here", f.name());
    }
    let tf = Tf::new(&format!("{REQUIRED_PROVIDERS}{CALLS}")).with_cli(&cli.bin, &cli.config);
    tf.init();
    // No provider block and no resources: functions need no configuration.
    tf.apply();
    let out = tf.outputs();
    let n = cli.name.as_str();
    assert_eq!(out["type"]["kind"], "string", "{n}");
    assert_eq!(out["type"]["choices"], serde_json::json!(["forward", "reverse"]), "{n}");
    assert_eq!(out["type"]["canonical"], r#"string["forward", "reverse"]"#, "{n}");
    assert_eq!(out["value_ok"], "", "{n}");
    let bad = out["value_bad"].as_str().unwrap_or_default();
    assert!(
        bad.starts_with("value `70000` is not valid for type `int(1..65535)`") && bad.contains("65535"),
        "{n}: {bad}"
    );
    assert_eq!(out["path"]["datastore"], "datastore 1", "{n}");
    assert_eq!(out["path"]["directory"], "iso/linux", "{n}");
    assert_eq!(out["path"]["file_name"], "x.iso", "{n}");
    assert_eq!(out["built"], "[datastore 1] iso/x.iso", "{n}");
    assert_eq!(out["root"], "[datastore 1]", "{n}");
    assert_eq!(out["tpm"], serde_json::json!(["copy", "replace"]), "{n}");
    let v7 = effective_policy(TpmOperation::CloneVm, VcenterVersion::V7, None, Some(TpmPolicy::Replace));
    assert_eq!(out["tpm_problem"], policy_detail(&v7.expect_err("refused on 7")).as_str(), "{n}");
    let limits = HardwareVersion::new(19).expect("19").limits();
    assert_eq!(out["limits"]["vmx"], "vmx-19", "{n}");
    assert_eq!(out["limits"]["max_memory_mb"], limits.max_memory_mb, "{n}");
    assert_eq!(out["limits"]["max_vcpus"], limits.max_vcpus, "{n}");
    assert_eq!(out["memory"], check_memory(4098, Some(19)).expect_err("4098").to_string().as_str(), "{n}");
    assert_eq!(out["cpus"], check_cpus(6, Some(4), None).expect_err("6 on 4").to_string().as_str(), "{n}");
    assert_eq!(out["mac"]["address"], "00:50:56:0a:0b:0c", "{n}");
    assert_eq!(out["mac"]["range"], "static", "{n}");
    assert_eq!(
        out["mac_problem"],
        check_mac("02:00:00:00:00:01", true).expect_err("other").to_string().as_str(),
        "{n}"
    );

    // A bad argument: the rule's message, on the parameter at fault.
    tf.write_main(&format!(
        "{REQUIRED_PROVIDERS}output \"p\" {{\n  value = provider::vi::datastore_path_build(\"ds1\", \"iso\", \"../x.iso\")\n}}\n"
    ));
    let err = tf.fails(&["plan", "-no-color"]);
    let rule = DatastorePath::new("ds1", "../x.iso").expect_err("a `..` segment").to_string();
    let flat = err.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(flat.contains(&rule.split_whitespace().collect::<Vec<_>>().join(" ")), "{n}: {err}");
    assert!(flat.contains("Invalid value for \"path\" parameter"), "{n}: {err}");

    // The CLI lists every function with its parameters.
    let schema: serde_json::Value =
        serde_json::from_str(&tf.ok(&["providers", "schema", "-json"])).expect("providers schema -json");
    let listed = &schema["provider_schemas"][address(cli)]["functions"];
    for f in functions::all() {
        let sig = f.signature();
        let params = listed[f.name()]["parameters"].as_array().cloned().unwrap_or_default();
        let names: Vec<&str> = params.iter().filter_map(|p| p["name"].as_str()).collect();
        let want: Vec<&str> = sig.parameters.iter().map(|p| p.name).collect();
        assert_eq!(names, want, "{n}: {} in providers schema -json: {}", f.name(), listed[f.name()]);
    }
    assert_eq!(listed["datastore_path_build"]["variadic_parameter"]["name"], "path", "{n}");
}

#[test]
fn every_function_answers_through_a_real_cli() {
    peer::with_each_cli(
        "functions::every_function_answers_through_a_real_cli",
        peer::function_capable_clis(),
        "no CLI on this machine calls provider functions",
        calls_with,
    );
}

/// `console` evaluates a call. Terraform only: OpenTofu 1.12's console
/// closes the provider before it evaluates the expression, so every
/// provider function fails there ("the client connection is closing").
#[test]
fn console_calls_a_function() {
    let test = "functions::console_calls_a_function";
    let (clis, _) = peer::function_capable_clis();
    let Some(cli) = clis.iter().find(|c| c.name.starts_with("terraform")) else {
        return peer::skip_loudly(test, "no Terraform 1.8+ on this machine (OpenTofu's console cannot call them)");
    };
    let tf = Tf::new(REQUIRED_PROVIDERS).with_cli(&cli.bin, &cli.config);
    tf.init();
    let out = tf.run_input(&["console"], "provider::vi::datastore_path_parse(\"[ds1] iso/x.iso\").file_name\n");
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "\"x.iso\"", "{}", text(&out));
    println!("{test}: passed with {}", cli.name);
}
