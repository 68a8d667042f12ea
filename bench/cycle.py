"""One Terraform command measured (wall time, SOAP calls, provider peak RSS),
the create / refresh / destroy cycle on a fresh vcsim, and the summary of a
cell's runs."""

import statistics
import subprocess
import time
from pathlib import Path

import report
from common import COMMAND_TIMEOUT_S, TOOLS, clean_env, log, tail
from configs import PEER_VM_SOURCE
from procs import ProviderSampler
from vcsim import Vcsim


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


# Terraform's own default, used for refresh everywhere and for the probe.
TF_DEFAULT_PARALLELISM = 10
# What Terraform 1.0 prints for each resource a refresh finds changed.
CHANGED_RESOURCE = " has been changed\n"
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


def measure(wd, sim, args, parallelism, log_name, timeout=COMMAND_TIMEOUT_S):
    """Runs one terraform command against `sim`: wall time, SOAP calls by
    method, the providers' peak RSS, and whether it did what it should."""
    offset = sim.trace_offset()
    seconds, rc, peak_kb, started = wd.run([*args, f"-parallelism={parallelism}"], log_name, timeout)
    calls = sim.soap_calls_since(offset)
    ok = rc == 0
    note = None
    if args[0] == "plan" and rc == 2:
        note = "plan was not empty"
    elif rc == -9:
        note = f"killed after {timeout} s without finishing"
    elif not ok:
        note = f"terraform exited {rc}: " + error_lines(wd.logs / f"{log_name}.log")
    elif "-refresh-only" in args:
        # Not a failure: the peer's first refresh after its create reports
        # every VM changed (empty collections where its create left nulls).
        changed = (wd.logs / f"{log_name}.log").read_text(errors="replace").count(CHANGED_RESOURCE)
        if changed:
            note = f"refresh reported {changed} resources changed outside of Terraform"
    log(f"{log_name}: {seconds:.2f}s, {sum(calls.values())} SOAP calls, peak RSS {peak_kb / 1024:.1f} MiB, rc {rc}")
    return {
        "wall_s": seconds,
        "soap_calls": sum(calls.values()),
        "soap_by_method": dict(calls),
        "peak_rss_kb": peak_kb,
        "providers_started": started,
        "parallelism": parallelism,
        "ok": ok,
        "note": note,
    }


def not_run(failed, why):
    """The record of a command skipped because an earlier one failed."""
    return {**failed, "soap_by_method": {}, "ok": False, "note": f"not run: {why}"}


def one_cycle(side, wd, hcl, n, delay, run, logs, apply_parallelism, timeout=COMMAND_TIMEOUT_S, part=""):
    """Create, refresh and destroy N VMs on a fresh vcsim; one measurement per
    scenario. `part` starts the log files' names."""
    tag = f"{part}{side}-n{n}-d{delay}-p{apply_parallelism}-r{run}"
    sim = Vcsim(logs, delay, trace=True, tag=f"vcsim-{tag}")
    try:
        wd.reset_state()
        (wd.path / "main.tf").write_text(hcl(n, sim))
        out = {}
        for name, args in SCENARIOS.items():
            parallelism = scenario_parallelism(name, apply_parallelism)
            out[name] = measure(wd, sim, args, parallelism, f"{tag}-{name}", timeout)
            if name == "create" and not out[name]["ok"]:
                # The rest would not measure what it claims to; the VMs go
                # with this vcsim.
                for rest in ("refresh", "destroy"):
                    out[rest] = not_run(out["create"], "create failed")
                break
        return out
    finally:
        sim.stop()
        # Traces of 100 VMs run to tens of MB each; the counts are kept.
        sim.remove_trace()


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
