//! Drives the real Terraform CLI in a temporary directory, with the freshly
//! built provider installed in a filesystem mirror as `local/vi`.
//!
//! `TF_ACC_CLI=tofu` runs everything with OpenTofu (`.tools/bin/tofu`)
//! instead of Terraform 1.0.3; `scripts/test.sh` runs the suite with both.
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

use tempfile::TempDir;

/// Version the mirror advertises; examples ask for `local/vi` without a
/// constraint, so any version works.
const MIRROR_VERSION: &str = "0.1.0";

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// True when the suite runs with OpenTofu (`TF_ACC_CLI=tofu`).
pub fn is_tofu() -> bool {
    std::env::var("TF_ACC_CLI").is_ok_and(|v| v == "tofu")
}

/// The CLI under test: `.tools/bin/terraform`, or `.tools/bin/tofu`.
pub fn terraform_bin() -> PathBuf {
    let p = repo().join(".tools/bin").join(if is_tofu() { "tofu" } else { "terraform" });
    assert!(p.exists(), "{} is missing: run scripts/tools.sh first", p.display());
    p
}

/// A Terraform newer than 1.0.3 (import blocks with `for_each`, config
/// generation), when this machine has one; no script installs it.
pub fn newer_terraform() -> Option<PathBuf> {
    let p = PathBuf::from("/usr/local/bin/terraform");
    p.exists().then_some(p)
}

/// The registry host a bare `local/vi` source means to the CLI under test.
pub fn registry_host() -> &'static str {
    if is_tofu() { "registry.opentofu.org" } else { "registry.terraform.io" }
}

/// The provider's full address, as `providers schema -json` keys it.
pub fn provider_address() -> String {
    format!("{}/local/vi", registry_host())
}

/// A process-wide mirror holding the provider binary cargo built for these
/// tests, and a CLI config that installs `local/vi` from it.
fn cli_config() -> &'static Path {
    static CONFIG: OnceLock<(TempDir, PathBuf)> = OnceLock::new();
    let (_, cfg) = CONFIG.get_or_init(|| {
        let dir = tempfile::Builder::new().prefix("vi-mirror-").tempdir().expect("temp dir for the mirror");
        // Under both hosts: a test may run a second CLI (`Tf::with_cli`).
        for host in ["registry.terraform.io", "registry.opentofu.org"] {
            let platform = dir.path().join(format!("mirror/{host}/local/vi/{MIRROR_VERSION}/{}", platform()));
            std::fs::create_dir_all(&platform).expect("mirror dir");
            let bin = PathBuf::from(env!("CARGO_BIN_EXE_terraform-provider-vi"));
            std::fs::copy(&bin, platform.join(format!("terraform-provider-vi_v{MIRROR_VERSION}")))
                .expect("copy provider");
        }
        let cfg = dir.path().join("terraform.rc");
        std::fs::write(
            &cfg,
            format!(
                "provider_installation {{\n  filesystem_mirror {{\n    path    = \"{}\"\n    include = [\"local/vi\"]\n  }}\n  direct {{\n    exclude = [\"local/vi\"]\n  }}\n}}\n",
                dir.path().join("mirror").display()
            ),
        )
        .expect("write CLI config");
        (dir, cfg)
    });
    cfg
}

/// Variables a developer's shell may carry that would change what the
/// provider connects to; tests set what they need explicitly.
const SCRUBBED: &[&str] = &[
    "VI_URL",
    "VI_USER",
    "VI_PASSWORD",
    "VI_INSECURE",
    "VI_DATACENTER",
    "VI_PROXY",
    "GOVC_URL",
    "GOVC_USERNAME",
    "GOVC_PASSWORD",
    "GOVC_INSECURE",
    "GOVC_DATACENTER",
    "VCURL",
    "VCDATACENTER",
    "VCDATASTORE",
    "VI_DATASTORE",
    "GOVC_DATASTORE",
    "TF_LOG",
    "TF_LOG_PROVIDER",
    "TF_CLI_ARGS",
];

pub struct Tf {
    pub dir: TempDir,
    env: Vec<(String, String)>,
    /// Where Terraform runs, relative to `dir` (empty: `dir` itself).
    sub: PathBuf,
    /// Another CLI than the one under test, with its own CLI configuration
    /// (tests of what only newer CLIs do; see `harness::peer`).
    cli: Option<(PathBuf, PathBuf)>,
}

impl Tf {
    /// A working directory holding `main.tf`.
    pub fn new(main_tf: &str) -> Tf {
        let dir = tempfile::Builder::new().prefix("vi-acc-").tempdir().expect("temp dir");
        std::fs::write(dir.path().join("main.tf"), main_tf).expect("write main.tf");
        Tf { dir, env: Vec::new(), sub: PathBuf::new(), cli: None }
    }

    /// Runs `bin` with the CLI configuration `config` instead of the CLI
    /// under test and its mirror.
    pub fn with_cli(mut self, bin: &Path, config: &Path) -> Tf {
        self.cli = Some((bin.to_owned(), config.to_owned()));
        self
    }

    /// Runs `bin` instead of the CLI under test, with the suite's mirror
    /// (it holds the provider under both registry hosts).
    pub fn with_cli_bin(mut self, bin: PathBuf) -> Tf {
        self.cli = Some((bin, cli_config().to_owned()));
        self
    }

    pub fn env(mut self, k: &str, v: &str) -> Tf {
        self.env.push((k.to_owned(), v.to_owned()));
        self
    }

    /// Runs Terraform in a subdirectory of the working directory (for
    /// configurations that reference modules beside them).
    pub fn chdir(mut self, sub: &str) -> Tf {
        self.sub = PathBuf::from(sub);
        self
    }

    /// Replaces `main.tf`, for the next step of a test.
    pub fn write_main(&self, content: &str) {
        std::fs::write(self.dir.path().join("main.tf"), content).expect("write main.tf");
    }

    pub fn run(&self, args: &[&str]) -> Output {
        self.command(args).output().expect("run terraform")
    }

    /// Runs with a deadline: None (after killing Terraform) when it has not
    /// ended by then, for tests of what used to hang.
    pub fn run_within(&self, args: &[&str], limit: std::time::Duration) -> Option<Output> {
        let mut child = self
            .command(args)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("run terraform");
        // Drain the pipes on threads so a chatty Terraform never blocks.
        let mut out_pipe = child.stdout.take().expect("stdout");
        let mut err_pipe = child.stderr.take().expect("stderr");
        let out = std::thread::spawn(move || {
            let mut b = Vec::new();
            let _ = std::io::Read::read_to_end(&mut out_pipe, &mut b);
            b
        });
        let err = std::thread::spawn(move || {
            let mut b = Vec::new();
            let _ = std::io::Read::read_to_end(&mut err_pipe, &mut b);
            b
        });
        let start = std::time::Instant::now();
        let status = loop {
            if let Some(s) = child.try_wait().expect("wait for terraform") {
                break s;
            }
            if start.elapsed() > limit {
                let _ = child.kill();
                let _ = child.wait();
                return None;
            }
            std::thread::sleep(std::time::Duration::from_millis(100));
        };
        Some(Output { status, stdout: out.join().unwrap_or_default(), stderr: err.join().unwrap_or_default() })
    }

    /// Runs with `input` on standard input (for `console`).
    pub fn run_input(&self, args: &[&str], input: &str) -> Output {
        use std::io::Write as _;
        let mut child = self
            .command(args)
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("run terraform");
        if let Some(mut stdin) = child.stdin.take() {
            stdin.write_all(input.as_bytes()).expect("write to terraform's stdin");
        }
        child.wait_with_output().expect("wait for terraform")
    }

    /// Starts the CLI without waiting for it (output discarded).
    pub fn spawn(&self, args: &[&str]) -> std::process::Child {
        self.command(args)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("start terraform")
    }

    fn command(&self, args: &[&str]) -> Command {
        let (bin, config) = match &self.cli {
            Some((bin, config)) => (bin.clone(), config.clone()),
            None => (terraform_bin(), cli_config().to_owned()),
        };
        let mut cmd = Command::new(bin);
        cmd.args(args)
            .current_dir(self.dir.path().join(&self.sub))
            .env("TF_CLI_CONFIG_FILE", config)
            .env("TF_IN_AUTOMATION", "1")
            .env("TF_INPUT", "0")
            .env("CHECKPOINT_DISABLE", "1")
            .env("NO_COLOR", "1");
        for k in SCRUBBED {
            cmd.env_remove(k);
        }
        for (k, v) in &self.env {
            cmd.env(k, v);
        }
        cmd
    }

    /// Runs and asserts success, returning stdout.
    pub fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(out.status.success(), "terraform {} failed:\n{}", args.join(" "), text(&out));
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Runs and asserts failure, returning stdout + stderr for matching.
    pub fn fails(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(!out.status.success(), "terraform {} unexpectedly succeeded:\n{}", args.join(" "), text(&out));
        text(&out)
    }

    pub fn init(&self) {
        self.ok(&["init", "-no-color"]);
    }

    pub fn apply(&self) -> String {
        self.ok(&["apply", "-auto-approve", "-no-color"])
    }

    pub fn destroy(&self) -> String {
        self.ok(&["destroy", "-auto-approve", "-no-color"])
    }

    /// A plan after apply must show nothing to do (exit code 0 with
    /// `-detailed-exitcode`; 2 means changes).
    pub fn assert_no_changes(&self) {
        let out = self.run(&["plan", "-detailed-exitcode", "-no-color"]);
        assert_eq!(out.status.code(), Some(0), "second plan is not empty:\n{}", text(&out));
    }

    /// A plan that shows changes; its output, for what they are.
    pub fn assert_changes(&self) -> String {
        let out = self.run(&["plan", "-detailed-exitcode", "-no-color"]);
        assert_eq!(out.status.code(), Some(2), "the plan shows no changes (or failed):\n{}", text(&out));
        text(&out)
    }

    /// `terraform output -json`, as a map of name to value.
    pub fn outputs(&self) -> serde_json::Value {
        let s = self.ok(&["output", "-json"]);
        let v: serde_json::Value = serde_json::from_str(&s).expect("output -json");
        let mut m = serde_json::Map::new();
        if let Some(o) = v.as_object() {
            for (k, e) in o {
                m.insert(k.clone(), e.get("value").cloned().unwrap_or_default());
            }
        }
        serde_json::Value::Object(m)
    }

    /// `terraform show -json` of the current state.
    pub fn show(&self) -> serde_json::Value {
        serde_json::from_str(&self.ok(&["show", "-json"])).expect("show -json")
    }

    /// The standard life of a configuration: init, apply, no-change plan.
    pub fn init_apply_replan(&self) {
        self.init();
        self.apply();
        self.assert_no_changes();
    }
}

pub fn text(out: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr))
}

/// A provider block for a vcsim instance.
pub fn provider_block(sdk_url: &str, extra: &str) -> String {
    format!(
        "terraform {{\n  required_providers {{\n    vi = {{ source = \"local/vi\" }}\n  }}\n}}\n\nprovider \"vi\" {{\n  url      = \"{sdk_url}\"\n  user     = \"user\"\n  password = \"pass\"\n  insecure = true\n{extra}}}\n"
    )
}

/// Just the `terraform` block, for provider blocks a test writes itself.
pub const REQUIRED_PROVIDERS: &str =
    "terraform {\n  required_providers {\n    vi = { source = \"local/vi\" }\n  }\n}\n";

/// Terraform's name for this machine's platform (`linux_amd64`, …).
pub fn platform() -> String {
    let arch = match std::env::consts::ARCH {
        "x86_64" => "amd64",
        "aarch64" => "arm64",
        "x86" => "386",
        other => other,
    };
    format!("{}_{arch}", std::env::consts::OS)
}
