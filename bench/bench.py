#!/usr/bin/env python3
"""Benchmarks terraform-provider-vi against the vSphere provider on one vcsim.

Run through bench/run.sh, which checks the peer binary and builds ours; see
bench/README.md for the method. Writes bench/results.json and
bench/results.md (through report.py); keeps every log under --work.
Python standard library only.
"""

import argparse
import datetime
import hashlib
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
# The bench's own modules, beside this file (hence the path above).
import plot
import report
import scale
from common import ROOT, TOOLS, clean_env, log, tail
from configs import OURS_VERSION, hcl_ours, hcl_peer, write_cli_config
from cycle import TF_DEFAULT_PARALLELISM, Workdir, entries, one_cycle
from procs import proc_status_kb, run_measured
from vcsim import Vcsim

# What run.sh takes when PEER_PROVIDER is unset (see "The peer binary" in
# README.md).
DEFAULT_PEER = ROOT.parent / "shared" / "peer" / "terraform-provider-vsphere_v2.16.1"
MAGIC_COOKIE = "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2"


def int_list(text):
    try:
        values = [int(x) for x in text.split(",") if x.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected comma-separated integers, got {text!r}")
    if not values or any(v < 0 for v in values):
        raise argparse.ArgumentTypeError(f"expected non-negative integers, got {text!r}")
    return values


def parse_args(argv):
    p = argparse.ArgumentParser(
        prog="bench/run.sh",
        description="terraform-provider-vi against the vSphere provider, side by side on one vcsim.",
    )
    p.add_argument("--peer", required=True, help="the vSphere provider binary, terraform-provider-vsphere_vX.Y.Z")
    p.add_argument("--sizes", type=int_list, default=[10, 50, 100], help="VM counts (default 10,50,100)")
    p.add_argument("--delays", type=int_list, default=[0, 20], help="vcsim -delay values in ms (default 0,20)")
    p.add_argument(
        "--runs",
        type=int,
        default=3,
        help="runs per cell and provider, alternating, and of the scale part's refresh and plan (default 3)",
    )
    p.add_argument("--handshakes", type=int, default=15, help="handshake samples per provider (default 15)")
    p.add_argument("--upload-mib", type=int, default=1024, help="upload size in MiB, 0 to skip (default 1024)")
    p.add_argument("--upload-runs", type=int, default=3, help="uploads per side, alternating (default 3)")
    p.add_argument(
        "--parallelism",
        type=int,
        default=1,
        help="terraform -parallelism for create and destroy, both providers (default 1; refresh always uses 10)",
    )
    p.add_argument(
        "--probe-n",
        type=int,
        default=10,
        help="VMs in the one-off run at Terraform's default parallelism, 0 to skip (default 10)",
    )
    p.add_argument("--probe-timeout", type=int, default=330, help="seconds per command in that run (default 330)")
    p.add_argument(
        "--parallel-n",
        type=int,
        help="VMs ours creates and destroys at Terraform's default parallelism too, beside the matrix's "
        "-parallelism=1, at each delay; one of --sizes, 0 to skip (default: the largest of --sizes)",
    )
    p.add_argument(
        "--scale-sizes",
        type=int_list,
        default=[10, 100, 1000],
        help="VM counts of the scale part: refresh and plan of N existing VMs, vcsim -delay 0, both providers; "
        "each N is created once per provider (default 10,100,1000; the peer's create of 1000 takes ~12 min)",
    )
    p.add_argument("--no-scale", action="store_true", help="skip the scale part")
    p.add_argument("--work", help="directory for logs and scratch files (default: a new temp dir)")
    p.add_argument("--out", default=str(ROOT / "bench"), help="where results.json, results.md and scale.png go")
    args = p.parse_args(argv)
    if min(args.runs, args.handshakes, args.upload_runs, args.parallelism, args.probe_timeout) < 1:
        p.error("--runs, --handshakes, --upload-runs, --parallelism and --probe-timeout must be at least 1")
    if args.parallel_n is None:
        args.parallel_n = max(args.sizes)
    if args.parallel_n != 0 and args.parallel_n not in args.sizes:
        p.error("--parallel-n must be 0 or one of --sizes (its -parallelism=1 figures come from the matrix)")
    if 0 in args.scale_sizes:
        p.error("--scale-sizes must be at least 1 (--no-scale skips the scale part)")
    m = re.fullmatch(r"terraform-provider-vsphere_v(\d+\.\d+\.\d+)", Path(args.peer).name)
    if not m:
        p.error(f"--peer must be named terraform-provider-vsphere_vX.Y.Z (got {Path(args.peer).name})")
    args.peer_version = m.group(1)
    return args


# ---------------------------------------------------------------- handshake


def make_client_cert(work):
    """A throwaway PEM certificate, as Terraform passes in PLUGIN_CLIENT_CERT."""
    key, cert = work / "client.key", work / "client.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
         "-subj", "/CN=localhost", "-days", "1", "-keyout", str(key), "-out", str(cert)],
        check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    return cert.read_text()


def handshake_once(binary, cert_pem, port):
    env = clean_env(
        {
            "TF_PLUGIN_MAGIC_COOKIE": MAGIC_COOKIE,
            "PLUGIN_PROTOCOL_VERSIONS": "5",
            "PLUGIN_MIN_PORT": str(port),
            "PLUGIN_MAX_PORT": str(port + 100),
            "PLUGIN_CLIENT_CERT": cert_pem,
        }
    )
    started = time.perf_counter()
    proc = subprocess.Popen([str(binary)], env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    line = proc.stdout.readline()
    ms = (time.perf_counter() - started) * 1000
    # Idle: what the process holds once it has answered and settled.
    time.sleep(0.5)
    idle_kb = proc_status_kb(proc.pid, "VmRSS") or 0
    proc.kill()
    proc.wait()
    # Core version 1, protocol 5, then tcp or unix: go-plugin's line.
    if not line.startswith(b"1|5|"):
        raise RuntimeError(f"{binary} gave no go-plugin handshake line: {line[:200]!r}")
    return ms, idle_kb


def measure_handshakes(ours_bin, peer_bin, count, work):
    cert = make_client_cert(work)
    res = {"ours": ([], []), "peer": ([], [])}
    for i in range(count):
        for side, binary in (("ours", ours_bin), ("peer", peer_bin)):
            ms, idle_kb = handshake_once(binary, cert, 42000 + (i % 20) * 200)
            res[side][0].append(ms)
            res[side][1].append(idle_kb)
    out = {}
    for side, (mss, kbs) in res.items():
        out[side] = {
            "handshake_ms": round(statistics.median(mss), 2),
            "handshake_runs_ms": [round(x, 2) for x in mss],
            "idle_rss_mb": round(statistics.median(kbs) / 1024, 1),
        }
    return out


# ---------------------------------------------------------------- scenarios

def prepare_sides(args, ours_bin, work, logs):
    cfg = write_cli_config(work, ours_bin, Path(args.peer), args.peer_version)
    sides = {
        "ours": (Workdir(work / "tf-ours", cfg, logs), hcl_ours),
        "peer": (
            Workdir(work / "tf-peer", cfg, logs),
            lambda n, sim: hcl_peer(n, sim, args.peer_version),
        ),
    }
    # init needs only the mirror; a placeholder vcsim address is enough.
    placeholder = argparse.Namespace(sdk_url="https://127.0.0.1:1/sdk", addr="127.0.0.1:1", user="u", password="p")
    for side, (wd, hcl) in sides.items():
        (wd.path / "main.tf").write_text(hcl(1, placeholder))
        _, rc, _, _ = wd.run(["init", "-no-color", "-input=false"], f"init-{side}")
        if rc != 0:
            raise RuntimeError(f"terraform init failed for {side}:\n{tail(logs / f'init-{side}.log')}")
    return sides


def run_matrix(args, sides, logs, handshakes):
    results = []
    for delay in args.delays:
        for n in args.sizes:
            per = {"ours": [], "peer": []}
            for run in range(args.runs):
                for side in ("ours", "peer"):
                    wd, hcl = sides[side]
                    per[side].append(one_cycle(side, wd, hcl, n, delay, run, logs, args.parallelism))
            results += entries(per, n, delay, handshakes, args)
    return results


def run_probe(args, sides, logs, handshakes):
    """Both providers once at Terraform's default parallelism, to record
    whether the peer completes that way on vcsim."""
    per = {}
    for side in ("ours", "peer"):
        wd, hcl = sides[side]
        per[side] = [
            one_cycle(
                side, wd, hcl, args.probe_n, 0, 0, logs, TF_DEFAULT_PARALLELISM, timeout=args.probe_timeout, part="probe-"
            )
        ]
    return entries(per, args.probe_n, 0, handshakes, args, probe=True)


# ---------------------------------------------------------------- upload


def make_upload_file(path, mib):
    if path.exists() and path.stat().st_size == mib * 1024 * 1024:
        return
    chunk = 8 * 1024 * 1024
    with open(path, "wb") as f:
        for _ in range(mib * 1024 * 1024 // chunk):
            f.write(os.urandom(chunk))
        rest = mib * 1024 * 1024 % chunk
        if rest:
            f.write(os.urandom(rest))


def run_upload(args, upload_bin, work):
    mib = args.upload_mib
    src = work / f"upload-{mib}MiB.bin"
    log(f"upload: writing a {mib} MiB file of random bytes")
    make_upload_file(src, mib)
    size = src.stat().st_size
    logs = work / "logs"
    sim = Vcsim(logs, 0, trace=False, tag="vcsim-upload")
    runs = {"ours": [], "peer": []}
    try:
        creds = [sim.sdk_url, sim.user, sim.password]
        out, err, rc, _, _ = run_measured([str(upload_bin), "cookie", *creds], env=clean_env())
        if rc != 0:
            raise RuntimeError(f"bench_upload cookie failed: {err.strip()}")
        cookie = out.strip()
        target = "bench-upload.bin"
        url = f"https://{sim.addr}/folder/{target}?dcPath=DC0&dsName=LocalDS_0"

        def ours():
            out, err, rc, rss_kb, _ = run_measured(
                [str(upload_bin), "upload", *creds, str(src), "LocalDS_0", target], env=clean_env()
            )
            if rc != 0:
                raise RuntimeError(f"bench_upload failed: {err.strip()}")
            seconds = json.loads(out)["seconds"]
            return seconds, rss_kb

        def curl():
            out, err, rc, rss_kb, _ = run_measured(
                ["curl", "-sS", "-k", "-T", str(src), "--cookie", cookie, "-o", "/dev/null",
                 "-w", "%{http_code} %{time_total}", url],
                env=clean_env(),
            )
            code, _, secs = out.strip().partition(" ")
            if rc != 0 or not code.startswith("2"):
                raise RuntimeError(f"curl upload failed (exit {rc}, HTTP {code}): {err.strip()}")
            return float(secs), rss_kb

        # One untimed round first: page cache and vcsim's file both warm.
        ours()
        curl()
        for i in range(args.upload_runs):
            for side, fn in (("ours", ours), ("peer", curl)):
                seconds, rss_kb = fn()
                runs[side].append((seconds, rss_kb))
                log(f"upload {side} #{i}: {seconds:.2f}s, {size / seconds / 2**20:.0f} MiB/s, peak RSS {rss_kb / 1024:.1f} MiB")
    finally:
        sim.stop()
    entry = {"scenario": "upload", "n": 1, "delay_ms": 0, "size_mib": mib, "peer_is": "curl -T (HTTPS PUT)"}
    for side in ("ours", "peer"):
        secs = [s for s, _ in runs[side]]
        rss = [r for _, r in runs[side]]
        wall = statistics.median(secs)
        entry[side] = {
            "wall_s": round(wall, 3),
            "soap_calls": None,
            "peak_rss_mb": round(statistics.median(rss) / 1024, 1),
            "handshake_ms": None,
            "throughput_mib_s": round(size / wall / 2**20, 1),
            "wall_runs_s": [round(s, 3) for s in secs],
            "peak_rss_runs_mb": [round(r / 1024, 1) for r in rss],
        }
    entry["ratio"] = report.ratios(entry["ours"], entry["peer"])
    entry["runs"] = args.upload_runs
    return entry


# ---------------------------------------------------------------- machine


def first_line(cmd):
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=60).stdout
        return out.strip().splitlines()[0] if out.strip() else ""
    except (OSError, subprocess.TimeoutExpired):
        return ""


def go_build_info(binary):
    """Module path and version and the Go version, from the binary's build info."""
    try:
        out = subprocess.run(["go", "version", "-m", str(binary)], capture_output=True, text=True, timeout=60).stdout
    except (OSError, subprocess.TimeoutExpired):
        return ""
    lines = out.splitlines()
    go = lines[0].split(":", 1)[-1].strip() if lines else ""
    mod = next((line.split()[1:3] for line in lines if line.strip().startswith("mod\t") or line.split()[:1] == ["mod"]), [])
    return " ".join([*mod, f"(built with {go})" if go else ""]).strip()


def sha256_file(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def machine_description(args, ours_bin):
    cpu = ""
    try:
        cpu = next(
            (line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name")), ""
        )
    except OSError:
        pass
    mem_kb = 0
    try:
        mem_kb = next(int(line.split()[1]) for line in open("/proc/meminfo") if line.startswith("MemTotal:"))
    except (OSError, StopIteration, ValueError):
        pass
    os_name = platform.system()
    try:
        os_name = next(
            line.split("=", 1)[1].strip().strip('"') for line in open("/etc/os-release") if line.startswith("PRETTY_NAME=")
        )
    except (OSError, StopIteration):
        pass
    commit = first_line(["git", "-C", str(ROOT), "describe", "--always", "--dirty"])
    vcsim_version = go_build_info(TOOLS / "vcsim") or (ROOT / ".tools" / "vcsim.version").read_text().strip()
    return {
        "CPU": cpu,
        "Cores": str(os.cpu_count()),
        "Memory": f"{mem_kb / 1024 / 1024:.1f} GiB",
        "OS": f"{os_name}, Linux {platform.release()}",
        "Terraform": first_line([str(TOOLS / "terraform"), "version"]),
        "vcsim": vcsim_version,
        "terraform-provider-vi": f"{OURS_VERSION} at {commit} (cargo build --release)",
        "vSphere provider": f"v{args.peer_version}: {go_build_info(args.peer)}, sha256 {sha256_file(args.peer)[:16]}…",
        "Load average at start": " ".join(f"{x:.2f}" for x in os.getloadavg()),
    }


# ---------------------------------------------------------------- main


def options_given(argv):
    """The command-line options, without the peer's path (machine-specific)."""
    out, skip = [], False
    for a in argv:
        if skip:
            skip = False
        elif a == "--peer":
            skip = True
        elif not a.startswith("--peer="):
            out.append(a)
    return out


def peer_setting(peer):
    """How the command line named the peer: nothing when it is the default
    run.sh takes, else PEER_PROVIDER with the file's name (the path is
    machine-specific)."""
    if Path(peer).resolve() == DEFAULT_PEER.resolve():
        return ""
    return f"PEER_PROVIDER=…/{Path(peer).name} "


def main(argv):
    args = parse_args(argv)
    ours_bin = ROOT / "target" / "release" / "terraform-provider-vi"
    upload_bin = ROOT / "target" / "release" / "examples" / "bench_upload"
    for b in (ours_bin, upload_bin, Path(args.peer), TOOLS / "vcsim", TOOLS / "terraform"):
        if not os.access(b, os.X_OK):
            sys.exit(f"bench: {b} is missing or not executable (bench/run.sh builds and installs what it needs)")
    work = Path(args.work) if args.work else Path(tempfile.mkdtemp(prefix="vi-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    log(f"bench: logs and scratch files in {work}")
    started = time.time()
    machine = machine_description(args, ours_bin)

    log("handshake: timing both providers")
    handshakes = measure_handshakes(ours_bin, Path(args.peer), args.handshakes, work)
    for side, h in handshakes.items():
        log(f"handshake {side}: {h['handshake_ms']} ms, idle RSS {h['idle_rss_mb']} MiB")
    logs = work / "logs"
    logs.mkdir(exist_ok=True)
    sides = prepare_sides(args, ours_bin, work, logs)
    results = []
    if args.probe_n > 0:
        log(f"probe: {args.probe_n} VMs at Terraform's default parallelism")
        results += run_probe(args, sides, logs, handshakes)
    matrix = run_matrix(args, sides, logs, handshakes)
    results += matrix
    if args.parallel_n > 0:
        log(f"parallel: ours creates and destroys {args.parallel_n} VMs at Terraform's default parallelism")
        results += scale.run_parallel(args, sides, logs, handshakes, matrix)
    if not args.no_scale:
        log(f"scale: refresh and plan of {', '.join(map(str, args.scale_sizes))} VMs, both providers")
        results += scale.run_scale(args, sides, logs, handshakes)
    if args.upload_mib > 0:
        results.append(run_upload(args, upload_bin, work))

    machine["Load average at end"] = " ".join(f"{x:.2f}" for x in os.getloadavg())
    meta = {
        "generated": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "duration_min": round((time.time() - started) / 60, 1),
        "command": " ".join([peer_setting(args.peer) + "bench/run.sh", *options_given(argv)]).strip(),
        "handshake": handshakes,
        "machine": machine,
    }
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "results.json").write_text(json.dumps(results, indent=2) + "\n")
    (out / "results.md").write_text(report.render(results, meta))
    drew = plot.write(results, out / plot.FILE_NAME)
    wrote = ["results.json", "results.md"] + ([plot.FILE_NAME] if drew else [])
    log(f"bench: wrote {', '.join(wrote)} to {out} in {meta['duration_min']} min")


if __name__ == "__main__":
    main(sys.argv[1:])
