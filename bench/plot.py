#!/usr/bin/env python3
"""Draws the scale results (how wall time, SOAP calls and peak RSS grow with
N, for both providers) as a PNG, log-log, one panel per figure.

    python3 bench/plot.py RESULTS_JSON OUT_PNG          draw
    python3 bench/plot.py RESULTS_JSON --check PNG      exit 1 unless PNG holds
                                                        exactly that drawing

bench.py calls render(). Standard library only (see png.py).
"""

import argparse
import json
import math
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import png  # beside this file, hence the path above

# Beside results.md, which links it.
FILE_NAME = "scale.png"
WIDTH, HEIGHT = 1200, 500
COLOURS = {"ours": (31, 119, 180), "peer": (230, 110, 0)}
TARGET_COLOUR = (120, 120, 120)
GRID, AXIS, INK = (225, 225, 225), (60, 60, 60), (0, 0, 0)
# Line style and marker per scenario; the scale part runs them in this order.
STYLES = {
    "refresh": (None, "circle"),
    "plan": ((9, 5), "square"),
    "create": ((2, 4), "triangle"),
}
PANELS = (
    ("wall_s", "wall time, s"),
    ("soap_calls", "SOAP calls"),
    ("peak_rss_mb", "peak RSS, MiB"),
)
# Issue 22's targets at scale, drawn as grey dashed lines.
RSS_TARGET_MIB = 16.0


def soap_target(n):
    return n / 10 + 20


def scale_entries(results):
    return [r for r in results if r.get("scale")]


def series(entries):
    """{(scenario, side): [(n, {figure: value})]} over the runs that completed."""
    out = {}
    for r in sorted(entries, key=lambda r: r["n"]):
        for side in ("ours", "peer"):
            s = r.get(side) or {}
            if s.get("ok", True) and s.get("wall_s") is not None:
                out.setdefault((r["scenario"], side), []).append((r["n"], s))
    return out


def nice_ticks(lo, hi):
    """Round values (1, 2, 5 times a power of ten) inside [lo, hi] of a log axis."""
    ticks = []
    for k in range(math.floor(math.log10(lo)) - 1, math.ceil(math.log10(hi)) + 1):
        for m in (1, 2, 5):
            v = m * 10.0**k
            if lo <= v <= hi:
                ticks.append(v)
    if len(ticks) > 7:
        ticks = [v for v in ticks if math.isclose(v, 10 ** round(math.log10(v)))]
    return ticks


def tick_label(v):
    if v >= 1:
        return str(int(round(v)))
    return f"{v:.3f}".rstrip("0").rstrip(".")


class LogAxes:
    def __init__(self, box, xs, ys):
        self.box = box  # x0, y0, x1, y1 of the plotting area
        self.xlo, self.xhi = min(xs) / 1.6, max(xs) * 1.6
        lo, hi = min(ys), max(ys)
        pad = max(1.5, (hi / lo) ** 0.08)
        self.ylo, self.yhi = lo / pad, hi * pad

    def x(self, v):
        x0, _, x1, _ = self.box
        return x0 + (x1 - x0) * (math.log(v) - math.log(self.xlo)) / (math.log(self.xhi) - math.log(self.xlo))

    def y(self, v):
        _, y0, _, y1 = self.box
        return y1 - (y1 - y0) * (math.log(v) - math.log(self.ylo)) / (math.log(self.yhi) - math.log(self.ylo))


def panel(canvas, box, figure, title, lines, ns):
    ys = [s[figure] for pts in lines.values() for _, s in pts if s.get(figure)]
    if figure == "soap_calls":
        ys += [soap_target(n) for n in ns]
    if figure == "peak_rss_mb":
        ys.append(RSS_TARGET_MIB)
    ys = [y for y in ys if y and y > 0] or [1.0]
    axes = LogAxes(box, ns, ys)
    x0, y0, x1, y1 = box
    canvas.text(x0, y0 - 26, title)
    for v in nice_ticks(axes.ylo, axes.yhi):
        y = round(axes.y(v))
        canvas.line(x0, y, x1, y, GRID)
        label = tick_label(v)
        canvas.text(x0 - 8 - png.Canvas.text_width(label), y - 7, label, AXIS)
    for n in ns:
        x = round(axes.x(n))
        canvas.line(x, y0, x, y1, GRID)
        label = str(n)
        canvas.text(x - png.Canvas.text_width(label) // 2, y1 + 8, label, AXIS)
    canvas.line(x0, y0, x0, y1, AXIS)
    canvas.line(x0, y1, x1, y1, AXIS)
    clip = (x0 + 1, y0, x1, y1 - 1)
    if figure == "soap_calls":
        steps = [axes.xlo * (axes.xhi / axes.xlo) ** (i / 60) for i in range(61)]
        pts = [(axes.x(n), axes.y(soap_target(n))) for n in steps]
        canvas.polyline(pts, TARGET_COLOUR, 2, (6, 6), clip)
    if figure == "peak_rss_mb":
        y = axes.y(RSS_TARGET_MIB)
        canvas.line(x0, y, x1, y, TARGET_COLOUR, 2, (6, 6), clip)
    for (scenario, side), pts in lines.items():
        dash, shape = STYLES.get(scenario, ((4, 4), "circle"))
        xy = [(axes.x(n), axes.y(s[figure])) for n, s in pts if s.get(figure)]
        canvas.polyline(xy, COLOURS[side], 2, dash, clip)
        for x, y in xy:
            canvas.marker(x, y, shape, COLOURS[side])
    canvas.text((x0 + x1) // 2 - png.Canvas.text_width("N VMS") // 2, y1 + 28, "N VMs", AXIS)


def legend(canvas, x, y, lines):
    entries = [(f"{side} {scenario}", COLOURS[side], *STYLES.get(scenario, ((4, 4), "circle"))) for scenario, side in lines]
    entries.append(("target: N/10+20 calls, 16 MiB", TARGET_COLOUR, (6, 6), None))
    for label, colour, dash, shape in entries:
        canvas.line(x, y + 7, x + 40, y + 7, colour, 2, dash)
        if shape:
            canvas.marker(x + 20, y + 7, shape, colour)
        canvas.text(x + 50, y, label)
        x += 50 + png.Canvas.text_width(label) + 30
        if x > WIDTH - 220:
            x, y = 70, y + 24


def render(results):
    """The plot as a Canvas, or None when the results have no scale part."""
    entries = scale_entries(results)
    if not entries:
        return None
    lines = series(entries)
    ns = sorted({r["n"] for r in entries})
    delay = entries[0].get("delay_ms", 0)
    canvas = png.Canvas(WIDTH, HEIGHT)
    canvas.text(70, 14, f"Scale: both providers, vcsim -delay {delay}, log-log (blue: ours, orange: peer)")
    width = (WIDTH - 70) // len(PANELS)
    for i, (figure, title) in enumerate(PANELS):
        left = 80 + i * width
        panel(canvas, (left, 80, left + width - 70, 380), figure, title, lines, ns)
    order = [(sc, side) for sc in STYLES for side in ("ours", "peer") if (sc, side) in lines]
    order += [k for k in lines if k not in order]
    legend(canvas, 70, 442, order)
    return canvas


def write(results, path):
    """Writes the plot to `path`, or removes a stale one when there is nothing
    to draw. True when a plot was written."""
    canvas = render(results)
    if canvas is None:
        if os.path.exists(path):
            os.remove(path)
        return False
    Path(path).write_bytes(png.encode(canvas))
    return True


def check(results, path):
    """None when `path` holds exactly the drawing of `results` (or neither
    exists), else why not."""
    canvas = render(results)
    if canvas is None:
        return f"{path} exists but the results have no scale part" if os.path.exists(path) else None
    try:
        width, height, pixels = png.decode(Path(path).read_bytes())
    except FileNotFoundError:
        return f"{path} is missing"
    except png.PngError as e:
        return f"{path}: {e}"
    if (width, height) != (canvas.width, canvas.height) or pixels != bytes(canvas.pixels):
        return f"{path} is not the plot of these results"
    return None


def main(argv):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("results", help="results.json")
    p.add_argument("out", nargs="?", help="where to write the PNG")
    p.add_argument("--check", metavar="PNG", help="fail unless this PNG is the plot of these results")
    args = p.parse_args(argv)
    if bool(args.out) == bool(args.check):
        p.error("give either OUT_PNG or --check PNG")
    with open(args.results) as f:
        results = json.load(f)
    if not isinstance(results, list):
        sys.exit(f"{args.results}: expected a JSON list of scenario objects")
    if args.check:
        problem = check(results, args.check)
        if problem:
            sys.exit(f"{problem}: rerun bench/run.sh")
        return
    if not write(results, args.out):
        sys.exit(f"{args.results} has no scale results: nothing to draw")


if __name__ == "__main__":
    main(sys.argv[1:])
