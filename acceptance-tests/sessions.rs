//! Sessions the provider opens in vSphere: closed when its process ends.
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::harness::terraform::{Tf, provider_address, provider_block};
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
