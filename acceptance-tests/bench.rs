//! `bench/`: the benchmark itself takes about an hour and needs the peer
//! provider, so it is not run here; its cheap parts are. The runner refuses
//! clearly without the peer and takes the shared one by default, the report
//! and the plot render a synthetic results file, and the committed
//! results.md (and scale.png, once a run has a scale part) hold exactly the
//! figures of the committed results.json, which has every figure for every
//! scenario.
use std::path::{Path, PathBuf};
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

const DEFAULT_PEER: &str = "shared/peer/terraform-provider-vsphere_v2.16.1";

/// `bench/run.sh` copied into `<dir>/repo/bench/`, so that what it finds
/// beside the checkout (`<dir>/shared/peer/`) is up to the test.
fn run_sh_in(dir: &Path) -> PathBuf {
    let bench = dir.join("repo/bench");
    std::fs::create_dir_all(&bench).unwrap();
    let run = bench.join("run.sh");
    std::fs::copy(repo().join("bench/run.sh"), &run).unwrap();
    run
}

fn run(run_sh: &Path, peer: Option<&str>) -> (Option<i32>, String) {
    let mut cmd = Command::new(run_sh);
    cmd.env_remove("PEER_PROVIDER");
    if let Some(p) = peer {
        cmd.env("PEER_PROVIDER", p);
    }
    let out = cmd.output().expect("run bench/run.sh");
    (out.status.code(), stderr(&out))
}

fn assert_refusal(code: Option<i32>, err: &str, what: &str) {
    assert_eq!(code, Some(2), "{what}: {err}");
    assert!(err.contains("PEER_PROVIDER"), "{what}: {err}");
    assert!(err.contains("the vSphere provider's repository"), "{what}: {err}");
    assert!(err.contains("bench/README.md"), "{what}: {err}");
}

#[test]
fn run_sh_refuses_without_the_peer_binary() {
    for peer in ["/nonexistent/terraform-provider-vsphere_v1.2.3", "/bin/sh"] {
        let (code, err) = run(&repo().join("bench/run.sh"), Some(peer));
        assert_refusal(code, &err, peer);
    }
    // Neither PEER_PROVIDER nor the shared peer beside the checkout.
    let dir = tempfile::tempdir().unwrap();
    let (code, err) = run(&run_sh_in(dir.path()), None);
    assert_refusal(code, &err, "no peer at all");
    assert!(err.contains("PEER_PROVIDER is not set"), "{err}");
    assert!(err.contains(&dir.path().join(DEFAULT_PEER).display().to_string()), "names the default: {err}");
}

#[test]
fn run_sh_takes_the_shared_peer_when_peer_provider_is_unset() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let run_sh = run_sh_in(dir.path());
    let peer = dir.path().join(DEFAULT_PEER);
    std::fs::create_dir_all(peer.parent().unwrap()).unwrap();
    std::fs::write(&peer, "#!/bin/sh\nexit 1\n").unwrap();

    std::fs::set_permissions(&peer, std::fs::Permissions::from_mode(0o644)).unwrap();
    let (code, err) = run(&run_sh, None);
    assert_refusal(code, &err, "default peer not executable");
    assert!(err.contains(&format!("The default peer {} is not executable", peer.display())), "{err}");

    // Executable: the peer checks pass and the next check (the pinned tools,
    // absent from this copy) is the one that stops it.
    std::fs::set_permissions(&peer, std::fs::Permissions::from_mode(0o755)).unwrap();
    let (code, err) = run(&run_sh, None);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains(".tools/bin/terraform is missing"), "{err}");
    assert!(!err.contains("PEER_PROVIDER"), "the default peer was refused: {err}");
}

#[test]
fn runner_rejects_bad_arguments() {
    let peer = "/x/terraform-provider-vsphere_v1.2.3";
    for (args, says) in [
        (vec!["--sizes", "10,x"], "comma-separated integers"),
        (vec!["--runs", "0"], "at least 1"),
        (vec!["--delays=-5"], "non-negative"),
        (vec!["--parallel-n", "7"], "must be 0 or one of --sizes"),
        (vec!["--scale-sizes", "10,x"], "comma-separated integers"),
        (vec!["--scale-sizes", "0,10"], "--no-scale skips"),
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
        // Issue 22: calls per VM, ratios, and the scale part's limits at 1,000 VMs.
        "| create of 100 VMs, `-delay 20`: ≤ 4 SOAP calls per VM | 4.00 per VM (400 calls) | **yes** |",
        "| create of 100 VMs, `-delay 20`: wall time ≤ 0.12× the peer's | 0.100× (10.00 s vs 100.00 s) | **yes** |",
        "| destroy of 100 VMs, `-delay 20`: ≤ 3 SOAP calls per VM | 3.00 per VM (300 calls) | **yes** |",
        "| destroy of 100 VMs, `-delay 20`: wall time ≤ 0.15× the peer's | 0.500× (20.00 s vs 40.00 s) | **no** |",
        "| refresh of 100 VMs, `-delay 20`: wall time ≤ 0.25× the peer's | 0.200× (2.00 s vs 10.00 s) | **yes** |",
        "| provider peak RSS ≤ 0.25× the peer's, everywhere (matrix and scale) | worst 0.273×: scale create of 1000 VMs, \
         `-delay 0` (12.0 MiB vs 44.0 MiB) | **no** |",
        "| refresh (`apply -refresh-only`) of 1,000 VMs, `-delay 0`: wall time ≤ 0.2× the peer's | 0.067× (4.00 s vs \
         60.00 s) | **yes** |",
        "| refresh (`apply -refresh-only`) of 1,000 VMs, `-delay 0`: SOAP calls ≤ N/10 + 20 = 120 | 120 (0.120 per \
         VM; peer 12027) | **yes** |",
        "| plan (no changes) of 1,000 VMs, `-delay 0`: SOAP calls ≤ N/10 + 20 = 120 | 121 (0.121 per VM; peer \
         12027) | **no** |",
        "| plan (no changes) of 1,000 VMs, `-delay 0`: provider peak RSS ≤ 16 MiB | 17.0 MiB (peer 85.0 MiB) | **no** |",
        // Ours at -parallelism=10 beside the matrix's cell at 1.
        "| create | 20 | 10.00 | 4.00 | 0.40× | 100.00 | 0.04× | 400 | 420 | 11.0 | 12.0 |",
        // The scale table, the growth table, the plot.
        "| plan (no changes) | 1000 | 5.00 | 20.00 | 0.25× | 121 | 12027 | 0.01× | 0.121 | 12.027 | 17.0 | 85.0 | 0.20× |",
        "| scenario | figure | side | N = 10 | N = 100 | N = 1,000 | growth |",
        "| refresh (`apply -refresh-only`) | SOAP calls | peer | 147 | 1227 | 12027 | 81.82× |",
        "| create (setup, one run) | wall s | ours | 2.00 | 14.00 | 150.00 | 75.00× |",
        "![How wall time, SOAP calls and peak RSS grow with N, both providers](scale.png)",
        "| scale plan | 1000 | 0 | 5.00 5.00 5.00 | 20.00 20.00 20.00 | 121 121 121 | 12027 12027 12027 |",
    ] {
        assert!(md.lines().any(|l| l == line), "missing line {line}\nin:\n{md}");
    }
}

/// Reads a PNG independently of bench/png.py (zlib in Python's standard
/// library): size, and for each provider's colour how many pixels it has and
/// their mean height in the left panel (wall time) and the right one (RSS).
const PNG_FACTS: &str = r#"
import json, struct, sys, zlib
d = open(sys.argv[1], "rb").read()
assert d[:8] == b"\x89PNG\r\n\x1a\n", "signature"
pos, idat = 8, b""
while pos < len(d):
    (n,) = struct.unpack(">I", d[pos:pos + 4])
    kind, body = d[pos + 4:pos + 8], d[pos + 8:pos + 8 + n]
    assert struct.unpack(">I", d[pos + 8 + n:pos + 12 + n])[0] == zlib.crc32(kind + body), kind
    if kind == b"IHDR":
        w, h = struct.unpack(">II", body[:8])
        assert body[8:10] == b"\x08\x02", "8-bit RGB"
    if kind == b"IDAT":
        idat += body
    pos += 12 + n
raw = zlib.decompress(idat)
stride = 1 + 3 * w
assert len(raw) == h * stride
facts = {"width": w, "height": h}
for side, c in (("ours", bytes([31, 119, 180])), ("peer", bytes([230, 110, 0]))):
    pts = [(x, y) for y in range(h) for x in range(w) if raw[y * stride + 1 + 3 * x:y * stride + 4 + 3 * x] == c]
    left = [y for x, y in pts if x < w / 3]
    right = [y for x, y in pts if x > 2 * w / 3]
    facts[side] = {"pixels": len(pts), "left_mean_y": sum(left) / max(len(left), 1), "right_mean_y": sum(right) / max(len(right), 1)}
print(json.dumps(facts))
"#;

fn png_facts(png: &Path) -> serde_json::Value {
    let out = python(&["-c", PNG_FACTS, png.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    serde_json::from_str(&stdout(&out)).expect("facts are JSON")
}

#[test]
fn plot_draws_the_scale_results_and_checks_a_png_against_them() {
    let dir = tempfile::tempdir().unwrap();
    let png = dir.path().join("scale.png");
    let png_s = png.to_str().unwrap();
    let out = python(&["bench/plot.py", "bench/testdata/results.json", png_s]);
    assert!(out.status.success(), "{}", stderr(&out));
    let facts = png_facts(&png);
    assert_eq!((facts["width"].as_u64(), facts["height"].as_u64()), (Some(1200), Some(500)), "{facts}");
    for side in ["ours", "peer"] {
        assert!(facts[side]["pixels"].as_u64().unwrap() > 1000, "{side} is hardly drawn: {facts}");
    }
    // The synthetic ours is faster and smaller than the peer at every N:
    // lower on both panels (y grows downwards).
    for panel in ["left_mean_y", "right_mean_y"] {
        let (o, p) = (facts["ours"][panel].as_f64().unwrap(), facts["peer"][panel].as_f64().unwrap());
        assert!(o > p + 20.0, "{panel}: ours at {o}, peer at {p}");
    }

    let check = |results: &str| python(&["bench/plot.py", results, "--check", png_s]);
    let same = check("bench/testdata/results.json");
    assert!(same.status.success(), "{}", stderr(&same));
    // One figure changed: the PNG is no longer the plot of the results.
    let mut results: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(repo().join("bench/testdata/results.json")).unwrap()).unwrap();
    let refresh_1000 = results
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .find(|r| r["scale"] == true && r["scenario"] == "refresh" && r["n"] == 1000)
        .expect("a scale refresh of 1000 VMs in the synthetic results");
    refresh_1000["ours"]["wall_s"] = serde_json::json!(8.0);
    let changed = dir.path().join("changed.json");
    std::fs::write(&changed, results.to_string()).unwrap();
    let differs = check(changed.to_str().unwrap());
    assert_eq!(differs.status.code(), Some(1), "{}", stderr(&differs));
    assert!(stderr(&differs).contains("is not the plot of these results"), "{}", stderr(&differs));
    // Results without a scale part: no PNG is right, a PNG left over is stale.
    results.as_array_mut().unwrap().retain(|r| r["scale"] != true);
    let no_scale = dir.path().join("no-scale.json");
    std::fs::write(&no_scale, results.to_string()).unwrap();
    let absent = dir.path().join("absent.png");
    let out = python(&["bench/plot.py", no_scale.to_str().unwrap(), "--check", absent.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    let stale = python(&["bench/plot.py", no_scale.to_str().unwrap(), "--check", png_s]);
    assert_eq!(stale.status.code(), Some(1), "{}", stderr(&stale));
    assert!(stderr(&stale).contains("the results have no scale part"), "{}", stderr(&stale));
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
        if s["ours_parallel"] == true {
            // Ours alone at -parallelism=10, against the matrix's cell at 1.
            assert!(s["peer"].is_null() && s["ratio"].is_null(), "{s}");
            for key in ["wall_s", "soap_calls", "peak_rss_mb"] {
                assert!(s["ours"][key].is_number(), "ours_parallel {}: ours.{key} is empty", s["scenario"]);
                for vs in ["ratio_to_parallelism_1", "ratio_to_peer"] {
                    assert!(s[vs][key].is_number(), "ours_parallel {}: {vs}.{key} is empty", s["scenario"]);
                }
            }
        } else if s["scenario"] != "upload" {
            for key in ["wall_s", "soap_calls", "peak_rss_mb", "handshake_ms"] {
                assert!(s["ratio"][key].is_number(), "{}: ratio.{key} is empty", s["scenario"]);
            }
        }
    }
}

#[test]
fn committed_results_md_and_plot_hold_the_figures_of_results_json() {
    let out = python(&["bench/report.py", "bench/results.json", "--check", "bench/results.md"]);
    assert!(out.status.success(), "{}", stderr(&out));
    // The plot when the run had a scale part; no plot when it had none.
    let out = python(&["bench/plot.py", "bench/results.json", "--check", "bench/scale.png"]);
    assert!(out.status.success(), "{}", stderr(&out));
}
