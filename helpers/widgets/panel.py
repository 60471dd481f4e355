"""A panel: controls, a picture redrawn by blitting when they move, a readout, Play; clicks that move a start."""

import contextlib
import html
import inspect
import io
import pathlib

import anywidget
import ipyevents
import ipywidgets
import numpy as np
import traitlets
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from PIL import Image as PILImage

from helpers import descent, plotting, surfaces
from helpers._checks import integer
from helpers.widgets.surface import surface_parts

# --------------------------------------------------------------------------- panel


def _same(a, b):
    """Equality for control values, which may be arrays-holding objects (a Surface) that `==` cannot compare."""
    if a is b:
        return True
    if type(a) is not type(b) or not isinstance(a, (bool, int, float, str, tuple)):
        return False
    return a == b


def _same_values(a, b):
    return a is not None and a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)


def _png(canvas):
    """The canvas as PNG bytes: RGB (alpha is opaque anyway) at the fastest zlib level."""
    pixels = np.asarray(canvas.buffer_rgba())[..., :3]
    out = io.BytesIO()
    PILImage.fromarray(pixels).save(out, format="png", compress_level=1)
    return out.getvalue()


def _error_html(message):
    return f'<span style="color:#c0392b">⚠ {html.escape(message)}</span>'


def _readout_html(text):
    """A readout as HTML: a string is HTML already; a list or tuple holds lines of plain text."""
    if isinstance(text, (list, tuple)):
        return "<br>".join(html.escape(str(line)) for line in text)
    return text


class Overlay(anywidget.AnyWidget):
    """A transparent canvas on top of a panel's picture that draws paths and f − f* curves up to `frame`.

    axes: where each axes lies in the picture (plotting.axes_box), the surface's first, the loss curves'
    second. series: one dict per run, {"path", "gaps" (float64 bytes), "colour", "diverged"}.
    """

    _esm = pathlib.Path(__file__).with_name("overlay.js")
    _css = ".descent-overlay { pointer-events: none; } .descent-overlay canvas { width: 100%; height: 100%; }"
    size = traitlets.List([1, 1]).tag(sync=True)
    dpi = traitlets.Float(80.0).tag(sync=True)
    floor = traitlets.Float(descent.FLOOR).tag(sync=True)
    axes = traitlets.List([]).tag(sync=True)
    series = traitlets.List([]).tag(sync=True)
    frame = traitlets.Int(0).tag(sync=True)
    revision = traitlets.Int(0).tag(sync=True)
    controls = traitlets.Dict({}).tag(sync=True, **ipywidgets.widget_serialization)  # what the page forwards


def _as_series(items):
    """The overlay's series from `series(data)`: arrays become float64 bytes, each entry checked."""
    out = []
    for item in items:
        if not isinstance(item, dict) or "path" not in item:
            raise ValueError(
                f'series(data) must return dicts with a "path" (and "gaps", "colour", "diverged"), got {item!r}'
            )
        path = np.asarray(item["path"], dtype=np.float64)
        if path.ndim != 2 or path.shape[1] != 2:
            raise ValueError(f"a series' path must have shape (k + 1, 2), got {path.shape}")
        finite = np.isfinite(path).all(axis=1)
        path = path[: np.argmin(finite) if not finite.all() else len(path)]
        gaps = np.asarray(item.get("gaps", ()), dtype=np.float64).reshape(-1)
        out.append(
            {
                "path": np.ascontiguousarray(path).tobytes(),
                "gaps": np.ascontiguousarray(gaps).tobytes(),
                "colour": str(item.get("colour", plotting.PALETTE[0])),
                "diverged": bool(item.get("diverged", False)),
            }
        )
    return out


class Panel:
    """Controls, a cached figure and the Image widget showing it; see `panel`.

    Display it as the last expression of a cell (or through `.widget`). `render()` redraws now and
    returns the PNG bytes; `controls` holds every control by name (the animation's under "frame").
    """

    forward = True
    """Whether the page sends a moved control's value to the kernel at once through the overlay (overlay.js),
    beside ipywidgets' own sync, which holds it until the kernel has answered the previous change."""

    def __init__(
        self,
        controls,
        compute,
        draw=None,
        background=None,
        static=(),
        readout=None,
        frames=None,
        blit=True,
        figsize=None,
        dpi=80,
        interval_ms=None,
        *,
        surface=None,
        title=None,
        follow=None,
        series=None,
        start=None,
        columns=1,
    ):
        if not isinstance(controls, dict) or not all(isinstance(c, ipywidgets.ValueWidget) for c in controls.values()):
            raise ValueError("controls must be a dict name → ipywidgets control (a slider, a dropdown, …)")
        if "frame" in controls:
            raise ValueError('the control name "frame" is reserved for the animation step')
        if not callable(compute):
            raise ValueError(f"compute must be a function of the controls' values, got {compute!r}")
        takes_start = "start" in inspect.signature(compute).parameters
        start_keys = tuple(inspect.signature(start).parameters) if callable(start) else ()
        if takes_start and start is None and surface is not None:  # a surface panel starts from its surface's start
            if isinstance(surface, surfaces.Surface):
                start = surface.start
            elif callable(surface):
                start_keys = tuple(inspect.signature(surface).parameters)

                def start(**values):
                    return surface(**values).start

        if takes_start and start is None:
            raise ValueError(
                "compute takes start: give the panel's first start=(x, y) (or a function of some controls)"
            )
        if start is not None and not takes_start:
            raise ValueError("start=… is passed to compute, which has no parameter start")
        self._spanned = surface is not None  # a surface panel's loss axes span the steps shown
        if surface is not None:
            if draw is not None or background is not None or series is not None:
                raise ValueError("a surface panel draws its own picture: give surface=… or draw/background, not both")
            compute, series, background, static, frames = surface_parts(compute, frames, surface, static, title)
            columns = 2
        elif title is not None:
            raise ValueError("title is the title of a surface panel; give it with surface=…")
        elif draw is None and series is None:
            raise ValueError("a panel needs draw(ax, data, frame), or surface=… to draw a run's path on a surface")
        elif isinstance(frames, int) and not isinstance(frames, bool):
            raise ValueError("frames as a number of steps caps a surface panel's path; here give frames(data)")
        missing = sorted(set(static) - set(controls))
        if missing:
            raise ValueError(f"static names {', '.join(missing)} are not among the controls ({', '.join(controls)})")
        if series is not None and frames is None:
            raise ValueError("series are drawn up to the animation frame: give frames(data) too")
        unknown = sorted(set(start_keys) - set(controls))
        if unknown:
            raise ValueError(f"start(…) takes {', '.join(unknown)}, not among the controls ({', '.join(controls)})")
        columns = integer("columns", columns, 1, 3)
        self._follow = _checked_follow(follow, controls)
        self.controls = dict(controls)
        self._compute, self._draw, self._background_fn = compute, draw, background
        self._static, self._readout_fn, self._frames_fn, self._blit = tuple(static), readout, frames, blit
        self._series_fn, self._start_fn, self._start_keys = series, start, start_keys
        self._start_inputs = None
        self.start = None  # the point compute gets as `start`; a click on the first axes moves it
        if figsize is None:
            figsize = (8.4, 3.8) if columns == 2 else (5.0, 4.2)
        if interval_ms is None:  # a frame drawn in the browser takes a few milliseconds; one drawn by the kernel more
            interval_ms = 30 if series is not None else 40
        self.figure = Figure(figsize=figsize, dpi=dpi, layout="constrained")
        self._canvas = FigureCanvasAgg(self.figure)
        self.axes = list(self.figure.subplots(1, columns, squeeze=False)[0])
        self.ax = self.axes[0]
        self.image = ipywidgets.Image(format="png", layout=ipywidgets.Layout(grid_area="picture"))
        self.overlay = Overlay(
            dpi=float(dpi),
            controls=dict(controls) if self.forward else {},  # known to the page when the overlay's model is made
            layout=ipywidgets.Layout(grid_area="picture"),
        )
        self.picture = ipywidgets.GridBox(
            [self.image, self.overlay],
            layout=ipywidgets.Layout(grid_template_areas='"picture"', grid_template_columns="max-content"),
        )
        self.events = None
        if takes_start:
            # Image pixels (dataX, dataY) whatever the display scaling; throttled, so a drag sends ≤ 20 a second.
            self.events = ipyevents.Event(
                source=self.image,
                watched_events=["click", "mousedown", "mousemove"],
                throttle_or_debounce="throttle",
                wait=50,
                prevent_default_action=True,
            )
            self.events.on_dom_event(self._pointer)
        self.readout = ipywidgets.HTML()
        self.data = None
        self._inputs = self._static_inputs = None
        self._background = None
        self._dynamic = []
        self._quiet_depth = 0
        self.play = None
        animation = []
        if frames is not None:
            self.play = ipywidgets.Play(value=0, min=0, max=1, step=1, interval=interval_ms, description="play")
            frame = ipywidgets.IntSlider(value=0, min=0, max=1, description="step")
            ipywidgets.link((self.play, "value"), (frame, "value"))  # a kernel-side link: works headless too
            if series is not None:  # a browser-side link: each Play tick redraws the overlay without the kernel
                self._frame_link = ipywidgets.jsdlink((self.play, "value"), (self.overlay, "frame"))
            self.controls["frame"] = frame
            animation = [ipywidgets.HBox([self.play, frame])]
        self.overlay.on_msg(self._forwarded)
        self._names = {id(control): name for name, control in self.controls.items()}
        for control in self.controls.values():
            control.observe(self._changed, names="value")
        shown = [c for name, c in self.controls.items() if name != "frame"]
        self.widget = ipywidgets.HBox(
            [self.picture, ipywidgets.VBox([*shown, *animation, self.readout])],
            layout=ipywidgets.Layout(flex_flow="row wrap", align_items="flex-start"),
        )
        self.render()

    def _repr_mimebundle_(self, **kwargs):
        return self.widget._repr_mimebundle_(**kwargs)

    @contextlib.contextmanager
    def _quiet(self):
        """Change controls without each change triggering a render."""
        self._quiet_depth += 1
        try:
            yield
        finally:
            self._quiet_depth -= 1

    def _changed(self, change):
        if self._quiet_depth:
            return
        name = self._names.get(id(change["owner"]))
        if name in self._follow:
            settings = self._follow[name](change["new"])
            if not isinstance(settings, dict):
                raise ValueError(f"follow[{name!r}] must return a dict control name → value, got {settings!r}")
            unknown = sorted(set(settings) - (set(self.controls) - {"frame"}), key=str)
            if unknown:
                raise ValueError(
                    f"follow[{name!r}] sets {', '.join(map(repr, unknown))}, not among the controls "
                    f"({', '.join(self.values)})"
                )
            with self._quiet():  # the followers move first, then one redraw shows them all
                for other, value in settings.items():
                    self.controls[other].value = value
        self.render()

    @property
    def values(self):
        """The current control values, without the animation frame."""
        return {name: c.value for name, c in self.controls.items() if name != "frame"}

    def _forwarded(self, _, content, buffers):
        """A control's new state, sent by the page the moment a hand moved it (overlay.js): set as ipywidgets would
        set it (no echo to the page, which shows it already), then answered so that the page sends the next."""
        if not isinstance(content, dict) or not isinstance(content.get("control"), str):
            return
        try:
            control = self.controls.get(content["control"]) if content["control"] != "frame" else None
            state = content.get("state")
            if control is not None and isinstance(state, dict) and set(state) <= {"value", "index"}:
                control.set_state(state)
        finally:
            self.overlay.send({"done": True})

    def _pointer(self, event):
        """A click, a press, or a move with the main button held, on the picture: the start moves there."""
        if event.get("type") == "mousemove" and not int(event.get("buttons", 0)) & 1:
            return
        if "dataX" in event and "dataY" in event:
            self.click(event["dataX"], event["dataY"])

    def click(self, px, py):
        """Move the start to the data point under pixel (px, py) of the picture (y runs down) and redraw.

        Returns the new start, or None where the pixel is outside the surface's axes (or the panel has no start).
        """
        if self._start_fn is None:
            return None
        x, y = plotting.pixel_to_data(self.ax, px, py)
        if not plotting.inside(self.ax, x, y):
            return None
        point = (x, y)
        if self.start != point:
            self.start = point
            self.render()
        return point

    def render(self):
        """Recompute if an input changed, redraw the picture, show it and return the PNG bytes.

        A panel with `series` shows only the static part as PNG; the runs go to the overlay as numbers.
        """
        values = self.values
        static = {name: values[name] for name in self._static}
        if self._start_fn is not None:
            keys = {name: values[name] for name in self._start_keys}
            if self.start is None or not _same_values(self._start_inputs, keys):
                self._start_inputs = keys  # a new surface: its own start again
                first = self._start_fn(**keys) if callable(self._start_fn) else self._start_fn
                if first is None:
                    raise ValueError("start(…) must return a point (x, y), got None")
                self.start = tuple(float(v) for v in descent.starting_point(None, first))
            values = {**values, "start": self.start}
        if not _same_values(self._inputs, values):
            self._recompute(values)
        if self._spanned:  # the loss axes run from step 0 to the last step shown
            static["span"] = self.play.max
        if self._background is None or not _same_values(self._static_inputs, static):
            self._rebuild_background(static)
        if self._series_fn is not None:
            png = self.image.value  # the background; the overlay draws the rest
            return png
        for artist in self._dynamic:
            artist.remove()
        self._dynamic = []
        if self._blit:
            self._canvas.restore_region(self._background)
        if self.data is not None:
            frame = self.controls["frame"].value if self.play is not None else None
            self._dynamic = list(self._draw(self.ax, self.data, frame) or [])
        if self._blit:
            for artist in self._dynamic:
                self.ax.draw_artist(artist)
        else:
            self.ax.relim()
            self.ax.autoscale_view()
            self._canvas.draw()
        png = _png(self._canvas)
        self.image.value = png
        return png

    def _recompute(self, values):
        self._inputs = values
        try:
            self.data = self._compute(**values)
            shown = _as_series(self._series_fn(self.data)) if self._series_fn is not None else []
        except ValueError as error:  # an impossible combination of settings is reported, not raised
            self.data = None
            shown = []
            self.readout.value = _error_html(str(error))
        else:
            self.readout.value = _readout_html(self._readout_fn(self.data)) if self._readout_fn is not None else ""
        if self._series_fn is not None:
            with self.overlay.hold_sync():
                self.overlay.series = shown
                self.overlay.revision += 1
        if self.play is not None:
            last = self._frames_fn(self.data) if self.data is not None else 0
            with self._quiet():
                self.play.playing = False
                self.play.max = self.controls["frame"].max = max(last, 1)
                self.controls["frame"].value = last  # a new run is first shown whole

    def _rebuild_background(self, static):
        self._static_inputs = static
        for artist in self._dynamic:
            artist.remove()
        self._dynamic = []
        for ax in self.axes:
            ax.clear()
        if self._background_fn is not None:
            self._background_fn(self.ax, **static)
        for ax in self.axes:
            ax.set_autoscale_on(not self._blit)  # blitted artists must land on the cached axes
        self._canvas.draw()
        self._background = self._canvas.copy_from_bbox(self.figure.bbox)
        with self.overlay.hold_sync():
            self.overlay.size = [int(self.figure.bbox.width), int(self.figure.bbox.height)]
            self.overlay.axes = [plotting.axes_box(ax) for ax in self.axes]
        if self._series_fn is not None:
            self.image.value = _png(self._canvas)


def _checked_follow(follow, controls):
    """{name: function(value) -> {other name: value}}, checked against the controls."""
    if follow is None:
        return {}
    if not isinstance(follow, dict):
        raise ValueError(f"follow must be a dict control name → function, got {follow!r}")
    for name, rule in follow.items():
        if name not in controls:
            raise ValueError(f"follow names {name!r}, which is not among the controls ({', '.join(controls)})")
        if not callable(rule):
            raise ValueError(f"follow[{name!r}] must be a function of the new value, got {rule!r}")
    return dict(follow)


def panel(*args, **kwargs):
    """An interactive picture: controls → `compute` → `draw` onto a cached `background`.

    controls: {name: ipywidgets control}; on every change `compute(**values) -> data` runs (a ValueError
        shows its message in the readout instead of a picture).
    draw(ax, data, frame) -> the artists it added; they are removed before the next draw.
    background(ax, **{name: value for name in static}) draws the static part and fixes the axes limits;
        it is redrawn only when a control named in `static` changes.
    readout(data) -> HTML shown under the controls, or a list of lines of plain text.
    frames(data) -> the last animation frame: adds Play and a step slider, and `draw` gets `frame`
        (otherwise frame is None).
    blit=False redraws the whole figure each time and lets the axes follow the data (loss curves).
    follow: {name: rule}; when control `name` moves, rule(new value) -> {other name: value} sets those
        controls first, and the picture is redrawn once (e.g. κ resets η and μ to their optimum).

    A run on a surface needs no draw or background: give `surface` (a Surface, or a function of the
    controls it depends on, which become `static`), and let `compute` return the run (a Trajectory
    from optim.run) or a dict holding it under "run". The panel draws the path on the contours and
    f − f* on a log scale beside it, both in the browser (as `series`), with Play; `frames`, if given, is
    the most steps shown; `title` is a string or a function of the static controls (default: the
    surface's name). `draw_path(ax, …, loss_ax=…)` draws the same picture on axes you own.
    start: if `compute` takes a parameter `start`, the first start — a point (x, y), or a function of some
        controls (a surface chooser) that gives each surface its own; a click or a drag on the first axes
        moves it there, and compute runs again with `start` = that data point.
    series(data) -> [{"path": (k + 1, 2), "gaps": f − f* per step, "colour", "diverged"}, …]: the moving part
        drawn in the browser on top of the background (paths on the first axes, gaps on the second, each up
        to the Play frame), so that Play needs no round trip to the kernel; needs `frames`, and `draw` may be None.
    columns: axes side by side in the figure (`background` finds them in ax.figure.axes).
    figsize: (5, 4.2) inches for one axes, (8.4, 3.8) for a surface panel; interval_ms: Play's, 30 ms where
        the browser draws the frames (`series`, a surface panel), else 40.
    """
    return Panel(*args, **kwargs)


panel.__signature__ = inspect.signature(Panel)  # help() and tab completion show every argument
