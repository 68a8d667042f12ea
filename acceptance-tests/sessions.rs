//! Sessions the provider opens in vSphere: closed when its process ends.
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use terraform_provider_vi::vi::SessionFile;

use crate::harness::fault_proxy::{Fault, FaultProxy};
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

/// `(pid, parent pid, command name)` of every process.
fn processes() -> Vec<(u32, u32, String)> {
    let Ok(entries) = std::fs::read_dir("/proc") else { return Vec::new() };
    entries
        .filter_map(Result::ok)
        .filter_map(|e| {
            let pid: u32 = e.file_name().to_str()?.parse().ok()?;
            let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
            // pid (comm) state ppid …; comm is cut to 15 bytes.
            let (comm, rest) = stat.split_once(" (")?.1.rsplit_once(") ")?;
            let ppid: u32 = rest.split_whitespace().nth(1)?.parse().ok()?;
            Some((pid, ppid, comm.to_owned()))
        })
        .collect()
}

/// The provider process below `root` (the CLI may run behind a wrapper).
fn provider_below(root: u32) -> Option<u32> {
    let all = processes();
    let descends = |mut pid: u32| {
        for _ in 0..16 {
            if pid == root {
                return true;
            }
            match all.iter().find(|(p, _, _)| *p == pid) {
                Some((_, ppid, _)) if *ppid != 0 => pid = *ppid,
                _ => return false,
            }
        }
        false
    };
    all.iter().find(|(pid, _, comm)| comm.starts_with("terraform-prov") && descends(*pid)).map(|(pid, _, _)| *pid)
}

/// Whether `pid` has exited (gone, or a zombie its parent has not reaped).
fn exited(pid: u32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Err(_) => true,
        Ok(stat) => stat.rsplit_once(") ").is_some_and(|(_, rest)| rest.starts_with('Z')),
    }
}

/// A SIGTERM while Terraform is connected and a call is in flight: the
/// provider logs out and exits at once, not when Terraform lets go.
#[test]
fn sigterm_mid_plan_logs_out_and_exits_promptly() {
    let sim = Vcsim::start(&["-tls=false"]);
    let proxy = FaultProxy::start(&sim.addr);
    let before = sessions(&sim);
    let tf = Tf::new(&format!("{}{DC}", provider_block(&proxy.sdk_url(), "")));
    tf.init();
    // The data source's read hangs, so the plan waits in the provider.
    proxy.inject_persistent("CreateContainerView", 0, 100, Fault::Delay(Duration::from_secs(30)));
    let mut plan = tf.spawn(&["plan", "-no-color"]);
    let started = Instant::now();
    while proxy.calls("CreateContainerView") == 0 {
        assert!(started.elapsed() < Duration::from_secs(60), "the plan never reached the read");
        std::thread::sleep(Duration::from_millis(50));
    }
    let provider = provider_below(plan.id()).expect("the provider process");
    assert_eq!(sessions(&sim).len(), before.len() + 1, "the provider holds its session");

    let sent = Instant::now();
    let pid = provider.to_string();
    assert!(Command::new("kill").args(["-TERM", &pid]).status().is_ok_and(|s| s.success()), "kill -TERM {pid}");
    while !exited(provider) && sent.elapsed() < Duration::from_secs(10) {
        std::thread::sleep(Duration::from_millis(20));
    }
    let took = sent.elapsed();
    let status = plan.wait().expect("terraform ends");
    assert!(took < Duration::from_secs(3), "took {took:?} to exit after SIGTERM");
    assert!(!status.success(), "the plan cannot have succeeded without its provider");
    assert_eq!(sessions(&sim), before, "the provider's session outlived it");
}

/// The content library's vAPI session is cached too: a catalog's plan,
/// apply and destroy log in to it once.
#[test]
fn with_the_session_cache_the_content_library_logs_in_once() {
    let dir = tempfile::tempdir().expect("temp dir");
    let sim = Vcsim::start(&[]);
    let cache = dir.path().join("sessions");
    let hcl = format!(
        "{}{}",
        cached_block(&sim, &cache),
        r#"
data "vi_datastore" "ds" {
  name = "LocalDS_0"
}

resource "vi_catalog" "lib" {
  name         = "cached-session-lib"
  datastore_id = data.vi_datastore.ds.id
}
"#
    );
    let tf = Tf::new(&hcl).env("TF_LOG_PROVIDER", "DEBUG");
    tf.init();
    let mut logs = String::new();
    for args in [
        &["plan", "-no-color"][..],
        &["apply", "-auto-approve", "-no-color"],
        &["destroy", "-auto-approve", "-no-color"],
    ] {
        let out = tf.run(args);
        let all = text(&out);
        assert!(out.status.success(), "terraform {args:?}:\n{all}");
        logs.push_str(&all);
    }
    assert_eq!(logs.matches("vAPI session started").count(), 1, "vAPI logins");
    assert!(logs.contains("resumed a saved vAPI session"), "the saved session was not used");
    let files: Vec<_> = std::fs::read_dir(&cache).expect("session folder").filter_map(Result::ok).collect();
    assert_eq!(files.len(), 2, "one SOAP and one vAPI session file");
    for f in files {
        let secret = std::fs::read_to_string(f.path()).expect("session file");
        let value = secret.trim().trim_start_matches("vmware_soap_session=").trim_matches('"');
        assert!(value.len() > 8 && !logs.contains(value), "a session id reached the logs");
    }
}
