//! `bench/`: the benchmark itself takes tens of minutes and needs the peer
//! provider, so it is not run here; its cheap parts are. The runner refuses
//! clearly without the peer, the report renders a synthetic results file,
//! and the committed results.md holds exactly the figures of the committed
//! results.json, which has every figure for every scenario.
use std::path::PathBuf;
use std::process::{Command, Output};

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn python(args: &[&str]) -> Output {
    Command::new("python3").args(args).current_dir(repo()).output().expect("python3 is needed for bench/")
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn run_sh_refuses_without_the_peer_binary() {
    for peer in [None, Some("/nonexistent/terraform-provider-vsphere_v1.2.3"), Some("/bin/sh")] {
        let mut cmd = Command::new(repo().join("bench/run.sh"));
        cmd.env_remove("PEER_PROVIDER");
        if let Some(p) = peer {
            cmd.env("PEER_PROVIDER", p);
        }
        let out = cmd.output().expect("run bench/run.sh");
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(2), "{peer:?}: {err}");
        assert!(err.contains("PEER_PROVIDER"), "{err}");
        assert!(err.contains("the vSphere provider's repository"), "{err}");
        assert!(err.contains("bench/README.md"), "{err}");
    }
}

#[test]
fn runner_rejects_bad_arguments() {
    let peer = "/x/terraform-provider-vsphere_v1.2.3";
    for (args, says) in [
        (vec!["--sizes", "10,x"], "comma-separated integers"),
        (vec!["--runs", "0"], "at least 1"),
        (vec!["--delays=-5"], "non-negative"),
    ] {
        let mut all = vec!["bench/bench.py", "--peer", peer];
        all.extend(args.iter());
        let out = python(&all);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(stderr(&out).contains(says), "{args:?}: {}", stderr(&out));
    }
    let out = python(&["bench/bench.py", "--peer", "/x/terraform-provider-aws_v1.0.0"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("terraform-provider-vsphere_vX.Y.Z"), "{}", stderr(&out));
}

#[test]
fn report_renders_targets_and_tables_from_synthetic_results() {
    let out = python(&["bench/report.py", "bench/testdata/results.json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let md = stdout(&out);
    for line in [
        "| refresh of 100 VMs, `-delay 20`: wall time ≤ 0.3× the peer's | 0.20× (2.00 s vs 10.00 s) | **yes** |",
        "| refresh of 100 VMs, `-delay 20`: SOAP calls ≤ 0.1× the peer's | 0.05× (20 vs 400) | **yes** |",
        "| create of 50 VMs, `-delay 20`: wall time ≤ 0.5× the peer's | 0.60× (30.00 s vs 50.00 s) | **no** |",
        "| start-to-handshake ≤ 0.3× the peer's | 0.40× (20.0 ms vs 50.0 ms) | **no** |",
        "| upload ≥ 0.9× curl's throughput | 0.90× (270 MiB/s vs 300 MiB/s) | **yes** |",
        "| upload peak RSS ≤ 32 MiB | 9.0 MiB | **yes** |",
        "| refresh | 100 | 10 | 2.00 | 10.00 | 0.20× | 20 | 400 | 0.05× | 11.0 | 44.0 | 0.25× |",
        "| create | 10 | 10 | 4.00 | 330.00 (failed) | 0.01× | 100 | 300 | 0.33× | 11.0 | 44.0 | 0.25× |",
        "- create, peer: killed after 330 s without finishing",
    ] {
        assert!(md.lines().any(|l| l == line), "missing line {line}\nin:\n{md}");
    }
}

/// Every scenario object carries the four figures for both sides and their
/// ratios, and each ratio is ours / peer.
#[test]
fn committed_results_have_every_figure() {
    let text = std::fs::read_to_string(repo().join("bench/results.json")).expect("bench/results.json");
    let all: serde_json::Value = serde_json::from_str(&text).expect("results.json is JSON");
    let list = all.as_array().expect("results.json is a list of scenario objects");
    let scenarios: Vec<&str> = list.iter().filter_map(|s| s["scenario"].as_str()).collect();
    for name in ["create", "refresh", "destroy", "upload"] {
        assert!(scenarios.contains(&name), "no {name} scenario in results.json");
    }
    for s in list {
        assert!(s["n"].is_u64() && s["delay_ms"].is_u64(), "{s}");
        for key in ["wall_s", "soap_calls", "peak_rss_mb", "handshake_ms"] {
            let (ours, peer, ratio) = (&s["ours"][key], &s["peer"][key], &s["ratio"][key]);
            for (side, v) in [("ours", ours), ("peer", peer), ("ratio", ratio)] {
                assert!(v.is_number() || v.is_null(), "{side}.{key} missing in {}", s["scenario"]);
            }
            if let (Some(o), Some(p), Some(r)) = (ours.as_f64(), peer.as_f64(), ratio.as_f64()) {
                assert!((o / p - r).abs() < 1e-3, "{}: ratio.{key} = {r}, not {o} / {p}", s["scenario"]);
            }
        }
        if s["scenario"] != "upload" {
            for key in ["wall_s", "soap_calls", "peak_rss_mb", "handshake_ms"] {
                assert!(s["ratio"][key].is_number(), "{}: ratio.{key} is empty", s["scenario"]);
            }
        }
    }
}

#[test]
fn committed_results_md_holds_the_figures_of_results_json() {
    let out = python(&["bench/report.py", "bench/results.json", "--check", "bench/results.md"]);
    assert!(out.status.success(), "{}", stderr(&out));
}
