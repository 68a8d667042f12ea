//! Secrets stay secret: with `TF_LOG=TRACE` the provider password and a
//! password-typed vApp property value appear nowhere — not in Terraform's
//! log (which carries the provider's own log lines), not in plan or apply
//! output, not in `show` (the property value only where `show -json` marks
//! it sensitive: it is state, and state holds it). A wrong password is not
//! echoed back either.
use crate::harness::terraform::{Tf, provider_address, provider_block, text};
use crate::harness::vcsim::Vcsim;

/// Distinctive, and with characters that XML and URLs escape, so escaped
/// copies are looked for too.
const PASSWORD: &str = "Zq8-S3cr3t&<pa55>-vi";
const WRONG: &str = "Wr0ng-Xy7-S3cr3t-vi";
/// The value of a `password(8..)` vApp property.
const PROPERTY_SECRET: &str = "Pr0p-Qv5-s3cret&value";

pub(crate) fn forms(secret: &str) -> Vec<String> {
    let xml = secret.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;");
    let url: String = url::form_urlencoded::byte_serialize(secret.as_bytes()).collect();
    let json = serde_json::to_string(secret).unwrap_or_default().trim_matches('"').to_owned();
    let mut v = vec![secret.to_owned(), xml, url, json, secret.replace('&', "\\u0026").replace('<', "\\u003c")];
    // A distinctive part alone catches copies escaped some other way.
    v.push(secret.split('&').next().unwrap_or(secret).to_owned());
    v.sort();
    v.dedup();
    v
}

pub(crate) fn assert_absent(secret: &str, what: &str, haystack: &str) {
    for form in forms(secret) {
        assert!(!haystack.contains(&form), "{what} contains the secret (as {form:?})");
    }
}

fn hcl(sim: &Vcsim, password: &str) -> String {
    let provider = provider_block(&sim.sdk_url(), "")
        .replace("user     = \"user\"", "user     = \"admin\"")
        .replace("password = \"pass\"", &format!("password = \"{password}\""));
    format!(
        r#"{provider}
data "vi_datacenter" "dc" {{
  name = "DC0"
}}

data "vi_datastore" "ds" {{
  name          = "LocalDS_0"
  datacenter_id = data.vi_datacenter.dc.id
}}

data "vi_resource_pool" "pool" {{
  path          = "DC0_C0/Resources"
  datacenter_id = data.vi_datacenter.dc.id
}}

resource "vi_vm" "quiet" {{
  name             = "quiet"
  resource_pool_id = data.vi_resource_pool.pool.id
  datastore_id     = data.vi_datastore.ds.id
  guest_id         = "otherLinux64Guest"
  num_cpus         = 1
  memory           = 64
  power_state      = "off"
}}

resource "vi_vapp_property" "admin_password" {{
  target_id       = vi_vm.quiet.id
  property_id     = "admin_password"
  type            = "password(8..)"
  sensitive_value = "{PROPERTY_SECRET}"
}}
"#
    )
}

/// The property's value is in the state JSON only as its sensitive
/// attribute: marked in `sensitive_values` (OpenTofu), or — Terraform 1.0
/// marks only values made sensitive in the configuration — declared
/// sensitive by the provider's schema.
fn assert_marked_sensitive(tf: &Tf, show_json: &str) {
    let v: serde_json::Value = serde_json::from_str(show_json).expect("show -json");
    let resources = v["values"]["root_module"]["resources"].as_array().cloned().unwrap_or_default();
    let prop = resources.iter().find(|r| r["type"] == "vi_vapp_property").expect("vi_vapp_property in state");
    if prop["sensitive_values"]["sensitive_value"] != serde_json::Value::Bool(true) {
        let schema: serde_json::Value =
            serde_json::from_str(&tf.ok(&["providers", "schema", "-json"])).expect("providers schema -json");
        let attr = &schema["provider_schemas"][provider_address().as_str()]["resource_schemas"]["vi_vapp_property"]["block"]
            ["attributes"]["sensitive_value"];
        assert_eq!(attr["sensitive"], serde_json::Value::Bool(true), "sensitive_value is not sensitive: {attr}");
    }
    // Nowhere else: not in another attribute, not in another resource.
    let mut rest = v.clone();
    if let Some(list) = rest["values"]["root_module"]["resources"].as_array_mut() {
        for r in list.iter_mut().filter(|r| r["type"] == "vi_vapp_property") {
            r["values"]["sensitive_value"] = serde_json::Value::Null;
        }
    }
    assert_absent(PROPERTY_SECRET, "show -json outside the sensitive attribute", &rest.to_string());
}

#[test]
fn the_password_appears_in_no_log_output_or_state() {
    let sim = Vcsim::start(&["-username", "admin", "-password", PASSWORD]);
    let log_dir = tempfile::tempdir().expect("log dir");
    let log = log_dir.path().join("terraform.log");
    let tf = Tf::new(&hcl(&sim, PASSWORD)).env("TF_LOG", "TRACE").env("TF_LOG_PATH", log.to_str().expect("utf-8 path"));
    tf.init();
    let mut seen = Vec::new();
    for args in [
        &["plan", "-no-color"][..],
        &["apply", "-auto-approve", "-no-color"],
        &["plan", "-detailed-exitcode", "-no-color"],
        &["show", "-no-color"],
        &["show", "-json"],
        &["state", "pull"],
        &["destroy", "-auto-approve", "-no-color"],
    ] {
        let out = tf.run(args);
        let all = text(&out);
        assert!(out.status.success() || args[0] == "plan" && out.status.code() == Some(2), "{args:?}:\n{all}");
        let what = format!("`terraform {}`", args.join(" "));
        assert_absent(PASSWORD, &what, &all);
        match args {
            ["show", "-json"] => assert_marked_sensitive(&tf, &String::from_utf8_lossy(&out.stdout)),
            // The state itself holds the value: that is what state is for.
            ["state", "pull"] => {}
            _ => assert_absent(PROPERTY_SECRET, &what, &all),
        }
        seen.push(all);
    }
    let trace = std::fs::read_to_string(&log).expect("TF_LOG_PATH file");
    // The log must really be a trace with the provider's lines in it.
    assert!(trace.contains("[TRACE]"), "not a trace log");
    assert!(trace.contains("vi call"), "the provider's own log lines are missing");
    assert!(trace.contains("Login"), "the Login call is not in the log");
    assert_absent(PASSWORD, "the TRACE log", &trace);
    assert_absent(PROPERTY_SECRET, "the TRACE log", &trace);
    assert!(trace.contains("ReconfigVM_Task"), "the property was never written");
    eprintln!(
        "secrets: {} bytes of TRACE log and {} bytes of CLI output checked",
        trace.len(),
        seen.iter().map(String::len).sum::<usize>()
    );

    // A wrong password: refused, and not echoed.
    let bad = Tf::new(&hcl(&sim, WRONG)).env("TF_LOG", "TRACE").env("TF_LOG_PATH", log.to_str().expect("utf-8 path"));
    bad.init();
    let err = bad.fails(&["plan", "-no-color"]);
    assert!(err.contains("vSphere rejected the login"), "{err}");
    assert_absent(WRONG, "the failed plan", &err);
    assert_absent(WRONG, "the TRACE log", &std::fs::read_to_string(&log).expect("log"));
}

#[test]
fn a_password_from_the_environment_stays_out_of_the_log() {
    let sim = Vcsim::start(&["-username", "admin", "-password", PASSWORD]);
    let log_dir = tempfile::tempdir().expect("log dir");
    let log = log_dir.path().join("terraform.log");
    let main = hcl(&sim, PASSWORD).replace(&format!("  password = \"{PASSWORD}\"\n"), "");
    let tf = Tf::new(&main)
        .env("VI_PASSWORD", PASSWORD)
        .env("TF_LOG", "TRACE")
        .env("TF_LOG_PATH", log.to_str().expect("utf-8 path"));
    tf.init();
    let out = tf.apply();
    assert_absent(PASSWORD, "apply", &out);
    tf.destroy();
    let trace = std::fs::read_to_string(&log).expect("TF_LOG_PATH file");
    assert!(trace.contains("vi call"), "the provider's own log lines are missing");
    assert_absent(PASSWORD, "the TRACE log", &trace);
}
