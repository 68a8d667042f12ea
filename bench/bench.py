#!/usr/bin/env python3
"""Benchmarks terraform-provider-vi against the vSphere provider on one vcsim.

Run through bench/run.sh, which checks the peer binary and builds ours; see
bench/README.md for the method. Writes bench/results.json and
bench/results.md (through report.py); keeps every log under --work.
Python standard library only.
"""

import argparse
import collections
import datetime
import hashlib
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import report  # beside this file, hence the path above

ROOT = Path(__file__).resolve().parent.parent
TOOLS = ROOT / ".tools" / "bin"
OURS_VERSION = "0.1.0"
MAGIC_COOKIE = "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2"
# comm is cut to 15 characters: both providers show as this.
PROVIDER_COMM = "terraform-provi"
SAMPLE_EVERY_S = 0.02
COMMAND_TIMEOUT_S = 3600
# What a developer's shell may carry that would change what either provider
# or Terraform does.
SCRUBBED_PREFIXES = ("VI_", "GOVC_", "VSPHERE_", "TF_", "VCURL", "VCDATACENTER", "VCDATASTORE")


def log(msg):
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def clean_env(extra=None):
    env = {k: v for k, v in os.environ.items() if not k.startswith(SCRUBBED_PREFIXES)}
    env.update(extra or {})
    return env


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
    p.add_argument("--runs", type=int, default=3, help="runs per cell and provider, alternating (default 3)")
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
    p.add_argument("--work", help="directory for logs and scratch files (default: a new temp dir)")
    p.add_argument("--out", default=str(ROOT / "bench"), help="where results.json and results.md go")
    args = p.parse_args(argv)
    if min(args.runs, args.handshakes, args.upload_runs, args.parallelism, args.probe_timeout) < 1:
        p.error("--runs, --handshakes, --upload-runs, --parallelism and --probe-timeout must be at least 1")
    m = re.fullmatch(r"terraform-provider-vsphere_v(\d+\.\d+\.\d+)", Path(args.peer).name)
    if not m:
        p.error(f"--peer must be named terraform-provider-vsphere_vX.Y.Z (got {Path(args.peer).name})")
    args.peer_version = m.group(1)
    return args


# ---------------------------------------------------------------- vcsim


class Vcsim:
    """vcsim on a free port with the default inventory; killed by stop()."""

    def __init__(self, work, delay_ms, trace=True, tag="vcsim"):
        self.trace = work / f"{tag}.trace" if trace else None
        args = [str(TOOLS / "vcsim"), "-l", "127.0.0.1:0", "-E", "-", "-delay", str(delay_ms)]
        if self.trace:
            args += ["-trace", "-trace-file", str(self.trace)]
        self.stderr = open(work / f"{tag}.log", "wb")
        self.proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=self.stderr, stdin=subprocess.DEVNULL)
        url = None
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            line = self.proc.stdout.readline().decode(errors="replace")
            if not line:
                break
            m = re.search(r"GOVC_URL=(\S+)", line)
            if m:
                url = m.group(1).strip("'\"")
                break
        if not url:
            self.stop()
            raise RuntimeError(f"vcsim printed no GOVC_URL; see {work / (tag + '.log')}")
        # Keep draining stdout so vcsim never blocks on a full pipe.
        threading.Thread(target=self.proc.stdout.read, daemon=True).start()
        m = re.match(r"https://([^:@/]+):([^@/]+)@([^/]+)/sdk", url)
        if not m:
            self.stop()
            raise RuntimeError(f"unexpected GOVC_URL {url}")
        self.user, self.password, self.addr = m.group(1), m.group(2), m.group(3)
        self.sdk_url = f"https://{self.addr}/sdk"

    def trace_offset(self):
        try:
            return self.trace.stat().st_size
        except (AttributeError, FileNotFoundError):
            return 0

    def soap_calls_since(self, offset):
        """Requests by method written to the trace after `offset`."""
        if not self.trace or not self.trace.exists():
            return collections.Counter()
        with open(self.trace, "rb") as f:
            f.seek(offset)
            return count_soap_requests(f.read().decode(errors="replace"))

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.stderr.close()


SOAP_BODY_CHILD = re.compile(r"<(?:[\w.-]+:)?Body\b[^>]*>\s*<(?:[\w.-]+:)?([A-Za-z_][\w.-]*)")
TRACE_REQUEST = re.compile(r"^Request: ", re.M)
# The method element follows the envelope's start within a few hundred bytes.
METHOD_WITHIN = 4096


def count_soap_requests(trace_text):
    """vcsim's -trace holds `Request: <envelope>` then `Response: …`, each
    spanning lines (clients differ in where they break them)."""
    counts = collections.Counter()
    for m in TRACE_REQUEST.finditer(trace_text):
        body = SOAP_BODY_CHILD.search(trace_text, m.end(), m.end() + METHOD_WITHIN)
        counts[body.group(1) if body else "?"] += 1
    return counts


# ---------------------------------------------------------------- /proc sampling


def proc_descendants(pid):
    """Every process below `pid` (Terraform re-executes itself under a
    panic-catching parent, so providers are grandchildren)."""
    out, todo = [], [pid]
    while todo:
        kids = proc_children(todo.pop())
        out += kids
        todo += kids
    return out


def proc_children(pid):
    kids = []
    try:
        for tid in os.listdir(f"/proc/{pid}/task"):
            try:
                with open(f"/proc/{pid}/task/{tid}/children") as f:
                    kids.extend(int(x) for x in f.read().split())
            except OSError:
                pass
    except OSError:
        pass
    return kids


def proc_status_kb(pid, field):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return None


def proc_comm(pid):
    try:
        with open(f"/proc/{pid}/comm") as f:
            return f.read().strip()
    except OSError:
        return ""


class ProviderSampler(threading.Thread):
    """Polls the processes below Terraform that are providers and keeps the
    highest VmHWM seen (the kernel's own peak, so a sample just before the
    process exits holds its whole life), and how many were started."""

    def __init__(self, tf_pid):
        super().__init__(daemon=True)
        self.tf_pid = tf_pid
        self.peak_kb = 0
        self.seen = set()
        self.done = threading.Event()

    def run(self):
        while not self.done.is_set():
            self.sample()
            self.done.wait(SAMPLE_EVERY_S)

    def sample(self):
        for kid in proc_descendants(self.tf_pid):
            if proc_comm(kid) != PROVIDER_COMM:
                continue
            self.seen.add(kid)
            hwm = proc_status_kb(kid, "VmHWM")
            if hwm and hwm > self.peak_kb:
                self.peak_kb = hwm

    def stop(self):
        self.done.set()
        self.join()


# ---------------------------------------------------------------- Terraform


def terraform_platform():
    """Terraform's name for this machine's platform: linux_amd64, darwin_arm64, ..."""
    arch = platform.machine().lower()
    arch = {"x86_64": "amd64", "aarch64": "arm64"}.get(arch, arch)
    return f"{platform.system().lower()}_{arch}"


def write_cli_config(work, ours_bin, peer_bin, peer_version):
    """One filesystem mirror holding both providers."""
    mirror = work / "mirror" / "registry.terraform.io"
    plat = terraform_platform()
    ours_dir = mirror / "local" / "vi" / OURS_VERSION / plat
    peer_dir = mirror / "hashicorp" / "vsphere" / peer_version / plat
    for d in (ours_dir, peer_dir):
        d.mkdir(parents=True, exist_ok=True)
    shutil.copy2(ours_bin, ours_dir / f"terraform-provider-vi_v{OURS_VERSION}")
    shutil.copy2(peer_bin, peer_dir / f"terraform-provider-vsphere_v{peer_version}")
    cfg = work / "terraform.rc"
    cfg.write_text(
        "provider_installation {\n"
        "  filesystem_mirror {\n"
        f'    path    = "{work / "mirror"}"\n'
        '    include = ["local/vi", "hashicorp/vsphere"]\n'
        "  }\n"
        "  direct {\n"
        '    exclude = ["local/vi", "hashicorp/vsphere"]\n'
        "  }\n"
        "}\n"
    )
    return cfg


def hcl_ours(n, sim):
    return f"""terraform {{
  required_providers {{
    vi = {{ source = "local/vi" }}
  }}
}}

provider "vi" {{
  url      = "{sim.sdk_url}"
  user     = "{sim.user}"
  password = "{sim.password}"
  insecure = true
}}

data "vi_datacenter" "dc" {{
  name = "DC0"
}}

data "vi_datastore" "ds" {{
  name          = "LocalDS_0"
  datacenter_id = data.vi_datacenter.dc.id
}}

data "vi_host" "host" {{
  name          = "DC0_H0"
  datacenter_id = data.vi_datacenter.dc.id
}}

data "vi_network" "net" {{
  name          = "VM Network"
  datacenter_id = data.vi_datacenter.dc.id
}}

resource "vi_vm" "vm" {{
  count            = {n}
  name             = "bench-${{count.index}}"
  resource_pool_id = data.vi_host.host.resource_pool_id
  datastore_id     = data.vi_datastore.ds.id
  guest_id         = "otherLinux64Guest"
  num_cpus         = 1
  memory           = 512

  disk {{
    label = "disk0"
    size  = 1
  }}

  network_interface {{
    network_id = data.vi_network.net.id
  }}
}}
"""


# The peer completes a from-scratch create on vcsim, so neither side clones.
PEER_VM_SOURCE = "scratch"


def hcl_peer(n, sim, version):
    return f"""terraform {{
  required_providers {{
    vsphere = {{
      source  = "hashicorp/vsphere"
      version = "{version}"
    }}
  }}
}}

provider "vsphere" {{
  vsphere_server       = "{sim.addr}"
  user                 = "{sim.user}"
  password             = "{sim.password}"
  allow_unverified_ssl = true
}}

data "vsphere_datacenter" "dc" {{
  name = "DC0"
}}

data "vsphere_datastore" "ds" {{
  name          = "LocalDS_0"
  datacenter_id = data.vsphere_datacenter.dc.id
}}

data "vsphere_host" "host" {{
  name          = "DC0_H0"
  datacenter_id = data.vsphere_datacenter.dc.id
}}

data "vsphere_network" "net" {{
  name          = "VM Network"
  datacenter_id = data.vsphere_datacenter.dc.id
}}

resource "vsphere_virtual_machine" "vm" {{
  count            = {n}
  name             = "bench-${{count.index}}"
  resource_pool_id = data.vsphere_host.host.resource_pool_id
  datastore_id     = data.vsphere_datastore.ds.id
  guest_id         = "otherLinux64Guest"
  num_cpus         = 1
  memory           = 512

  wait_for_guest_net_timeout = 0
  wait_for_guest_ip_timeout  = 0

  disk {{
    label = "disk0"
    size  = 1
  }}

  network_interface {{
    network_id = data.vsphere_network.net.id
  }}

  # vcsim leaves swapPlacement unset, which this provider reads as drift
  # from its default "inherit": not a change anyone made.
  lifecycle {{
    ignore_changes = [swap_placement_policy]
  }}
}}
"""


class Workdir:
    """A Terraform working directory for one provider, initialised once."""

    def __init__(self, path, cli_config, logs):
        self.path = path
        self.logs = logs
        self.env = clean_env(
            {
                "TF_CLI_CONFIG_FILE": str(cli_config),
                "TF_IN_AUTOMATION": "1",
                "TF_INPUT": "0",
                "CHECKPOINT_DISABLE": "1",
                "NO_COLOR": "1",
            }
        )
        path.mkdir(parents=True, exist_ok=True)

    def reset_state(self):
        for f in self.path.glob("terraform.tfstate*"):
            f.unlink()

    def run(self, args, log_name, timeout=COMMAND_TIMEOUT_S):
        """Runs terraform; returns (seconds, exit code, peak provider RSS in
        KiB, providers started). The output goes to a log file. Killed (exit
        code -9) after `timeout` seconds."""
        out = self.logs / f"{log_name}.log"
        with open(out, "wb") as f:
            started = time.perf_counter()
            proc = subprocess.Popen(
                [str(TOOLS / "terraform"), *args],
                cwd=self.path,
                env=self.env,
                stdout=f,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
            )
            sampler = ProviderSampler(proc.pid)
            sampler.start()
            try:
                rc = proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                proc.kill()
                rc = proc.wait()
            seconds = time.perf_counter() - started
            sampler.stop()
        return seconds, rc, sampler.peak_kb, len(sampler.seen)


def tail(path, lines=15):
    try:
        return "\n".join(Path(path).read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


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

# Terraform's own default, used for refresh everywhere and for the probe.
TF_DEFAULT_PARALLELISM = 10
SCENARIOS = {
    "create": ["apply", "-auto-approve", "-no-color", "-input=false"],
    "refresh": ["plan", "-detailed-exitcode", "-no-color", "-input=false"],
    "destroy": ["destroy", "-auto-approve", "-no-color", "-input=false"],
}


def scenario_parallelism(name, apply_parallelism):
    """-parallelism for a scenario: create and destroy use the matrix's
    setting (see README: the peer stalls on vcsim when its tasks overlap);
    refresh always runs at Terraform's default."""
    return TF_DEFAULT_PARALLELISM if name == "refresh" else apply_parallelism


def one_cycle(side, wd, hcl, n, delay, run, logs, apply_parallelism, timeout=COMMAND_TIMEOUT_S):
    """Create, refresh and destroy N VMs on a fresh vcsim; one measurement per
    scenario."""
    tag = f"{side}-n{n}-d{delay}-p{apply_parallelism}-r{run}"
    sim = Vcsim(logs, delay, trace=True, tag=f"vcsim-{tag}")
    try:
        wd.reset_state()
        (wd.path / "main.tf").write_text(hcl(n, sim))
        out = {}
        for name, args in SCENARIOS.items():
            parallelism = scenario_parallelism(name, apply_parallelism)
            offset = sim.trace_offset()
            seconds, rc, peak_kb, started = wd.run([*args, f"-parallelism={parallelism}"], f"{tag}-{name}", timeout)
            calls = sim.soap_calls_since(offset)
            ok = rc == 0
            note = None
            if name == "refresh" and rc == 2:
                note = "plan was not empty"
            elif rc == -9:
                note = f"killed after {timeout} s without finishing"
            elif not ok:
                note = f"terraform exited {rc}: " + error_lines(logs / f"{tag}-{name}.log")
            out[name] = {
                "wall_s": seconds,
                "soap_calls": sum(calls.values()),
                "soap_by_method": dict(calls),
                "peak_rss_kb": peak_kb,
                "providers_started": started,
                "parallelism": parallelism,
                "ok": ok,
                "note": note,
            }
            log(
                f"{tag} {name}: {seconds:.2f}s, {sum(calls.values())} SOAP calls, "
                f"peak RSS {peak_kb / 1024:.1f} MiB, rc {rc}"
            )
            if name == "create" and not ok:
                # The rest would not measure what it claims to; the VMs go
                # with this vcsim.
                for rest in ("refresh", "destroy"):
                    out[rest] = {**out["create"], "soap_by_method": {}, "ok": False, "note": "not run: create failed"}
                break
        return out
    finally:
        sim.stop()
        # Traces of 100 VMs run to tens of MB each; the counts are kept.
        (logs / f"vcsim-{tag}.trace").unlink(missing_ok=True)


def error_lines(path):
    """Terraform's `Error:` lines, or the end of its output."""
    text = Path(path).read_text(errors="replace") if Path(path).exists() else ""
    errors = sorted({line.strip() for line in text.splitlines() if line.strip().startswith("Error:")})
    return " | ".join(errors[:3]) if errors else tail(path, 4).replace("\n", " | ")


def median_method_counts(runs):
    methods = sorted({m for r in runs for m in r["soap_by_method"]})
    return {m: statistics.median([r["soap_by_method"].get(m, 0) for r in runs]) for m in methods}


def summarise(runs, handshake):
    good = [r for r in runs if r["ok"]] or runs
    return {
        "wall_s": round(statistics.median([r["wall_s"] for r in good]), 3),
        "soap_calls": statistics.median([r["soap_calls"] for r in good]),
        "peak_rss_mb": round(statistics.median([r["peak_rss_kb"] for r in good]) / 1024, 1),
        "handshake_ms": handshake["handshake_ms"],
        "idle_rss_mb": handshake["idle_rss_mb"],
        "wall_runs_s": [round(r["wall_s"], 3) for r in runs],
        "soap_runs": [r["soap_calls"] for r in runs],
        "peak_rss_runs_mb": [round(r["peak_rss_kb"] / 1024, 1) for r in runs],
        "providers_started": max(r["providers_started"] for r in runs),
        "soap_by_method": median_method_counts(good),
        "ok": all(r["ok"] for r in runs),
        "notes": sorted({r["note"] for r in runs if r["note"]}),
    }


def entries(per, n, delay, handshakes, args, probe=False):
    """One results object per scenario from the cycles of both sides."""
    out = []
    for name in SCENARIOS:
        entry = {"scenario": name, "n": n, "delay_ms": delay}
        for side in ("ours", "peer"):
            entry[side] = summarise([c[name] for c in per[side]], handshakes[side])
        entry["ratio"] = report.ratios(entry["ours"], entry["peer"])
        entry["runs"] = len(per["ours"])
        entry["parallelism"] = per["ours"][0][name]["parallelism"]
        entry["peer_vm_source"] = PEER_VM_SOURCE
        if probe:
            entry["probe"] = True
        out.append(entry)
    return out


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
            one_cycle(side, wd, hcl, args.probe_n, 0, 0, logs, TF_DEFAULT_PARALLELISM, timeout=args.probe_timeout)
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


def run_measured(cmd, env=None):
    """Runs `cmd`; returns (stdout, stderr, exit code, peak RSS in KiB,
    seconds). The peak is the process's VmHWM, polled until it exits
    (wait4's ru_maxrss would count the forked Python before exec)."""
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    peak = [0]

    def poll():
        while proc.poll() is None:
            hwm = proc_status_kb(proc.pid, "VmHWM")
            if hwm:
                peak[0] = max(peak[0], hwm)
            time.sleep(SAMPLE_EVERY_S / 2)

    poller = threading.Thread(target=poll, daemon=True)
    poller.start()
    out, err = proc.communicate()
    seconds = time.perf_counter() - started
    poller.join()
    return out.decode(errors="replace"), err.decode(errors="replace"), proc.returncode, peak[0], seconds


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
    results += run_matrix(args, sides, logs, handshakes)
    if args.upload_mib > 0:
        results.append(run_upload(args, upload_bin, work))

    machine["Load average at end"] = " ".join(f"{x:.2f}" for x in os.getloadavg())
    meta = {
        "generated": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "duration_min": round((time.time() - started) / 60, 1),
        "command": " ".join(
            [f"PEER_PROVIDER=…/{Path(args.peer).name} bench/run.sh", *options_given(argv)]
        ).strip(),
        "handshake": handshakes,
        "machine": machine,
    }
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "results.json").write_text(json.dumps(results, indent=2) + "\n")
    (out / "results.md").write_text(report.render(results, meta))
    log(f"bench: wrote {out / 'results.json'} and {out / 'results.md'} in {meta['duration_min']} min")


if __name__ == "__main__":
    main(sys.argv[1:])
