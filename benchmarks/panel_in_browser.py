"""The explore panel as a learner sees it: Play's frames per second and slider release → new picture, in Chromium.

    python benchmarks/panel_in_browser.py                     # every way, 3 Plays and 20 η drags each
    python benchmarks/panel_in_browser.py --plays 5 --drags 40

JupyterLab serves a notebook and headless Chromium (Playwright, the system's `chromium`) runs it, as
tests/browser does. Each cell shows Adam on Rosenbrock (200 steps) with an η slider, one of four ways:

- png: the kernel draws every picture, a Play frame included, and sends it as a PNG (a `widgets.panel`
  with contours as its cached background and the path blitted on top: how `explore` worked first);
- synced: `widgets.explore` with its controls synced by ipywidgets alone (`Panel.forward = False`): the PNG
  holds the static part only, the runs travel as numbers and a canvas in the page draws each frame;
- canvas: `widgets.explore` as it is: as synced, and the page also sends a moved control's value to the kernel
  at once through the canvas's own messages (helpers/widgets/overlay.js), not after the previous answer;
- surface: `widgets.panel(..., surface=...)`, a lesson's own run (notebooks 02 and 03), drawn as canvas is.

Everything is timed in the page with performance.now(). Play: the button is pressed and every change of
the picture is recorded (the <img>'s src, or the canvas's frame); distinct frames per second is
(changes − 1) / (last − first). Release: the η slider's handle is dragged 30 px (8 mouse moves 16 ms apart, a
hand's pace) and released; the latency is from the mouseup to the last change of the picture, once the kernel is
idle and nothing has changed for 0.6 s (0 where the final picture arrived before the release).

Beside the browser's figures, the kernel's own time per η change (no browser) for the same ticks.
Targets: ≥ 24 distinct frames per second, release → picture p50 ≤ 50 ms.
"""

import argparse
import datetime
import json
import os
import platform
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.error
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from helpers.devices import processor_name, usable_cores  # noqa: E402
from tests.browser.conftest import (  # noqa: E402
    CHROMIUM_FLAGS,
    Lab,
    chromium_path,
    free_port,
    lab_environment,
    stop,
    write_settings,
)

TARGET_FPS, TARGET_P50_MS = 24.0, 50.0
STEPS = 200
MOVES, MOVE_INTERVAL_MS = 8, 16  # a drag: 8 mouse moves 16 ms apart, then the release
SETUP = """\
import numpy as np
from helpers import descent, plotting, surfaces, widgets
"""
# explore as it was: every picture, Play frames included, drawn in the kernel and sent as PNG.
PNG_PANEL = """\
widgets.Panel.forward = False
rosenbrock = surfaces.rosenbrock()
hparams = descent.default_hparams("adam", rosenbrock)


def compute(lr):
    return descent.descend(rosenbrock, "adam", steps=STEPS, **{**hparams, "lr": lr})


def background(ax):
    plotting.contour(ax, rosenbrock)
    ax.set_title("adam on rosenbrock", fontsize="medium")


def draw(ax, run, frame):
    return plotting.trajectory(ax, run.path[: frame + 1], color=plotting.PALETTE[0])


panel = widgets.panel({"lr": widgets.log_slider("η", hparams["lr"], 1e-5, 10.0)}, compute, draw, background,
                      frames=lambda run: len(run.path) - 1)
widgets.Panel.forward = True
panel
""".replace("STEPS", str(STEPS))
# explore with the controls synced by ipywidgets alone: the final value of a drag waits for the previous answer.
SYNCED_PANEL = f"""\
widgets.Panel.forward = False
panel = widgets.explore("rosenbrock", "adam", steps={STEPS})
widgets.Panel.forward = True
panel
"""
CANVAS_PANEL = f'panel = widgets.explore("rosenbrock", "adam", steps={STEPS})\npanel\n'
# A lesson's own run on a surface (notebooks 02 and 03): the same run, its path and f − f* drawn in the page.
SURFACE_PANEL = f"""\
def adam_run(lr):
    return descent.descend(surfaces.get("rosenbrock"), "adam", steps={STEPS}, lr=lr)


panel = widgets.panel({{"lr": widgets.log_slider("η", 0.1, 1e-5, 10.0)}}, adam_run, surface=surfaces.get("rosenbrock"))
panel
"""
WAYS = {"png": PNG_PANEL, "synced": SYNCED_PANEL, "canvas": CANVAS_PANEL, "surface": SURFACE_PANEL}

KERNEL_IDLE = "() => window.jupyterapp?.shell?.currentWidget?.sessionContext?.session?.kernel?.status === 'idle'"
RECORD = """([el, attr]) => {
    window.changes = [];
    window.released = null;
    if (window.observer) window.observer.disconnect();
    window.observer = new MutationObserver(records => {
        for (const r of records) window.changes.push([performance.now(), el.getAttribute(attr)]);
    });
    window.observer.observe(el, {attributes: true, attributeFilter: [attr]});
    if (!window.upListener) {
        window.upListener = () => { window.released = performance.now(); };
        document.addEventListener('mouseup', window.upListener, true);
    }
}"""


def notebook():
    cells = [SETUP, *WAYS.values()]
    return {
        "cells": [
            {
                "id": f"cell-{i}",
                "cell_type": "code",
                "metadata": {},
                "source": s,
                "outputs": [],
                "execution_count": None,
            }
            for i, s in enumerate(cells)
        ],
        "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
        "nbformat": 4,
        "nbformat_minor": 5,
    }


def start_lab(home):
    served = home / "served"
    served.mkdir()
    (served / "bench.ipynb").write_text(json.dumps(notebook()), encoding="utf-8")
    write_settings(home / "settings")
    env = lab_environment(home)
    port, token = free_port(), secrets.token_hex(16)
    lab = Lab(url=f"http://127.0.0.1:{port}", token=token, log=home / "server.log")
    command = [
        sys.executable,
        "-m",
        "jupyterlab",
        "--no-browser",
        "--ServerApp.ip=127.0.0.1",
        f"--ServerApp.port={port}",
        f"--IdentityProvider.token={token}",
        f"--ServerApp.root_dir={served}",
        "--ServerApp.allow_root=True",
        "--LabApp.expose_app_in_browser=True",
    ]
    with open(lab.log, "w") as log:
        server = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    deadline = time.monotonic() + 120
    while True:
        try:
            lab.api("status")
            return lab, server
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            if server.poll() is not None or time.monotonic() > deadline:
                stop(lab, server)
                raise SystemExit(f"JupyterLab did not start:\n{lab.log.read_text()[-3000:]}") from None
            time.sleep(0.25)


def settle(page, quiet_ms=600, timeout_s=30):
    """Wait until the kernel is idle and the picture has not changed for `quiet_ms`."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        page.wait_for_function(KERNEL_IDLE, timeout=timeout_s * 1000)
        count = page.evaluate("() => window.changes.length")
        page.wait_for_timeout(quiet_ms)
        if page.evaluate("() => window.changes.length") == count:
            return
    raise SystemExit("the picture kept changing")


def watched(cell, way):
    """The element whose attribute changes with each new picture, and that attribute."""
    if way == "png":
        return cell.locator("img.widget-image").first, "src"
    return cell.locator(".descent-overlay").first, "data-frame"


def measure_play(page, cell, way):
    element, attribute = watched(cell, way)
    page.evaluate(RECORD, [element.element_handle(), attribute])
    cell.locator(".widget-play button").first.click()
    started = page.evaluate("() => performance.now()")
    page.wait_for_timeout(300)
    settle(page, quiet_ms=1000, timeout_s=60)
    changes = page.evaluate("() => window.changes")
    times = [t for t, _ in changes if t >= started]
    values = [v for t, v in changes if t >= started]
    distinct = len(set(values)) if way != "png" else len(values)
    return (distinct - 1) / ((times[-1] - times[0]) / 1000) if len(times) > 1 else 0.0


def eta_slider(page, cell):
    sliders = cell.locator(".widget-hslider")
    return sliders.filter(has=page.locator(".widget-label", has_text=re.compile(r"^η$"))).first


def drag_eta(page, cell, direction, distance=30):
    slider = eta_slider(page, cell)
    handle = slider.locator(".noUi-handle").first.bounding_box()
    x, y = handle["x"] + handle["width"] / 2, handle["y"] + handle["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    for i in range(1, MOVES + 1):  # a hand's pace: one mouse event per 60 Hz display frame
        page.mouse.move(x + direction * distance * i / MOVES, y)
        page.wait_for_timeout(MOVE_INTERVAL_MS)
    page.mouse.up()


def measure_release(page, cell, way, drags):
    element, attribute = watched(cell, way)
    if way != "png":
        attribute = "data-revision"
    latencies = []
    for i in range(drags):
        page.evaluate(RECORD, [element.element_handle(), attribute])
        drag_eta(page, cell, 1 if i % 2 == 0 else -1)
        settle(page)
        released = page.evaluate("() => window.released")
        changes = page.evaluate("() => window.changes")
        if not changes:
            raise SystemExit(f"{way}: a drag of η changed no picture")
        latencies.append(max(0.0, changes[-1][0] - released))
    return np.array(latencies)


def measure_tick(page, cell, way, ticks):
    """One η tick from the keyboard (an arrow key on the slider's handle): keydown → the new picture."""
    element, attribute = watched(cell, way)
    if way != "png":
        attribute = "data-revision"
    handle = eta_slider(page, cell).locator(".noUi-handle").first
    latencies = []
    for i in range(ticks):
        page.evaluate(RECORD, [element.element_handle(), attribute])
        handle.focus()
        pressed = page.evaluate("() => performance.now()")
        page.keyboard.press("ArrowRight" if i % 4 < 2 else "ArrowLeft")
        settle(page)
        changes = page.evaluate("() => window.changes")
        if not changes:
            raise SystemExit(f"{way}: an η tick changed no picture")
        latencies.append(changes[-1][0] - pressed)
    return np.array(latencies)


def kernel_latencies(way, changes=60):
    """The kernel's own milliseconds per η change, no browser: the same cell code run here."""
    namespace = {}
    exec(SETUP, namespace)  # noqa: S102 - the benchmark's own cell code
    exec(WAYS[way], namespace)  # noqa: S102
    panel = namespace["panel"]
    eta = panel.controls["lr"]
    values = 10 ** (np.log10(eta.value) + 0.05 * np.resize([1, 2, 3, 2, 1, 0, -1, -2, -1, 0], changes))
    eta.value = values[0] * 1.01
    times = []
    for value in values:
        start = time.perf_counter()
        eta.value = value
        times.append(time.perf_counter() - start)
    return np.array(times) * 1e3


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--plays", type=int, default=3, help="Plays per way (the whole 200-step run each)")
    parser.add_argument("--drags", type=int, default=20, help="η drags per way")
    parser.add_argument("--ways", nargs="+", default=list(WAYS), choices=list(WAYS))
    args = parser.parse_args(argv)
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        raise SystemExit('Playwright is not installed: pip install -e ".[browser]"') from None
    executable = chromium_path()
    if executable is None:
        raise SystemExit("Chromium is not installed (Debian/Ubuntu: apt-get install chromium)")

    load = f" · load average {os.getloadavg()[0]:.1f}" if hasattr(os, "getloadavg") else ""
    print(
        f"CPU: {processor_name()}, {usable_cores()} cores{load} · {datetime.date.today().isoformat()} · "
        f"Python {platform.python_version()} · Chromium headless"
    )
    print(f"command: python benchmarks/panel_in_browser.py {' '.join(argv if argv is not None else sys.argv[1:])}")
    home = Path(tempfile.mkdtemp(prefix="panel-bench-"))
    lab, server = start_lab(home)
    results = {}
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_FLAGS)
            page = browser.new_context(viewport={"width": 1440, "height": 900}).new_page()
            page.goto(f"{lab.url}/lab/tree/bench.ipynb?token={lab.token}", timeout=60_000)
            page.wait_for_function("() => window.jupyterapp?.shell?.currentWidget?.context?.isReady", timeout=60_000)
            page.evaluate("() => window.jupyterapp.shell.collapseLeft()")
            page.wait_for_function(KERNEL_IDLE, timeout=60_000)
            page.evaluate("() => window.jupyterapp.commands.execute('notebook:run-all-cells')")
            cells = page.locator(".jp-Notebook .jp-Cell")
            for index, way in enumerate(WAYS, start=1):
                if way not in args.ways:
                    continue
                cell = cells.nth(index)
                cell.locator("img.widget-image").first.wait_for(state="visible", timeout=120_000)
                page.wait_for_function(KERNEL_IDLE, timeout=60_000)
                cell.scroll_into_view_if_needed()
                page.evaluate(RECORD, [watched(cell, way)[0].element_handle(), "data-x"])
                fps = [measure_play(page, cell, way) for _ in range(args.plays)]
                release = measure_release(page, cell, way, args.drags)
                tick = measure_tick(page, cell, way, args.drags)
                results[way] = (fps, release, tick, kernel_latencies(way))
            browser.close()
    finally:
        stop(lab, server)
        shutil.rmtree(home, ignore_errors=True)

    print(f"\nexplore('rosenbrock', 'adam', steps={STEPS}); {args.plays} Plays and {args.drags} η drags per way\n")
    print(
        "| way | Play frames/s (each Play) | drag release → picture p50 / p95 ms | one tick → picture p50 / p95 ms "
        "| kernel per change p50 / p95 ms |"
    )
    print("|---|---|---:|---:|---:|")
    met = True
    for way, (fps, release, tick, kernel) in results.items():
        p50, p95 = np.percentile(release, [50, 95])
        t50, t95 = np.percentile(tick, [50, 95])
        k50, k95 = np.percentile(kernel, [50, 95])
        print(
            f"| {way} | {' / '.join(f'{f:.1f}' for f in fps)} | {p50:.0f} / {p95:.0f} | {t50:.0f} / {t95:.0f} "
            f"| {k50:.1f} / {k95:.1f} |"
        )
        if way in ("canvas", "surface"):
            met = met and min(fps) >= TARGET_FPS and p50 <= TARGET_P50_MS
    if {"canvas", "surface"} & set(results):
        print(
            f"\ntarget ≥ {TARGET_FPS:g} frames/s and release → picture p50 ≤ {TARGET_P50_MS:g} ms (canvas, surface): "
            f"{'met' if met else 'NOT met'}"
        )
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
