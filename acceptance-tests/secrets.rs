//! Secrets stay secret: with `TF_LOG=TRACE` the provider password appears
//! nowhere — not in Terraform's log (which carries the provider's own log
//! lines), not in plan or apply output, not in `show`. A wrong password is
//! not echoed back either.
//!
//! TODO(vi_vapp_property): once password-typed vApp properties exist, set
//! one here and check its value the same way (and that `show -json` marks
//! it sensitive).
use crate::harness::terraform::{Tf, provider_block, text};
use crate::harness::vcsim::Vcsim;

/// Distinctive, and with characters that XML and URLs escape, so escaped
/// copies are looked for too.
const PASSWORD: &str = "Zq8-S3cr3t&<pa55>-vi";
const WRONG: &str = "Wr0ng-Xy7-S3cr3t-vi";

fn forms(secret: &str) -> Vec<String> {
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

fn assert_absent(secret: &str, what: &str, haystack: &str) {
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
"#
    )
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
        assert_absent(PASSWORD, &format!("`terraform {}`", args.join(" ")), &all);
        seen.push(all);
    }
    let trace = std::fs::read_to_string(&log).expect("TF_LOG_PATH file");
    // The log must really be a trace with the provider's lines in it.
    assert!(trace.contains("[TRACE]"), "not a trace log");
    assert!(trace.contains("vi call"), "the provider's own log lines are missing");
    assert!(trace.contains("Login"), "the Login call is not in the log");
    assert_absent(PASSWORD, "the TRACE log", &trace);
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
