"""`explore` in a real browser: a click on the surface moves the start, η drags, Play animates, two optimizers show.

The picture's moving part is drawn by a canvas in the page (helpers/widgets/overlay.js) on top of the PNG of the
static part; clicks reach the PNG through ipyevents. This runs a notebook of its own in JupyterLab 4, so it
proves that both widget extensions come with their pip packages and load.
Screenshots land in tests/browser/screenshots/.
"""

import json
import re
import sys
from pathlib import Path

import pytest
from test_panels_in_browser import KERNEL_IDLE, STEP_TIMEOUT_MS, drag, run_all_cells

SCREENSHOTS = Path(__file__).resolve().parent / "screenshots"
NOTEBOOK = "explore_in_browser.ipynb"
CELLS = [
    "from helpers import optim, widgets",
    'widgets.explore("rosenbrock", "adam", steps=200)',
    'widgets.explore("rosenbrock", {"heavy ball": optim.sgd(lr=1e-3, momentum=0.9), "Adam": "adam"}, steps=200)',
]
START = re.compile(r"start \((-?[\d.e+-]+), (-?[\d.e+-]+)\)")
# Pixels of the canvas within the first axes that are close to a colour (a path's).
COLOUR_PIXELS = """([el, colour]) => {
    const canvas = el.querySelector('canvas');
    const box = JSON.parse(el.dataset.axes)[0];
    const ratio = canvas.width / JSON.parse(el.dataset.size)[0];
    const data = canvas.getContext('2d').getImageData(
        Math.round(box.left * ratio), Math.round(box.top * ratio),
        Math.round(box.width * ratio), Math.round(box.height * ratio)).data;
    const [r, g, b] = [1, 3, 5].map(i => parseInt(colour.slice(i, i + 2), 16));
    let count = 0;
    for (let i = 0; i < data.length; i += 4) {
        if (data[i + 3] > 200 && Math.abs(data[i] - r) + Math.abs(data[i + 1] - g) + Math.abs(data[i + 2] - b) < 60) count++;
    }
    return count;
}"""


def write_notebook(folder):
    cells = [
        {"id": f"cell-{i}", "cell_type": "code", "metadata": {}, "source": s, "outputs": [], "execution_count": None}
        for i, s in enumerate(CELLS)
    ]
    nb = {
        "cells": cells,
        "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    (folder / NOTEBOOK).write_text(json.dumps(nb), encoding="utf-8")


def test_the_widget_extensions_come_with_their_pip_packages():
    shared = Path(sys.prefix) / "share" / "jupyter" / "labextensions"
    for name in ("ipyevents", "anywidget"):
        assert (shared / name / "package.json").is_file(), f"{name}'s JupyterLab extension is not installed"


def overlay_state(overlay):
    return overlay.evaluate("el => ({...el.dataset})")


def wait_for_revision(page, overlay, after):
    page.wait_for_function(
        "([el, after]) => Number(el.dataset.revision) > after",
        arg=[overlay.element_handle(), after],
        timeout=STEP_TIMEOUT_MS,
    )
    page.wait_for_function(KERNEL_IDLE, timeout=STEP_TIMEOUT_MS)


@pytest.fixture
def explore_page(page, lab):
    write_notebook(lab.root / "notebooks")
    page.goto(lab.notebook_url(NOTEBOOK), timeout=STEP_TIMEOUT_MS)
    run_all_cells(page, Path(NOTEBOOK))
    notebook_id = page.evaluate("() => window.jupyterapp.shell.currentWidget.id")
    cells = page.locator(f'[id="{notebook_id}"] .jp-Notebook .jp-Cell')
    try:
        yield page, cells
    except BaseException:
        page.screenshot(path=SCREENSHOTS / "explore-failure.png")
        raise


def test_click_drag_play_and_overlay(explore_page):
    page, cells = explore_page
    cell = cells.nth(1)
    cell.scroll_into_view_if_needed()
    image = cell.locator("img.widget-image").first
    overlay = cell.locator(".descent-overlay").first
    readout = cell.locator(".widget-html").last
    image.wait_for(state="visible", timeout=STEP_TIMEOUT_MS)
    page.wait_for_function("el => el.dataset.revision !== undefined", arg=overlay.element_handle())
    assert "Error displaying widget" not in cell.inner_text()

    # A click on the surface: the start moves to the data point under the pointer. The point lies in the upper
    # quarter of the axes, so a mapping that forgot that pixel y runs down would land in the lower quarter.
    state = overlay_state(overlay)
    box = json.loads(state["axes"])[0]
    width, _ = json.loads(state["size"])
    shown = image.bounding_box()
    scale = shown["width"] / width  # CSS pixels per image pixel
    target = (-1.0, 2.25)
    (x0, x1), (y0, y1) = box["xlim"], box["ylim"]
    px = box["left"] + (target[0] - x0) / (x1 - x0) * box["width"]
    py = box["top"] + (y1 - target[1]) / (y1 - y0) * box["height"]
    page.mouse.click(shown["x"] + px * scale, shown["y"] + py * scale)
    wait_for_revision(page, overlay, int(state["revision"]))
    x, y = map(float, START.search(readout.inner_text()).groups())
    tolerance = 2 * (x1 - x0) / box["width"]  # two image pixels
    assert abs(x - target[0]) < tolerance and abs(y - target[1]) < tolerance, f"clicked {target}, start ({x}, {y})"
    cell.screenshot(path=SCREENSHOTS / "explore-clicked.png")

    # A drag on η: a new run comes as numbers and the canvas draws it.
    state = overlay_state(overlay)
    before = readout.inner_text()
    eta = cell.locator(".widget-hslider").filter(has=page.locator(".widget-label", has_text=re.compile(r"^η$")))
    drag(page, eta.first, 30)
    wait_for_revision(page, overlay, int(state["revision"]))
    assert readout.inner_text() != before
    assert START.search(readout.inner_text()).groups() == START.search(before).groups(), "η leaves the start alone"

    # Play: the canvas's frame advances without the kernel drawing anything.
    frames = []
    cell.locator(".widget-play button").first.click()
    for _ in range(20):
        page.wait_for_timeout(100)
        frames.append(int(overlay_state(overlay)["frame"]))
    assert len(set(frames)) >= 5 and frames[-1] > frames[0], f"the frames did not advance: {frames}"
    cell.screenshot(path=SCREENSHOTS / "explore-playing.png")

    # Two optimizers: two paths, each in its colour, from one start.
    pair = cells.nth(2)
    pair.scroll_into_view_if_needed()
    overlay = pair.locator(".descent-overlay").first
    page.wait_for_function("el => el.dataset.series === '2'", arg=overlay.element_handle(), timeout=STEP_TIMEOUT_MS)
    for colour in ("#ff5a36", "#00d5ff"):
        count = page.evaluate(COLOUR_PIXELS, [overlay.element_handle(), colour])
        assert count > 50, f"no path in {colour} on the surface ({count} pixels)"
    assert len(pair.locator(".widget-html").last.inner_text().splitlines()) >= 3  # a line per optimizer, the start
    pair.screenshot(path=SCREENSHOTS / "explore-two-optimizers.png")
