//! The real vSphere provider (`hashicorp/vsphere` v2.16.1, in
//! `../shared/peer/`) beside ours, and the CLIs newer than the suite's
//! Terraform 1.0.3 that tests of newer protocol features run with: to move
//! state from it to `vi` (MoveResourceState: Terraform 1.8+, OpenTofu
//! 1.10+), to track resource identity (Terraform 1.12+, OpenTofu 1.12+), to
//! call provider functions (Terraform 1.8+, OpenTofu 1.7+) or to keep
//! write-only attributes out of state (Terraform 1.11+, OpenTofu 1.11+).
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use tempfile::TempDir;

use super::terraform::platform;

pub const PEER_VERSION: &str = "2.16.1";
/// Where a newer Terraform than `.tools/`' 1.0.3 may be installed; no
/// registry here ships one, so only machines that have it run with it.
const NEWER_TERRAFORM: &str = "/usr/local/bin/terraform";

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The peer binary, or why it is not there.
pub fn peer_binary() -> Result<PathBuf, String> {
    let p = repo().join("../shared/peer").join(format!("terraform-provider-vsphere_v{PEER_VERSION}"));
    if p.is_file() {
        Ok(p)
    } else {
        Err(format!(
            "the vSphere provider v{PEER_VERSION} is not at {} (see the issue's notes on ../shared/peer)",
            p.display()
        ))
    }
}

/// A CLI a test runs with.
pub struct Cli {
    /// `tofu 1.10.0`, `terraform 1.11.4`: for the test's output.
    pub name: String,
    /// (major, minor, patch).
    pub version: (u32, u32, u32),
    pub bin: PathBuf,
    /// A CLI configuration installing both providers from one mirror.
    pub config: PathBuf,
}

/// The CLIs on this machine that can move state between providers, and
/// for each one that cannot (or is absent), why.
pub fn move_capable_clis(peer: &Path) -> (Vec<Cli>, Vec<String>) {
    clis_from((1, 10), (1, 8), "move state between providers", Some(peer))
}

/// The CLIs on this machine that know resource identity (`import {
/// identity = ... }`), and for each one that does not, why.
pub fn identity_capable_clis() -> (Vec<Cli>, Vec<String>) {
    clis_from((1, 12), (1, 12), "know resource identity", None)
}

/// The CLIs on this machine that call provider functions (Terraform 1.8+,
/// OpenTofu 1.7+), and for each one that does not, why.
pub fn function_capable_clis() -> (Vec<Cli>, Vec<String>) {
    clis_from((1, 7), (1, 8), "call provider functions", None)
}

/// The CLIs on this machine that keep write-only attributes out of plans
/// and state (Terraform 1.11+, OpenTofu 1.11+), and for each one that does
/// not, why.
pub fn write_only_capable_clis() -> (Vec<Cli>, Vec<String>) {
    clis_from((1, 11), (1, 11), "keep write-only attributes out of state", None)
}

/// OpenTofu from `.tools/` and a newer Terraform, each when at least the
/// given version; with a mirror holding our provider (and the peer).
fn clis_from(tofu_min: (u32, u32), tf_min: (u32, u32), what: &str, peer: Option<&Path>) -> (Vec<Cli>, Vec<String>) {
    let config = mirror_config(peer);
    let mut ok = Vec::new();
    let mut skipped = Vec::new();
    let candidates =
        [("tofu", repo().join(".tools/bin/tofu"), tofu_min), ("terraform", PathBuf::from(NEWER_TERRAFORM), tf_min)];
    for (kind, bin, min) in candidates {
        if !bin.is_file() {
            skipped.push(format!("{kind}: {} is not installed", bin.display()));
            continue;
        }
        match version_of(&bin, config) {
            Some(v) if (v.0, v.1) >= min => ok.push(Cli {
                name: format!("{kind} {}.{}.{}", v.0, v.1, v.2),
                version: v,
                bin,
                config: config.to_owned(),
            }),
            Some(v) => skipped.push(format!(
                "{kind} {}.{}.{} at {} is older than {}.{}, the first to {what}",
                v.0,
                v.1,
                v.2,
                bin.display(),
                min.0,
                min.1
            )),
            None => skipped.push(format!("{kind}: {} did not report its version", bin.display())),
        }
    }
    (ok, skipped)
}

/// `version -json`'s version, as numbers.
fn version_of(bin: &Path, config: &Path) -> Option<(u32, u32, u32)> {
    let out = std::process::Command::new(bin)
        .args(["version", "-json"])
        .env("CHECKPOINT_DISABLE", "1")
        .env("TF_CLI_CONFIG_FILE", config)
        .output()
        .ok()?;
    // A CLI may print warnings before the JSON.
    let stdout = String::from_utf8_lossy(&out.stdout);
    let v: serde_json::Value = serde_json::from_str(stdout.get(stdout.find('{')?..)?).ok()?;
    let s = v["terraform_version"].as_str()?;
    let mut parts = s.split(['.', '-']).map(|p| p.parse::<u32>().ok());
    Some((parts.next()??, parts.next()??, parts.next()??))
}

/// One filesystem mirror holding our provider (as `local/vi`) and, when
/// there, the peer (as `hashicorp/vsphere`), under both CLIs' registry hosts.
fn mirror_config(peer: Option<&Path>) -> &'static Path {
    static WITH_PEER: OnceLock<(TempDir, PathBuf)> = OnceLock::new();
    static OURS_ONLY: OnceLock<(TempDir, PathBuf)> = OnceLock::new();
    let cell = if peer.is_some() { &WITH_PEER } else { &OURS_ONLY };
    let (_, cfg) = cell.get_or_init(|| {
        let dir = tempfile::Builder::new().prefix("vi-peer-mirror-").tempdir().expect("temp dir for the mirror");
        let ours = PathBuf::from(env!("CARGO_BIN_EXE_terraform-provider-vi"));
        for host in ["registry.terraform.io", "registry.opentofu.org"] {
            let vi = dir.path().join(format!("mirror/{host}/local/vi/0.1.0/{}", platform()));
            let vs = dir.path().join(format!("mirror/{host}/hashicorp/vsphere/{PEER_VERSION}/{}", platform()));
            std::fs::create_dir_all(&vi).expect("mirror dir");
            std::fs::copy(&ours, vi.join("terraform-provider-vi_v0.1.0")).expect("copy provider");
            if let Some(peer) = peer {
                std::fs::create_dir_all(&vs).expect("mirror dir");
                std::fs::copy(peer, vs.join(format!("terraform-provider-vsphere_v{PEER_VERSION}"))).expect("copy peer");
            }
        }
        let cfg = dir.path().join("terraform.rc");
        std::fs::write(
            &cfg,
            format!(
                "provider_installation {{\n  filesystem_mirror {{\n    path    = \"{}\"\n    include = [\"local/vi\", \"hashicorp/vsphere\"]\n  }}\n  direct {{\n    exclude = [\"local/vi\", \"hashicorp/vsphere\"]\n  }}\n}}\n",
                dir.path().join("mirror").display()
            ),
        )
        .expect("write CLI config");
        (dir, cfg)
    });
    cfg
}

/// Says loudly, in the test's output, that a test did not run and why.
pub fn skip_loudly(test: &str, why: &str) {
    let line = "!".repeat(78);
    eprintln!("{line}\n!! SKIPPED {test}: {why}\n{line}");
    println!("SKIPPED {test}: {why}");
}

/// Runs `f` with each CLI of `found` (as the `*_capable_clis` functions
/// return them), saying which CLIs were left out
/// and which it passed with; with none, skips loudly saying `none`.
pub fn with_each_cli(test: &str, found: (Vec<Cli>, Vec<String>), none: &str, f: impl Fn(&Cli)) {
    let (clis, skipped) = found;
    for s in &skipped {
        eprintln!("{test}: not run with {s}");
    }
    if clis.is_empty() {
        return skip_loudly(test, none);
    }
    for cli in &clis {
        f(cli);
    }
    let names: Vec<&str> = clis.iter().map(|c| c.name.as_str()).collect();
    println!("{test}: passed with {}", names.join(", "));
    eprintln!("{test}: passed with {}", names.join(", "));
}
