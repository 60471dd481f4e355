"""The panels in a real browser: JupyterLab runs each notebook that has one, η is dragged, the picture changes.

Unit tests (tests/test_widgets.py) prove the kernel side; this proves the page: the widget views
render (no "model not found"), a drag on the slider reaches the kernel and a new picture comes back
(a PNG, or for `explore` and the surface panels a new run drawn by the canvas on top of it). In the panels of
CLICKABLE a click on the surface moves the start and redraws. Screenshots land in tests/browser/screenshots/.
"""

import base64
import contextlib
import json
import re
import time
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = Path(__file__).resolve().parent / "screenshots"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
PANEL_CALL = re.compile(r"\bwidgets\.(explore|panel)\(")
RUN_ALL_TIMEOUT_MS = (
    480_000  # quick mode: < 30 s for a 2-D notebook on 2 cores, < 3 min with MNIST; room for a busy machine
)
STEP_TIMEOUT_MS = 60_000
DRAG_PX = 30
PANEL_ERROR = "⚠"  # how helpers.widgets shows a ValueError of the panel's compute in its readout
# The panels (numbered in the notebook's order) where a click on the surface moves the start: every panel of
# notebooks 00–08 that draws a path on a 2-D surface.
CLICKABLE = {
    "00_start_here.ipynb": {0},
    "01_gradient_descent.ipynb": {0},
    "02_sgd_and_minibatches.ipynb": {0},
    "03_momentum_and_nesterov.ipynb": {0, 1},
    "04_adagrad.ipynb": {0},
    "05_rmsprop.ipynb": {0},
    "06_adam_and_adamw.ipynb": {0},
    "07_optimizer_race.ipynb": {0},
    "08_learning_rate_schedules.ipynb": {0},
}

CURRENT = "window.jupyterapp?.shell?.currentWidget"  # undefined until JupyterLab has loaded
KERNEL_IDLE = f"() => {CURRENT}?.sessionContext?.session?.kernel?.status === 'idle'"
RUN_ALL = """() => {
    window.runAllResult = undefined;
    window.jupyterapp.commands.execute('notebook:run-all-cells').then(
        ok => { window.runAllResult = {ok}; }, error => { window.runAllResult = {error: String(error)}; });
}"""
# What each code cell shows after the run: its prompt number, its errors and its stderr.
CELL_REPORTS = f"""() => {CURRENT}.content.widgets.filter(cell => cell.model.type === 'code').map(cell => {{
    const outputs = cell.model.outputs.toJSON();
    return {{
        source: cell.model.sharedModel.getSource().slice(0, 200),
        count: cell.model.executionCount,
        errors: outputs.filter(o => o.output_type === 'error').map(o => `${{o.ename}}: ${{o.evalue}}`),
        stderr: outputs.filter(o => o.output_type === 'stream' && o.name === 'stderr').map(o => [].concat(o.text).join('')),
    }};
}})"""
IMAGE_BYTES = """async img => {
    const bytes = new Uint8Array(await (await fetch(img.src)).arrayBuffer());
    let binary = '';
    for (let i = 0; i < bytes.length; i += 8192) binary += String.fromCharCode(...bytes.subarray(i, i + 8192));
    return {src: img.src, png: btoa(binary)};
}"""


def panel_cells(path):
    """Indices (among all cells) of the cells that show a panel."""
    nb = nbformat.read(path, as_version=4)
    return [i for i, cell in enumerate(nb.cells) if cell.cell_type == "code" and PANEL_CALL.search(cell.source)]


NOTEBOOKS_WITH_PANELS = [path for path in sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")) if panel_cells(path)]


def image_now(image):
    shown = image.evaluate(IMAGE_BYTES)
    return shown["src"], base64.b64decode(shown["png"])


def picture_state(image, overlay):
    """What changes when the picture does: the PNG's address and the canvas's run (its revision)."""
    return image.evaluate("img => img.src"), overlay.evaluate("el => el.dataset.revision")


def settled_picture(page, image, overlay, before):
    """Once the picture changed after an action and the kernel is idle again: (PNG bytes, revision)."""
    deadline = time.monotonic() + STEP_TIMEOUT_MS / 1000
    while picture_state(image, overlay) == before:
        if time.monotonic() > deadline:
            pytest.fail(f"no new picture within {STEP_TIMEOUT_MS // 1000} s")
        page.wait_for_timeout(100)
    page.wait_for_function(KERNEL_IDLE, timeout=STEP_TIMEOUT_MS)
    page.wait_for_timeout(400)
    return image_now(image)[1], overlay.evaluate("el => el.dataset.revision")


def click_on_surface(page, image, overlay):
    """Click a quarter of the way in from the top-left corner of the surface's axes."""
    box = json.loads(overlay.evaluate("el => el.dataset.axes"))[0]
    width = json.loads(overlay.evaluate("el => el.dataset.size"))[0]
    shown = image.bounding_box()
    scale = shown["width"] / width
    page.mouse.click(
        shown["x"] + (box["left"] + box["width"] / 4) * scale, shown["y"] + (box["top"] + box["height"] / 4) * scale
    )


def drag(page, slider, distance):
    """Drag the slider's handle `distance` pixels toward the end of its track with more room."""
    handle, track = (
        slider.locator(".noUi-handle").first.bounding_box(),
        slider.locator(".noUi-base").first.bounding_box(),
    )
    x, y = handle["x"] + handle["width"] / 2, handle["y"] + handle["height"] / 2
    dx = distance if x < track["x"] + track["width"] / 2 else -distance
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x + dx, y, steps=8)
    page.mouse.up()


def run_all_cells(page, path):
    page.wait_for_function(f"() => {CURRENT}?.context?.isReady", timeout=STEP_TIMEOUT_MS)
    page.evaluate("() => window.jupyterapp.shell.collapseLeft()")  # the file browser's width goes to the notebook
    page.wait_for_function(KERNEL_IDLE, timeout=STEP_TIMEOUT_MS)
    page.evaluate(RUN_ALL)
    page.wait_for_function("() => window.runAllResult !== undefined", timeout=RUN_ALL_TIMEOUT_MS)
    result = page.evaluate("() => window.runAllResult")
    cells = page.evaluate(CELL_REPORTS)
    problems = [
        f"{cell['source']!r}\n  " + "\n  ".join(cell["errors"] + cell["stderr"])
        for cell in cells
        if cell["errors"] or cell["stderr"]
    ]
    assert not problems, f"{path.name}: cells show errors or warnings:\n" + "\n".join(problems)
    assert result == {"ok": True}, f"{path.name}: running all cells did not succeed: {result}"
    assert all(cell["count"] is not None for cell in cells), f"{path.name}: not every cell ran"


def test_every_panel_on_a_surface_in_00_to_08_is_clicked():
    two_d = [path for path in NOTEBOOKS_WITH_PANELS if int(path.name[:2]) <= 8]
    assert {path.name: set(range(len(panel_cells(path)))) for path in two_d} == CLICKABLE


@pytest.mark.parametrize("path", NOTEBOOKS_WITH_PANELS, ids=lambda path: path.name)
def test_dragging_eta_redraws_every_panel(page, lab, path):
    page.goto(lab.notebook_url(path.name), timeout=STEP_TIMEOUT_MS)
    try:
        run_all_cells(page, path)
        notebook_id = page.evaluate(f"() => {CURRENT}.id")
        rendered = page.locator(f'[id="{notebook_id}"] .jp-Notebook .jp-Cell')
        for number, index in enumerate(panel_cells(path)):
            cell = rendered.nth(index)
            cell.scroll_into_view_if_needed()
            image = cell.locator("img.widget-image").first
            image.wait_for(state="visible", timeout=STEP_TIMEOUT_MS)
            shown = cell.locator(".jp-OutputArea-output", has=page.locator("img.widget-image"))
            assert "Error displaying widget" not in shown.inner_text()
            assert PANEL_ERROR not in shown.inner_text(), (
                f"the panel reports an error at its defaults:\n{shown.inner_text()}"
            )
            sliders = cell.locator(".widget-hslider >> visible=true")  # κ is hidden unless the quadratic is chosen
            eta = sliders.filter(has=page.locator(".widget-label", has_text=re.compile(r"^η")))  # "η", "η adam", …
            slider = eta.first if eta.count() else sliders.first  # a custom panel without η: its first slider
            readout = slider.locator(".widget-readout")
            stem = f"{path.stem}-panel{number}"
            shown.screenshot(path=SCREENSHOTS / f"{stem}-before.png")
            overlay = cell.locator(".descent-overlay").first
            overlay.wait_for(state="attached", timeout=STEP_TIMEOUT_MS)
            in_browser = overlay.evaluate("el => Number(el.dataset.series || 0) > 0")  # explore: runs as numbers
            before = picture_state(image, overlay)
            png_before = image_now(image)[1]
            value_before, readout_before = readout.inner_text(), shown.inner_text()

            drag(page, slider, DRAG_PX)
            png_after, revision = settled_picture(page, image, overlay, before)

            shown.screenshot(path=SCREENSHOTS / f"{stem}-after.png")
            assert readout.inner_text() != value_before, "the drag moved the slider"
            assert png_before.startswith(PNG_SIGNATURE) and png_after.startswith(PNG_SIGNATURE)
            if in_browser:
                assert revision != before[1] and shown.inner_text() != readout_before, "a new run came"
            else:
                assert png_after != png_before, "the picture changed with the slider"
            assert "Error displaying widget" not in shown.inner_text()

            if number in CLICKABLE.get(path.name, ()):
                before = picture_state(image, overlay)
                click_on_surface(page, image, overlay)
                settled_picture(page, image, overlay, before)
                shown.screenshot(path=SCREENSHOTS / f"{stem}-clicked.png")
    except BaseException:
        with contextlib.suppress(Exception):  # the failure itself is what must be reported
            page.screenshot(path=SCREENSHOTS / f"{path.stem}-failure.png")
        raise
    page.screenshot(path=SCREENSHOTS / f"{path.stem}.png")
