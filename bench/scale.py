"""The parts of the bench beyond the side-by-side matrix: the scale part
(refresh and plan of N existing VMs, up to 1,000, both providers, vcsim
`-delay 0`) and ours creating and destroying at Terraform's default
-parallelism beside the matrix's -parallelism=1."""

import report
from configs import PEER_VM_SOURCE
from cycle import SCENARIOS, TF_DEFAULT_PARALLELISM, measure, not_run, one_cycle, summarise
from vcsim import Vcsim

SIDES = ("ours", "peer")
SCALE_DELAY_MS = 0
# Run on VMs created once per provider and N; both read every VM.
SCALE_SCENARIOS = {
    "refresh": ["apply", "-refresh-only", "-auto-approve", "-no-color", "-input=false"],
    "plan": ["plan", "-detailed-exitcode", "-no-color", "-input=false"],
}
SCALE_COMMANDS = {
    "create": "terraform apply",
    "refresh": "terraform apply -refresh-only",
    "plan": "terraform plan (no changes)",
}
# The figures a p=10 run is compared on (handshake and idle RSS do not
# depend on parallelism).
PARALLEL_FIGURES = ("wall_s", "soap_calls", "peak_rss_mb")


def run_scale(args, sides, logs, handshakes):
    results = []
    for n in args.scale_sizes:
        results += scale_cell(args, sides, logs, handshakes, n)
    return results


def scale_cell(args, sides, logs, handshakes, n):
    """Each provider creates N VMs once, on its own vcsim (the peer's 1,000
    take about 12 minutes at -parallelism=1); then refresh and plan of them,
    alternating ours / peer, --runs times. Both vcsims live until the end, so
    the alternation needs no second create."""
    sims = {}
    per = {side: {name: [] for name in SCALE_COMMANDS} for side in SIDES}
    try:
        for side in SIDES:
            wd, hcl = sides[side]
            tag = f"{side}-scale-n{n}"
            sims[side] = Vcsim(logs, SCALE_DELAY_MS, trace=True, tag=f"vcsim-{tag}")
            wd.reset_state()
            (wd.path / "main.tf").write_text(hcl(n, sims[side]))
            per[side]["create"].append(measure(wd, sims[side], SCENARIOS["create"], args.parallelism, f"{tag}-create"))
        for run in range(args.runs):
            for name, cmd in SCALE_SCENARIOS.items():
                for side in SIDES:
                    created = per[side]["create"][0]
                    if created["ok"]:
                        wd, _ = sides[side]
                        log_name = f"{side}-scale-n{n}-r{run}-{name}"
                        rec = measure(wd, sims[side], cmd, TF_DEFAULT_PARALLELISM, log_name)
                    else:
                        rec = {**not_run(created, "create failed"), "parallelism": TF_DEFAULT_PARALLELISM}
                    per[side][name].append(rec)
    finally:
        for sim in sims.values():
            sim.stop()
            # A trace of the peer creating 1,000 VMs runs to hundreds of MB.
            sim.remove_trace()
    out = []
    for name, command in SCALE_COMMANDS.items():
        entry = {"scenario": name, "n": n, "delay_ms": SCALE_DELAY_MS, "scale": True, "command": command}
        for side in SIDES:
            entry[side] = summarise(per[side][name], handshakes[side])
        entry["ratio"] = report.ratios(entry["ours"], entry["peer"])
        entry["runs"] = len(per["ours"][name])
        entry["parallelism"] = per["ours"][name][0]["parallelism"]
        entry["peer_vm_source"] = PEER_VM_SOURCE
        out.append(entry)
    return out


def run_parallel(args, sides, logs, handshakes, matrix):
    """Ours creates, refreshes and destroys --parallel-n VMs at Terraform's
    default -parallelism, --runs times per delay; create and destroy are
    kept and set beside the matrix's cell of the same N and delay (ours and
    the peer at -parallelism=1: the peer cannot run at 10 on vcsim, see the
    probe)."""
    wd, hcl = sides["ours"]
    n = args.parallel_n
    out = []
    for delay in args.delays:
        cycles = [one_cycle("ours", wd, hcl, n, delay, run, logs, TF_DEFAULT_PARALLELISM) for run in range(args.runs)]
        for name in ("create", "destroy"):
            ours = summarise([c[name] for c in cycles], handshakes["ours"])
            base = report.find(matrix, name, n, delay)
            out.append(
                {
                    "scenario": name,
                    "n": n,
                    "delay_ms": delay,
                    "ours_parallel": True,
                    "parallelism": TF_DEFAULT_PARALLELISM,
                    "ours": ours,
                    "peer": None,
                    "ratio": None,
                    "ratio_to_parallelism_1": report.ratios(ours, base["ours"], PARALLEL_FIGURES) if base else None,
                    "ratio_to_peer": report.ratios(ours, base["peer"], PARALLEL_FIGURES) if base else None,
                    "runs": args.runs,
                }
            )
    return out
