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
# The scale part: the two reads it is for, then the create that set them up.
SCALE_ORDER = {"refresh": 0, "plan": 1, "create": 2}
SCALE_LABELS = {
    "refresh": "refresh (`apply -refresh-only`)",
    "plan": "plan (no changes)",
    "create": "create (setup, one run)",
}


def ratio(ours, peer):
    if ours is None or peer is None or peer == 0:
        return None
    return round(ours / peer, 3)


def ratios(ours, peer, keys=None):
    """ours / peer for the four figures (or `keys`), and throughput when
    there is one."""
    if keys is None:
        keys = list(FIGURES) + (["throughput_mib_s"] if "throughput_mib_s" in ours else [])
    return {k: ratio(ours.get(k), peer.get(k)) for k in keys}


def fmt(x, digits=2):
    if x is None:
        return "—"
    if isinstance(x, float) and x.is_integer() and digits == 0:
        return str(int(x))
    return f"{x:.{digits}f}" if isinstance(x, float) else str(x)


def fmt_ratio(x, digits=2):
    return "—" if x is None else f"{x:.{digits}f}×"


def apart(r):
    """True for the objects outside the side-by-side matrix."""
    return bool(r.get("probe") or r.get("scale") or r.get("ours_parallel"))


def matrix(results):
    """The Terraform scenarios of the main matrix, in order."""
    return sorted(
        (r for r in results if r.get("scenario") in SCENARIO_ORDER and not apart(r)),
        key=lambda r: (r["delay_ms"], r["n"], SCENARIO_ORDER[r["scenario"]]),
    )


def scale(results):
    """The scale part's objects, by scenario then N."""
    return sorted(
        (r for r in results if r.get("scale")),
        key=lambda r: (SCALE_ORDER.get(r["scenario"], 9), r["n"]),
    )


def parallel(results):
    """Ours at Terraform's default parallelism, by delay then scenario."""
    return sorted(
        (r for r in results if r.get("ours_parallel")),
        key=lambda r: (r["delay_ms"], SCENARIO_ORDER.get(r["scenario"], 9)),
    )


def find(results, scenario, n=None, delay=None):
    """The matrix's object for a scenario (and N and delay)."""
    for r in results:
        if apart(r):
            continue
        if r.get("scenario") == scenario and (n is None or r.get("n") == n) and (delay is None or r.get("delay_ms") == delay):
            return r
    return None


def runs(n):
    return "? runs" if n is None else f"{n} run" + ("" if n == 1 else "s")


def verdict(ok):
    return "**yes**" if ok else "**no**"


def vs(entry, key, digits=2, unit=""):
    return f"{fmt(entry['ours'][key], digits)}{unit} vs {fmt(entry['peer'][key], digits)}{unit}"


def completed(entry, *sides):
    return all(entry[side].get("ok", True) for side in sides)


def failed_mark(entry, *sides):
    bad = [side for side in sides if not entry[side].get("ok", True)]
    return f" ({' and '.join(bad)} failed)" if bad else ""


# Issue 22's targets: SOAP calls per created / destroyed VM, wall time
# against the peer's, and the scale part's limits (at 1,000 VMs).
CALLS_PER_VM = {"create": 4, "destroy": 3}
WALL_RATIO = {"create": 0.12, "destroy": 0.15, "refresh": 0.25}
SCALE_WALL_RATIO = 0.2
SCALE_RSS_MIB = 16
SCALE_N = 1000


def scale_soap_limit(n):
    return n / 10 + 20


def issue22_rows(results):
    rows = []
    for name in ("create", "destroy", "refresh"):
        r = find(results, name, 100, 20)
        if not r:
            rows.append((f"{name} of 100 VMs, `-delay 20`", "not measured in this run", False))
            continue
        if name in CALLS_PER_VM:
            calls = r["ours"]["soap_calls"]
            per_vm = calls / r["n"]
            rows.append((f"{name} of 100 VMs, `-delay 20`: ≤ {CALLS_PER_VM[name]} SOAP calls per VM",
                         f"{per_vm:.2f} per VM ({fmt(calls, 0)} calls){failed_mark(r, 'ours')}",
                         per_vm <= CALLS_PER_VM[name] and completed(r, "ours")))
        w = r["ratio"]["wall_s"]
        rows.append((f"{name} of 100 VMs, `-delay 20`: wall time ≤ {WALL_RATIO[name]}× the peer's",
                     f"{fmt_ratio(w, 3)} ({vs(r, 'wall_s', unit=' s')}){failed_mark(r, 'ours', 'peer')}",
                     w is not None and w <= WALL_RATIO[name] and completed(r, "ours", "peer")))
    everywhere = [r for r in matrix(results) + scale(results) if r["ratio"]["peak_rss_mb"] is not None]
    if everywhere:
        worst = max(everywhere, key=lambda r: r["ratio"]["peak_rss_mb"])
        w = worst["ratio"]["peak_rss_mb"]
        where = "scale " if worst.get("scale") else ""
        rows.append(("provider peak RSS ≤ 0.25× the peer's, everywhere (matrix and scale)",
                     f"worst {fmt_ratio(w, 3)}: {where}{worst['scenario']} of {worst['n']} VMs, `-delay {worst['delay_ms']}` "
                     f"({vs(worst, 'peak_rss_mb', 1, ' MiB')})", w <= 0.25))
    sc = scale(results)
    if not sc:
        rows.append((f"scale: refresh and plan of {SCALE_N:,} VMs, `-delay 0`", "not measured in this run", False))
        return rows
    n = max(r["n"] for r in sc)
    of = f"{n:,} VMs" + ("" if n == SCALE_N else f" (the issue's target is at {SCALE_N:,})")
    for name in ("refresh", "plan"):
        r = next((r for r in sc if r["scenario"] == name and r["n"] == n), None)
        if not r:
            rows.append((f"scale: {name} of {of}", "not measured in this run", False))
            continue
        label = SCALE_LABELS[name]
        w = r["ratio"]["wall_s"]
        rows.append((f"{label} of {of}, `-delay 0`: wall time ≤ {SCALE_WALL_RATIO}× the peer's",
                     f"{fmt_ratio(w, 3)} ({vs(r, 'wall_s', unit=' s')}){failed_mark(r, 'ours', 'peer')}",
                     w is not None and w <= SCALE_WALL_RATIO and completed(r, "ours", "peer")))
        calls, limit = r["ours"]["soap_calls"], scale_soap_limit(n)
        rows.append((f"{label} of {of}, `-delay 0`: SOAP calls ≤ N/10 + 20 = {fmt(limit, 0)}",
                     f"{fmt(calls, 0)} ({calls / n:.3f} per VM; peer {fmt(r['peer']['soap_calls'], 0)})"
                     f"{failed_mark(r, 'ours')}",
                     calls <= limit and completed(r, "ours")))
        m = r["ours"]["peak_rss_mb"]
        rows.append((f"{label} of {of}, `-delay 0`: provider peak RSS ≤ {SCALE_RSS_MIB} MiB",
                     f"{fmt(m, 1)} MiB (peer {fmt(r['peer']['peak_rss_mb'], 1)} MiB){failed_mark(r, 'ours')}",
                     m <= SCALE_RSS_MIB and completed(r, "ours")))
    return rows


def issue6_rows(results):
    rows = []
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


def targets_table(rows):
    return table(["target", "measured (ours / peer)", "met"], [(a, b, verdict(c)) for a, b, c in rows])


def figures(results):
    """Everything that comes from the results alone."""
    out = ["## Targets of issue 22 (SOAP calls per VM, scale)", ""]
    out.append(targets_table(issue22_rows(results)))
    out += ["", "## Targets of issue 6 (first side-by-side run)", ""]
    out.append(targets_table(issue6_rows(results)))
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
    out += parallel_section(results)
    out += scale_section(results)
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


def parallel_section(results):
    par = parallel(results)
    if not par:
        return []
    n = par[0]["n"]
    out = [
        "",
        f"## Ours at Terraform's default `-parallelism=10`, {n} VMs",
        "",
        "create and destroy by ours at `-parallelism=10`, beside the matrix's `-parallelism=1` cell of the same N "
        "and delay (ours and the peer; the peer does not complete at 10 on vcsim: see the probe). "
        f"{runs(par[0].get('runs'))} each; medians.",
        "",
    ]
    rows = []
    for r in par:
        base = find(results, r["scenario"], r["n"], r["delay_ms"])
        o10 = r["ours"]
        o1, p1 = (base["ours"], base["peer"]) if base else ({}, {})
        to1, top = r.get("ratio_to_parallelism_1") or {}, r.get("ratio_to_peer") or {}
        rows.append(
            (r["scenario"], r["delay_ms"],
             wall(o1) if o1 else "—", wall(o10), fmt_ratio(to1.get("wall_s")),
             wall(p1) if p1 else "—", fmt_ratio(top.get("wall_s")),
             fmt(o1.get("soap_calls"), 0), fmt(o10["soap_calls"], 0),
             fmt(o1.get("peak_rss_mb"), 1), fmt(o10["peak_rss_mb"], 1))
        )
    out.append(
        table(
            ["scenario", "delay ms", "wall s ours p=1", "wall s ours p=10", "p=10 / p=1", "wall s peer p=1",
             "ours p=10 / peer p=1", "SOAP ours p=1", "SOAP ours p=10", "peak RSS MiB ours p=1",
             "peak RSS MiB ours p=10"],
            rows,
        )
    )
    return out


def growth(values):
    first, last = values[0], values[-1]
    return fmt_ratio(ratio(last, first)) if len(values) > 1 else "—"


def scale_section(results):
    sc = scale(results)
    if not sc:
        return []
    ns = sorted({r["n"] for r in sc})
    reads = [r for r in sc if r["scenario"] != "create"]
    count = runs(reads[0].get("runs") if reads else None)
    create_par = next((r.get("parallelism") for r in sc if r["scenario"] == "create"), "?")
    out = [
        "",
        f"## Scale: refresh and plan of N existing VMs, vcsim `-delay {sc[0]['delay_ms']}`",
        "",
        f"Each provider creates the N VMs once on its own vcsim (`-parallelism={create_par}`, one run: the create "
        "rows), then `terraform apply -refresh-only` (refresh) and `terraform plan` over the unchanged VMs (plan) "
        f"run at Terraform's default parallelism, {count} each, alternating ours / peer; figures are medians.",
        "",
    ]
    rows = []
    for r in sc:
        o, p, q = r["ours"], r["peer"], r["ratio"]
        rows.append(
            (SCALE_LABELS.get(r["scenario"], r["scenario"]), r["n"],
             wall(o), wall(p), fmt_ratio(q["wall_s"]),
             fmt(o["soap_calls"], 0), fmt(p["soap_calls"], 0), fmt_ratio(q["soap_calls"]),
             f"{o['soap_calls'] / r['n']:.3f}", f"{p['soap_calls'] / r['n']:.3f}",
             fmt(o["peak_rss_mb"], 1), fmt(p["peak_rss_mb"], 1), fmt_ratio(q["peak_rss_mb"]))
        )
    out.append(
        table(
            ["scenario", "N", "wall s ours", "wall s peer", "ratio", "SOAP ours", "SOAP peer", "ratio",
             "SOAP per VM ours", "SOAP per VM peer", "peak RSS MiB ours", "peak RSS MiB peer", "ratio"],
            rows,
        )
    )
    out += [
        "",
        f"### How each figure grows with N ({', '.join(f'{n:,}' for n in ns)})",
        "",
        f"The last column is the figure at N = {ns[-1]:,} over the figure at N = {ns[0]:,} "
        f"(N itself grows {ns[-1] / ns[0]:g}×).",
        "",
    ]
    rows = []
    for name in sorted({r["scenario"] for r in sc}, key=lambda x: SCALE_ORDER.get(x, 9)):
        for key, label, digits in (("wall_s", "wall s", 2), ("soap_calls", "SOAP calls", 0), ("peak_rss_mb", "peak RSS MiB", 1)):
            for side in ("ours", "peer"):
                by_n = {r["n"]: r[side] for r in sc if r["scenario"] == name}
                values = [by_n[n][key] if n in by_n else None for n in ns]
                cells = [fmt(v, digits) + ("" if by_n.get(n, {}).get("ok", True) else " (failed)") for n, v in zip(ns, values)]
                present = [v for v in values if v is not None]
                rows.append((SCALE_LABELS.get(name, name), label, side, *cells, growth(present)))
    out.append(table(["scenario", "figure", "side", *(f"N = {n:,}" for n in ns), "growth"], rows))
    out += ["", "![How wall time, SOAP calls and peak RSS grow with N, both providers](scale.png)"]
    big = max(ns)
    out += ["", f"### SOAP calls by method, scale, {big:,} VMs (median of runs)", ""]
    rows = []
    for r in (r for r in sc if r["n"] == big):
        for side in ("ours", "peer"):
            rows.append((SCALE_LABELS.get(r["scenario"], r["scenario"]), side, by_method(r[side])))
    out.append(table(["scenario", "side", "calls"], rows))
    return out


def by_method(side):
    listing = ", ".join(
        f"{m} {fmt(c, 0)}" for m, c in sorted(side.get("soap_by_method", {}).items(), key=lambda x: (-x[1], x[0]))
    )
    return listing or "—"


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
        rows += [
            (f"{r['scenario']} (p=10)", r["n"], r["delay_ms"],
             " ".join(fmt(x) for x in r["ours"].get("wall_runs_s", [])), "—",
             " ".join(fmt(x, 0) for x in r["ours"].get("soap_runs", [])), "—")
            for r in parallel(results)
        ]
        rows += [
            (f"scale {r['scenario']}", r["n"], r["delay_ms"],
             " ".join(fmt(x) for x in r["ours"].get("wall_runs_s", [])),
             " ".join(fmt(x) for x in r["peer"].get("wall_runs_s", [])),
             " ".join(fmt(x, 0) for x in r["ours"].get("soap_runs", [])),
             " ".join(fmt(x, 0) for x in r["peer"].get("soap_runs", [])))
            for r in scale(results)
        ]
        out.append(table(["scenario", "N", "delay ms", "wall ours", "wall peer", "SOAP ours", "SOAP peer"], rows))
        big = max(tf, key=lambda r: (r["n"], r["delay_ms"]))
        out += ["", f"## SOAP calls by method, {big['n']} VMs, `-delay {big['delay_ms']}` (median of runs)", ""]
        rows = []
        for r in (r for r in tf if r["n"] == big["n"] and r["delay_ms"] == big["delay_ms"]):
            for side in ("ours", "peer"):
                rows.append((r["scenario"], side, by_method(r[side])))
        out.append(table(["scenario", "side", "calls"], rows))
    notes = [
        f"- {where}{r['scenario']} of {r['n']} VMs, `-delay {r['delay_ms']}`, {side}: {note}"
        for where, group in (("", tf), ("ours at `-parallelism=10`: ", parallel(results)), ("scale: ", scale(results)))
        for r in group
        for side in ("ours", "peer")
        if r.get(side)
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
            f"default 10, for both providers (why: README.md). {runs(tf[0].get('runs'))} per cell and provider, "
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
