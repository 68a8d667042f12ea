//! The binary as a process: what it does when run by hand, in `--debug`
//! mode, and with go-plugin's handshake environment.
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_terraform-provider-vi");
const COOKIE: &str = "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2";

#[test]
fn run_by_hand_it_explains_itself_and_exits_1() {
    let out = Command::new(BIN).env_remove("TF_PLUGIN_MAGIC_COOKIE").output().expect("run provider");
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("plugin for Terraform"), "{err}");
    assert!(err.contains("--debug"), "{err}");
}

#[test]
fn refuses_protocol_versions_it_does_not_speak() {
    let out = Command::new(BIN)
        .env("TF_PLUGIN_MAGIC_COOKIE", COOKIE)
        .env("PLUGIN_PROTOCOL_VERSIONS", "6")
        .output()
        .expect("run provider");
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("only version 5"));
}

fn first_line(mut cmd: Command) -> String {
    let mut child = cmd.stdout(Stdio::piped()).stderr(Stdio::null()).spawn().expect("spawn provider");
    let mut line = String::new();
    if let Some(out) = child.stdout.take() {
        let _ = BufReader::new(out).read_line(&mut line);
    }
    let _ = child.kill();
    let _ = child.wait();
    line
}

#[test]
fn handshake_line_honours_the_port_range_and_carries_a_certificate() {
    let mut cmd = Command::new(BIN);
    let port =
        std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).unwrap_or(40000);
    cmd.env("TF_PLUGIN_MAGIC_COOKIE", COOKIE)
        .env("PLUGIN_PROTOCOL_VERSIONS", "5,6")
        .env("PLUGIN_MIN_PORT", port.to_string())
        .env("PLUGIN_MAX_PORT", (port + 50).to_string())
        .env("PLUGIN_CLIENT_CERT", client_cert_pem());
    let line = first_line(cmd);
    let parts: Vec<&str> = line.trim_end().split('|').collect();
    assert_eq!(parts.len(), 6, "{line}");
    assert_eq!(&parts[..3], &["1", "5", "tcp"], "{line}");
    let got: u16 = parts[3].rsplit(':').next().and_then(|p| p.parse().ok()).unwrap_or(0);
    assert!((port..=port + 50).contains(&got), "port {got} outside {port}..={}", port + 50);
    assert_eq!(parts[4], "grpc");
    assert!(parts[5].len() > 100 && !parts[5].ends_with('='), "certificate: {}", parts[5]);
}

#[test]
fn debug_mode_prints_reattach_instructions() {
    let mut cmd = Command::new(BIN);
    cmd.arg("--debug").env_remove("TF_PLUGIN_MAGIC_COOKIE");
    let mut child = cmd.stdout(Stdio::piped()).stderr(Stdio::null()).spawn().expect("spawn provider");
    let mut text = String::new();
    if let Some(out) = child.stdout.take() {
        let mut r = BufReader::new(out);
        for _ in 0..4 {
            let _ = r.read_line(&mut text);
        }
    }
    let _ = child.kill();
    let _ = child.wait();
    let json = text.split("TF_REATTACH_PROVIDERS='").nth(1).and_then(|s| s.split('\'').next()).unwrap_or("");
    let v: serde_json::Value = serde_json::from_str(json).unwrap_or_else(|e| panic!("{e}: {text}"));
    // Terraform looks `local/vi` up under registry.terraform.io, OpenTofu
    // under registry.opentofu.org: one entry each, the same server.
    for host in ["registry.terraform.io", "registry.opentofu.org"] {
        let p = &v[format!("{host}/local/vi")];
        assert_eq!(p["Protocol"], "grpc");
        assert_eq!(p["ProtocolVersion"], 5);
        assert!(p["Addr"]["String"].as_str().is_some_and(|a| a.starts_with("127.0.0.1:")), "{v}");
    }
    assert_eq!(v["registry.terraform.io/local/vi"], v["registry.opentofu.org/local/vi"]);
}

/// The value `--debug` prints is one the CLI under test (Terraform 1.0.3,
/// or OpenTofu with `TF_ACC_CLI=tofu`) honours: with nothing to install
/// from, init and plan run against the process started by hand.
#[test]
fn debug_mode_reattach_value_serves_the_cli() {
    use crate::harness::terraform::{Tf, provider_block};
    let sim = crate::harness::vcsim::Vcsim::start(&[]);
    let mut child = Command::new(BIN)
        .arg("--debug")
        .env_remove("TF_PLUGIN_MAGIC_COOKIE")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn provider");
    let mut text = String::new();
    if let Some(out) = child.stdout.take() {
        let mut r = BufReader::new(out);
        for _ in 0..4 {
            let _ = r.read_line(&mut text);
        }
    }
    let reattach = text.split("TF_REATTACH_PROVIDERS='").nth(1).and_then(|s| s.split('\'').next()).unwrap_or("");
    // A mirror with nothing in it: only the reattached process can serve.
    let empty = tempfile::tempdir().expect("dir");
    let rc = empty.path().join("cli.rc");
    std::fs::write(
        &rc,
        format!(
            "provider_installation {{\n  filesystem_mirror {{\n    path = \"{}\"\n  }}\n}}\n",
            empty.path().display()
        ),
    )
    .expect("CLI config");
    let tf = Tf::new(
        &(provider_block(&sim.sdk_url(), "")
            + "data \"vi_datacenter\" \"dc\" {}\noutput \"dc\" { value = data.vi_datacenter.dc.name }\n"),
    )
    .env("TF_REATTACH_PROVIDERS", reattach)
    .env("TF_CLI_CONFIG_FILE", &rc.to_string_lossy());
    tf.init();
    let plan = tf.ok(&["plan", "-no-color"]);
    let _ = child.kill();
    let _ = child.wait();
    assert!(plan.contains("dc = \"DC0\""), "{plan}");
}

fn client_cert_pem() -> String {
    let key = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).expect("key");
    rcgen::CertificateParams::new(vec!["localhost".to_owned()]).expect("params").self_signed(&key).expect("cert").pem()
}

/// A provider whose Terraform went away (its connection closed, no
/// Shutdown) ends itself instead of lingering with its sessions.
#[test]
fn exits_when_terraform_closes_its_connection() {
    let mut child = Command::new(BIN)
        .env("TF_PLUGIN_MAGIC_COOKIE", COOKIE)
        .env("PLUGIN_PROTOCOL_VERSIONS", "5")
        .env_remove("PLUGIN_CLIENT_CERT")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn provider");
    let mut line = String::new();
    if let Some(out) = child.stdout.take() {
        let _ = BufReader::new(out).read_line(&mut line);
    }
    let addr = line.split('|').nth(3).unwrap_or_default().to_owned();
    let conn = std::net::TcpStream::connect(&addr).unwrap_or_else(|e| panic!("connect {addr:?}: {e}"));
    std::thread::sleep(std::time::Duration::from_millis(300));
    assert!(child.try_wait().expect("status").is_none(), "exited while Terraform was connected");
    drop(conn);
    let status = exit_within(&mut child, std::time::Duration::from_secs(5));
    assert!(status.is_some_and(|s| s.success()), "still running 5s after the connection closed: {status:?}");
}

/// In `--debug` mode, as its instructions say, Ctrl-C (SIGINT) stops it.
#[test]
fn debug_mode_stops_on_ctrl_c() {
    let mut child = Command::new(BIN)
        .arg("--debug")
        .env_remove("TF_PLUGIN_MAGIC_COOKIE")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn provider");
    let mut line = String::new();
    if let Some(out) = child.stdout.take() {
        let _ = BufReader::new(out).read_line(&mut line);
    }
    assert!(line.contains("debug mode"), "{line}");
    let pid = child.id().to_string();
    assert!(Command::new("kill").args(["-INT", &pid]).status().is_ok_and(|s| s.success()), "kill -INT {pid}");
    let status = exit_within(&mut child, std::time::Duration::from_secs(5));
    assert!(status.is_some_and(|s| s.success()), "still running 5s after Ctrl-C: {status:?}");
}

/// The child's exit status if it ends within `limit`; killed (None) if not.
fn exit_within(child: &mut std::process::Child, limit: std::time::Duration) -> Option<std::process::ExitStatus> {
    let since = std::time::Instant::now();
    loop {
        if let Some(s) = child.try_wait().expect("status") {
            return Some(s);
        }
        if since.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            return None;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}
