#!/usr/bin/env python3
"""Turns bench results (a JSON list, one object per scenario) into markdown.

    python3 bench/report.py RESULTS_JSON            print the figures
    python3 bench/report.py RESULTS_JSON --check MD  exit 1 unless MD holds
                                                    exactly those figures

bench.py calls render() with the machine's description as well. Standard
library only.
"""

import argparse
import json
import sys

# The four figures every scenario has for each side, and so a ratio for.
FIGURES = ("wall_s", "soap_calls", "peak_rss_mb", "handshake_ms")
SCENARIO_ORDER = {"create": 0, "refresh": 1, "destroy": 2}


def ratio(ours, peer):
    if ours is None or peer is None or peer == 0:
        return None
    return round(ours / peer, 3)


def ratios(ours, peer):
    """ours / peer for the four figures, and throughput when there is one."""
    keys = list(FIGURES) + (["throughput_mib_s"] if "throughput_mib_s" in ours else [])
    return {k: ratio(ours.get(k), peer.get(k)) for k in keys}


def fmt(x, digits=2):
    if x is None:
        return "—"
    if isinstance(x, float) and x.is_integer() and digits == 0:
        return str(int(x))
    return f"{x:.{digits}f}" if isinstance(x, float) else str(x)


def fmt_ratio(x):
    return "—" if x is None else f"{x:.2f}×"


def matrix(results):
    """The Terraform scenarios of the main matrix (not the probe), in order."""
    return sorted(
        (r for r in results if r.get("scenario") in SCENARIO_ORDER and not r.get("probe")),
        key=lambda r: (r["delay_ms"], r["n"], SCENARIO_ORDER[r["scenario"]]),
    )


def find(results, scenario, n=None, delay=None):
    for r in results:
        if r.get("probe"):
            continue
        if r.get("scenario") == scenario and (n is None or r.get("n") == n) and (delay is None or r.get("delay_ms") == delay):
            return r
    return None


def verdict(ok):
    return "**yes**" if ok else "**no**"


def target_rows(results):
    rows = []

    def vs(entry, key, digits=2, unit=""):
        return f"{fmt(entry['ours'][key], digits)}{unit} vs {fmt(entry['peer'][key], digits)}{unit}"

    r = find(results, "refresh", 100, 20)
    if r:
        w, s = r["ratio"]["wall_s"], r["ratio"]["soap_calls"]
        rows.append(("refresh of 100 VMs, `-delay 20`: wall time ≤ 0.3× the peer's",
                     f"{fmt_ratio(w)} ({vs(r, 'wall_s', unit=' s')})", w is not None and w <= 0.3))
        rows.append(("refresh of 100 VMs, `-delay 20`: SOAP calls ≤ 0.1× the peer's",
                     f"{fmt_ratio(s)} ({vs(r, 'soap_calls', 0)})", s is not None and s <= 0.1))
    else:
        rows.append(("refresh of 100 VMs, `-delay 20`", "not measured in this run", False))
    tf = matrix(results)
    creates = [r for r in tf if r["scenario"] == "create" and r["n"] == 50]
    for c in sorted(creates, key=lambda r: r["delay_ms"]):
        w = c["ratio"]["wall_s"]
        rows.append((f"create of 50 VMs, `-delay {c['delay_ms']}`: wall time ≤ 0.5× the peer's",
                     f"{fmt_ratio(w)} ({vs(c, 'wall_s', unit=' s')})", w is not None and w <= 0.5))
    if not creates:
        rows.append(("create of 50 VMs", "not measured in this run", False))
    rss = [(r["ratio"]["peak_rss_mb"], r) for r in tf if r["ratio"]["peak_rss_mb"] is not None]
    if rss:
        worst, r = max(rss, key=lambda x: x[0])
        best, _ = min(rss, key=lambda x: x[0])
        rows.append(("provider peak RSS ≤ 0.25× the peer's, in every scenario",
                     f"{fmt_ratio(best)}–{fmt_ratio(worst)}; worst: {r['scenario']} of {r['n']} VMs, "
                     f"`-delay {r['delay_ms']}` ({vs(r, 'peak_rss_mb', 1, ' MiB')})", worst <= 0.25))
    if tf:
        h = tf[0]["ratio"]["handshake_ms"]
        rows.append(("start-to-handshake ≤ 0.3× the peer's",
                     f"{fmt_ratio(h)} ({vs(tf[0], 'handshake_ms', 1, ' ms')})", h is not None and h <= 0.3))
    up = find(results, "upload")
    if up:
        t = up["ratio"].get("throughput_mib_s")
        rows.append(("upload ≥ 0.9× curl's throughput",
                     f"{fmt_ratio(t)} ({vs(up, 'throughput_mib_s', 0, ' MiB/s')})", t is not None and t >= 0.9))
        m = up["ours"]["peak_rss_mb"]
        rows.append(("upload peak RSS ≤ 32 MiB", f"{fmt(m, 1)} MiB", m is not None and m <= 32))
    return rows


def table(header, rows):
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def figures(results):
    """Everything that comes from the results alone."""
    out = ["## Targets", ""]
    out.append(table(["target", "measured (ours / peer)", "met"], [(a, b, verdict(c)) for a, b, c in target_rows(results)]))
    tf = matrix(results)
    for delay in sorted({r["delay_ms"] for r in tf}):
        out += ["", f"## Terraform scenarios, vcsim `-delay {delay}`", ""]
        out.append(scenario_table([r for r in tf if r["delay_ms"] == delay]))
    probe = [r for r in results if r.get("probe")]
    if probe:
        p0 = probe[0]
        out += [
            "",
            f"## Probe: {p0['n']} VMs at Terraform's default `-parallelism={p0.get('parallelism', '?')}`, "
            f"`-delay {p0['delay_ms']}`, one run",
            "",
        ]
        out.append(scenario_table(sorted(probe, key=lambda r: SCENARIO_ORDER.get(r["scenario"], 9))))
        out += [""] + [
            f"- {r['scenario']}, {side}: {note}" for r in probe for side in ("ours", "peer") for note in r[side].get("notes", [])
        ]
    return rest_of_figures(results, tf, out)


def wall(side):
    """Wall seconds, marked when a run did not complete."""
    return fmt(side["wall_s"]) + ("" if side.get("ok", True) else " (failed)")


def scenario_table(entries):
    rows = []
    for r in entries:
        o, p, q = r["ours"], r["peer"], r["ratio"]
        rows.append(
            (r["scenario"], r["n"], r.get("parallelism", "—"),
             wall(o), wall(p), fmt_ratio(q["wall_s"]),
             fmt(o["soap_calls"], 0), fmt(p["soap_calls"], 0), fmt_ratio(q["soap_calls"]),
             fmt(o["peak_rss_mb"], 1), fmt(p["peak_rss_mb"], 1), fmt_ratio(q["peak_rss_mb"]))
        )
    return table(
        ["scenario", "N", "-parallelism", "wall s ours", "wall s peer", "ratio", "SOAP ours", "SOAP peer", "ratio",
         "peak RSS MiB ours", "peak RSS MiB peer", "ratio"],
        rows,
    )


def rest_of_figures(results, tf, out):
    if tf:
        o, p, q = tf[0]["ours"], tf[0]["peer"], tf[0]["ratio"]
        out += ["", "## Provider start-up", ""]
        out.append(
            table(
                ["", "ours", "peer", "ratio"],
                [("start-to-handshake, ms (median)", fmt(o["handshake_ms"]), fmt(p["handshake_ms"]), fmt_ratio(q["handshake_ms"])),
                 ("RSS 0.5 s after the handshake, MiB (median)", fmt(o.get("idle_rss_mb"), 1), fmt(p.get("idle_rss_mb"), 1),
                  fmt_ratio(ratio(o.get("idle_rss_mb"), p.get("idle_rss_mb"))))],
            )
        )
    up = find(results, "upload")
    if up:
        o, p, q = up["ours"], up["peer"], up["ratio"]
        out += ["", f"## Upload of {up.get('size_mib', '?')} MiB to vcsim (`-delay 0`)", ""]
        out.append(
            table(
                ["", "ours (`vi::Client::upload_file`)", f"peer: {up.get('peer_is', 'curl')}", "ratio"],
                [("time, s (median)", fmt(o["wall_s"]), fmt(p["wall_s"]), fmt_ratio(q["wall_s"])),
                 ("throughput, MiB/s", fmt(o.get("throughput_mib_s"), 1), fmt(p.get("throughput_mib_s"), 1),
                  fmt_ratio(q.get("throughput_mib_s"))),
                 ("peak RSS, MiB (median)", fmt(o["peak_rss_mb"], 1), fmt(p["peak_rss_mb"], 1), fmt_ratio(q["peak_rss_mb"]))],
            )
        )
    if tf:
        out += ["", "## Every run", "", "Wall seconds of each run, in the order they ran (ours and peer alternating).", ""]
        rows = [
            (r["scenario"], r["n"], r["delay_ms"],
             " ".join(fmt(x) for x in r["ours"].get("wall_runs_s", [])),
             " ".join(fmt(x) for x in r["peer"].get("wall_runs_s", [])),
             " ".join(fmt(x, 0) for x in r["ours"].get("soap_runs", [])),
             " ".join(fmt(x, 0) for x in r["peer"].get("soap_runs", [])))
            for r in tf
        ]
        out.append(table(["scenario", "N", "delay ms", "wall ours", "wall peer", "SOAP ours", "SOAP peer"], rows))
        big = max(tf, key=lambda r: (r["n"], r["delay_ms"]))
        out += ["", f"## SOAP calls by method, {big['n']} VMs, `-delay {big['delay_ms']}` (median of runs)", ""]
        rows = []
        for r in (r for r in tf if r["n"] == big["n"] and r["delay_ms"] == big["delay_ms"]):
            for side in ("ours", "peer"):
                by = r[side].get("soap_by_method", {})
                listing = ", ".join(f"{m} {fmt(c, 0)}" for m, c in sorted(by.items(), key=lambda x: (-x[1], x[0])))
                rows.append((r["scenario"], side, listing or "—"))
        out.append(table(["scenario", "side", "calls"], rows))
    notes = [
        f"- {r['scenario']} of {r['n']} VMs, `-delay {r['delay_ms']}`, {side}: {note}"
        for r in tf
        for side in ("ours", "peer")
        for note in r[side].get("notes", [])
    ]
    if notes:
        out += ["", "## Failures and notes", ""] + notes
    return "\n".join(out) + "\n"


def render(results, meta):
    """results.md: what ran, on what, then the figures."""
    m = meta or {}
    out = ["# Benchmark results: terraform-provider-vi vs. the vSphere provider", ""]
    out.append(
        "Generated by `bench/run.sh` (method: [README.md](README.md)); nothing here is typed by hand. "
        f"Run of {m.get('generated', '?')}, {m.get('duration_min', '?')} minutes."
    )
    tf = matrix(results)
    if tf:
        src = tf[0].get("peer_vm_source", "?")
        how = "from scratch (no clone)" if src == "scratch" else "by cloning vcsim's `DC0_H0_VM0`"
        par = next((r.get("parallelism") for r in tf if r["scenario"] == "create"), "?")
        out += [
            "",
            f"Both providers create their VMs {how}: 1 vCPU, 512 MB, one 1 GB disk, one NIC on `VM Network`, "
            f"powered on. create and destroy run with `-parallelism={par}`, refresh (`plan`) with Terraform's "
            f"default 10, for both providers (why: README.md). {tf[0].get('runs', '?')} runs per cell and provider, "
            "alternating ours / peer; figures are medians.",
        ]
    if m.get("command"):
        out += ["", f"Command: `{m['command']}`"]
    if m.get("machine"):
        out += ["", "## Machine", ""]
        out.append(table(["", ""], list(m["machine"].items())))
    out += ["", figures(results)]
    return "\n".join(out).rstrip("\n") + "\n"


def main(argv):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("results", help="results.json")
    p.add_argument("--check", metavar="MD", help="fail unless this markdown file holds these figures")
    args = p.parse_args(argv)
    with open(args.results) as f:
        results = json.load(f)
    if not isinstance(results, list):
        sys.exit(f"{args.results}: expected a JSON list of scenario objects")
    text = figures(results)
    if args.check:
        with open(args.check) as f:
            if text not in f.read():
                sys.exit(f"{args.check} does not hold the figures of {args.results}: rerun bench/run.sh")
        return
    sys.stdout.write(text)


if __name__ == "__main__":
    main(sys.argv[1:])
