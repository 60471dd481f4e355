"""Latency of the explore panel: from a slider change to new PNG bytes on its Image widget.

    python benchmarks/widget_latency.py                       # adam, every surface, 200 η changes each, 3 rounds
    python benchmarks/widget_latency.py --optimizer sgd --changes 100 --surfaces rosenbrock beale

For each surface, `widgets.explore(surface, optimizer, steps=200)` is built and its η slider is
dragged tick by tick (the slider's own step, 0.05 in log₁₀ η) across a decade each side of the
default and back, `--changes` times. A change runs the optimizer for 200 steps, redraws the path over
the cached contours and encodes the PNG; the time is taken from setting the slider's value until the
setter returns, which it does once the Image widget holds the new bytes (the panel renders
synchronously in the kernel; the browser's share, a websocket message and an <img> decode, is not
included).

The baseline does what a panel without caching would: on each change a new pyplot figure of the same
size, the run, contours and path drawn from scratch, `savefig` to PNG, the figure closed. It even
keeps the contour grid that helpers.plotting caches, so f is not re-evaluated: the difference is the
figure rebuild alone. It is slower, so it gets `--baseline-changes` changes per surface.

One untimed change per sweep warms each way up. Each sweep runs `--rounds` times and each change
counts with its best round: a change is the same work every round, and other work on the machine
only ever slows it down. The percentiles of every round as timed are printed too, and the panel's
CPU time per change (its own cost, whatever else the machine is doing).
The target is p50 ≤ 25 ms and p95 ≤ 50 ms on 2 CPU cores.
"""

import argparse
import datetime
import io
import os
import platform
import sys
import time

import matplotlib

matplotlib.use("Agg")  # before pyplot: the baseline must not open windows

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from helpers import descent, optim, plotting, surfaces, widgets  # noqa: E402
from helpers.devices import processor_name, usable_cores  # noqa: E402

STEPS = 200
TARGET_P50_MS, TARGET_P95_MS = 25.0, 50.0


def eta_ticks(slider, changes):
    """`changes` η values one slider tick apart, like a hand on the slider: from the default up to a decade
    above it, down to a decade below, up again, …; no two neighbours are equal, so each one is a change."""
    start = np.log10(slider.value)
    low, high = max(start - 1, slider.min), min(start + 1, slider.max)
    up = np.arange(low, high + slider.step / 2, slider.step)
    bounce = np.concatenate([up, up[-2:0:-1]])
    first = int(np.argmin(np.abs(up - start))) + 1
    return 10 ** np.resize(np.roll(bounce, -first), changes)


def panel_latencies(surface, optimizer, changes):
    """Wall-clock and CPU milliseconds per η change, and how many changes left the picture as it was."""
    panel = widgets.explore(surface, optimizer, steps=STEPS)
    eta = panel.controls["lr"]
    values = eta_ticks(eta, changes + 1)
    eta.value = values[0]  # warm-up
    latencies, cpu, unchanged = [], [], 0
    for value in values[1:]:
        before = panel.image.value
        start, start_cpu = time.perf_counter(), time.thread_time()
        eta.value = value  # returns once the panel has rendered and the Image holds the new PNG
        latencies.append(time.perf_counter() - start)
        cpu.append(time.thread_time() - start_cpu)
        unchanged += panel.image.value == before
    return np.array(latencies) * 1e3, np.array(cpu) * 1e3, unchanged


def pyplot_rebuild(surface, optimizer, hparams):
    """One change the naive way: a new figure, everything drawn, saved as PNG, closed."""
    fig, ax = plt.subplots(figsize=(5.0, 4.2), dpi=80, layout="constrained")
    run = optim.run(optim.get(optimizer, **hparams), surface.grad, surface.start, STEPS)
    plotting.contour(ax, surface)
    plotting.trajectory(ax, run, color=plotting.PALETTE[0])
    ax.set_title(f"{optimizer} on {surface.name}", fontsize="medium")
    out = io.BytesIO()
    fig.savefig(out, format="png")
    plt.close(fig)
    return out.getvalue()


def baseline_latencies(surface_name, optimizer, changes):
    surface = surfaces.get(surface_name)
    hparams = descent.default_hparams(optimizer, surface)
    eta = widgets.explore(surface_name, optimizer, steps=1).controls["lr"]  # the same η ticks as the panel
    values = eta_ticks(eta, changes + 1)
    pyplot_rebuild(surface, optimizer, {**hparams, "lr": values[0]})  # warm-up
    latencies = []
    for value in values[1:]:
        start = time.perf_counter()
        pyplot_rebuild(surface, optimizer, {**hparams, "lr": value})
        latencies.append(time.perf_counter() - start)
    return np.array(latencies) * 1e3


def percentiles(ms):
    return np.percentile(ms, 50), np.percentile(ms, 95)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--optimizer", default="adam", choices=sorted(widgets.SLIDERS))
    parser.add_argument("--surfaces", nargs="+", default=list(surfaces.NAMES), choices=surfaces.NAMES)
    parser.add_argument("--changes", type=int, default=200, help="timed η changes per surface (panel)")
    parser.add_argument("--baseline-changes", type=int, default=20, help="timed η changes per surface (pyplot)")
    parser.add_argument("--rounds", type=int, default=3, help="times each sweep is repeated")
    args = parser.parse_args(argv)
    if min(args.changes, args.baseline_changes, args.rounds) < 1:
        parser.error("--changes, --baseline-changes and --rounds must be ≥ 1")

    load = (
        f" · load average {os.getloadavg()[0]:.1f}" if hasattr(os, "getloadavg") else ""
    )  # other work inflates the figures
    print(
        f"CPU: {processor_name()}, {usable_cores()} cores{load} · {datetime.date.today().isoformat()} · Python "
        f"{platform.python_version()} · numpy {np.__version__} · matplotlib {matplotlib.__version__}"
    )
    print(
        f"command: python benchmarks/widget_latency.py {' '.join(argv if argv is not None else sys.argv[1:])}".rstrip()
    )
    print(
        f"explore(surface, {args.optimizer!r}, steps={STEPS}); {args.changes} η changes per surface "
        f"({args.baseline_changes} for the pyplot baseline), each the best of {args.rounds} rounds; milliseconds\n"
    )
    print(
        "| surface | panel p50 | panel p95 | panel CPU p50 | panel CPU p95 | pyplot p50 | pyplot p95 "
        "| speed-up p50 | speed-up p95 |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")

    def row(name, panel, cpu, baseline):
        (p50, p95), (c50, c95), (b50, b95) = percentiles(panel), percentiles(cpu), percentiles(baseline)
        print(
            f"| {name} | {p50:.1f} | {p95:.1f} | {c50:.1f} | {c95:.1f} | {b50:.1f} | {b95:.1f} "
            f"| {b50 / p50:.1f}× | {b95 / p95:.1f}× |",
            flush=True,
        )

    best_panel, best_cpu, best_baseline, every_panel, unchanged = [], [], [], [], 0
    for name in args.surfaces:
        # The same change costs the same work in every round: other work on the machine only ever adds
        # to it, so each change's best round is the closest to the panel's own cost.
        panel_rounds, cpu_rounds, baseline_rounds = [], [], []
        for _ in range(args.rounds):
            panel, cpu, same = panel_latencies(name, args.optimizer, args.changes)
            panel_rounds.append(panel)
            cpu_rounds.append(cpu)
            baseline_rounds.append(baseline_latencies(name, args.optimizer, args.baseline_changes))
            unchanged += same
        best_panel.append(np.min(panel_rounds, axis=0))
        best_cpu.append(np.min(cpu_rounds, axis=0))
        best_baseline.append(np.min(baseline_rounds, axis=0))
        every_panel.append(np.concatenate(panel_rounds))
        row(name, best_panel[-1], best_cpu[-1], best_baseline[-1])
    panel, baseline, every = np.concatenate(best_panel), np.concatenate(best_baseline), np.concatenate(every_panel)
    row("**all**", panel, np.concatenate(best_cpu), baseline)

    p50, p95 = percentiles(panel)
    met = p50 <= TARGET_P50_MS and p95 <= TARGET_P95_MS
    print(
        f"\ntarget p50 ≤ {TARGET_P50_MS:g} ms, p95 ≤ {TARGET_P95_MS:g} ms: {'met' if met else 'NOT met'} "
        f"(best of rounds: p50 {p50:.1f} ms, p95 {p95:.1f} ms, max {panel.max():.1f} ms over {panel.size} changes)"
    )
    e50, e95 = percentiles(every)
    print(
        f"every round, as timed: p50 {e50:.1f} ms, p95 {e95:.1f} ms, max {every.max():.1f} ms over {every.size} changes"
    )
    if unchanged:
        print(f"{unchanged} of {every.size} changes gave the same picture as before (a run that diverges at once)")
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
