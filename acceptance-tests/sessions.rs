//! Sessions the provider opens in vSphere: closed when its process ends.
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use terraform_provider_vi::vi::SessionFile;

use crate::harness::terraform::{Tf, provider_address, provider_block, text};
use crate::harness::vcsim::{Vcsim, soap_calls, traced_vcsim};
use crate::vi_check::sessions;

const DC: &str = "data \"vi_datacenter\" \"dc\" {}\n";

/// Each `plan` starts provider processes that log in; Terraform ends them
/// through go-plugin, and each logs out on the way.
#[test]
fn plans_leave_no_sessions_open() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (sim, trace) = traced_vcsim(dir.path(), &[]);
    let before = sessions(&sim);
    let tf = Tf::new(&format!("{}{DC}", provider_block(&sim.sdk_url(), "")));
    tf.init();
    for _ in 0..3 {
        tf.ok(&["plan", "-no-color"]);
    }
    assert_eq!(sessions(&sim), before, "sessions left open after 3 plans");
    // The plans' logins, plus the two checks' own (which log out too).
    let logins = soap_calls(&trace, "Login");
    assert!(logins >= 3 + 2, "the plans did not log in: {logins} Logins");
    assert_eq!(soap_calls(&trace, "Logout"), logins, "a Login without its Logout");
}

/// A provider Terraform does not end itself (attached in `--debug` mode)
/// logs out when a supervisor sends SIGTERM, and exits promptly.
#[test]
fn sigterm_logs_out_and_exits_promptly() {
    let sim = Vcsim::start(&[]);
    let before = sessions(&sim);
    let mut provider = Command::new(env!("CARGO_BIN_EXE_terraform-provider-vi"))
        .arg("--debug")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start the provider in debug mode");
    let mut text = String::new();
    if let Some(out) = provider.stdout.take() {
        let mut r = BufReader::new(out);
        for _ in 0..4 {
            let _ = r.read_line(&mut text);
        }
    }
    let json = text.split("TF_REATTACH_PROVIDERS='").nth(1).and_then(|s| s.split('\'').next()).unwrap_or("");
    let v: serde_json::Value = serde_json::from_str(json).unwrap_or_else(|e| panic!("{e}: {text}"));
    // Keyed by the address the CLI under test gives `local/vi`.
    let entry = v.as_object().and_then(|o| o.values().next()).cloned().expect("one provider");
    let reattach = serde_json::json!({ provider_address(): entry }).to_string();

    let tf = Tf::new(&format!("{}{DC}", provider_block(&sim.sdk_url(), ""))).env("TF_REATTACH_PROVIDERS", &reattach);
    tf.init();
    tf.ok(&["plan", "-no-color"]);
    assert!(provider.try_wait().expect("provider status").is_none(), "an attached provider outlives the plan");
    assert_eq!(sessions(&sim).len(), before.len() + 1, "the attached provider holds its session");

    let pid = provider.id().to_string();
    let sent = Instant::now();
    assert!(Command::new("kill").args(["-TERM", &pid]).status().is_ok_and(|s| s.success()), "kill -TERM {pid}");
    let exited = loop {
        if let Some(status) = provider.try_wait().expect("provider status") {
            break Some(status);
        }
        if sent.elapsed() > Duration::from_secs(5) {
            let _ = provider.kill();
            let _ = provider.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let took = sent.elapsed();
    assert!(exited.is_some(), "still running 5s after SIGTERM");
    assert!(took < Duration::from_secs(2), "took {took:?} to exit after SIGTERM");
    assert_eq!(sessions(&sim), before, "the provider's session outlived it");
}

/// A provider block with the session cache on, kept in `dir`.
fn cached_block(sim: &Vcsim, dir: &std::path::Path) -> String {
    provider_block(&sim.sdk_url(), &format!("  persist_session = true\n  session_path    = \"{}\"\n", dir.display()))
}

const UPLOAD: &str = r#"
data "vi_datastore" "ds" {
  name = "LocalDS_0"
}

resource "vi_datastore_upload" "f" {
  source_file  = "f.txt"
  datastore_id = data.vi_datastore.ds.id
  path         = "sessions/f.txt"
}
"#;

fn session_file(sim: &Vcsim, dir: &std::path::Path) -> SessionFile {
    SessionFile::new(dir, &url::Url::parse(&sim.sdk_url()).expect("sdk url"), &sim.user())
}

/// With `persist_session`, the provider processes of a plan, an apply and
/// a destroy share one login, kept in a file only the user can read.
#[test]
fn with_the_session_cache_plan_apply_and_destroy_log_in_once() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (sim, trace) = traced_vcsim(dir.path(), &[]);
    let cache = dir.path().join("sessions");
    let before = sessions(&sim);
    let tf = Tf::new(&format!("{}{UPLOAD}", cached_block(&sim, &cache)));
    std::fs::write(tf.dir.path().join("f.txt"), "hello").expect("write f.txt");
    tf.init();
    let logins_before = soap_calls(&trace, "Login");
    let logouts_before = soap_calls(&trace, "Logout");
    tf.ok(&["plan", "-no-color"]);
    tf.apply();
    tf.assert_no_changes();
    tf.destroy();
    assert_eq!(soap_calls(&trace, "Login") - logins_before, 1, "one login for plan, apply, plan and destroy");
    assert_eq!(soap_calls(&trace, "Logout"), logouts_before, "the cached session is not logged out");

    let file = session_file(&sim, &cache);
    let saved = std::fs::read_to_string(file.path()).expect("session file");
    assert!(saved.starts_with("vmware_soap_session="), "{saved}");
    assert!(!saved.contains(&sim.password()), "the file holds the password");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(file.path()).expect("stat").permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "session file mode {mode:o}");
    }
    let after = sessions(&sim);
    assert_eq!(after.len(), before.len() + 1, "the one session is kept for the next run");
}

/// A saved session vSphere no longer knows leads to a fresh login that
/// replaces it; a file others can read is not used, with a warning.
#[test]
fn a_stale_or_exposed_session_file_falls_back_to_a_login() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (sim, trace) = traced_vcsim(dir.path(), &[]);
    let cache = dir.path().join("sessions");
    let file = session_file(&sim, &cache);
    let stale = "vmware_soap_session=\"00000000-dead-beef-0000-000000000000\"";
    file.save(stale).expect("write a stale session");

    let tf = Tf::new(&format!("{}{DC}", cached_block(&sim, &cache)));
    tf.init();
    let logins = soap_calls(&trace, "Login");
    tf.ok(&["plan", "-no-color"]);
    assert_eq!(soap_calls(&trace, "Login") - logins, 1, "a stale session means one fresh login");
    let fresh = file.load().expect("load").expect("a session is saved");
    assert_ne!(fresh, stale);

    // Valid, but readable by others: not used, and replaced.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        std::fs::set_permissions(file.path(), std::fs::Permissions::from_mode(0o644)).expect("chmod");
        let logins = soap_calls(&trace, "Login");
        let out = tf.run(&["plan", "-no-color"]);
        let all = text(&out);
        assert!(out.status.success(), "{all}");
        assert!(all.contains("Session cache not used") && all.contains("other users"), "{all}");
        assert_eq!(soap_calls(&trace, "Login") - logins, 1, "the exposed session is not used");
        let mode = std::fs::metadata(file.path()).expect("stat").permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "the file is private again");
        // And the next plan trusts it again.
        let logins = soap_calls(&trace, "Login");
        let out = tf.ok(&["plan", "-no-color"]);
        assert!(!out.contains("Session cache not used"), "{out}");
        assert_eq!(soap_calls(&trace, "Login"), logins, "the replaced file is used");
    }
}
