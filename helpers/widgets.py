"""Sliders that redraw a picture: `panel` for any figure, `explore` for an optimizer on a surface.

    explore("rosenbrock", "adam")             # η, β₁, β₂, ε, steps, a surface chooser, Play
    explore("quadratic", "sgd", kappa=30, lr=0.05)
    panel({"lr": log_slider("η", 0.1, 1e-3, 1.0)}, my_run, surface=bowl)  # my_run(lr) -> a Trajectory

`panel(..., surface=...)` is the panel of a lesson's own run on a surface: `compute` returns the run,
the panel draws its path on the contours and animates it. `draw_path` draws the same picture on an
`ax` you own, for the static figure that comes before the panel.

A panel draws into its own Agg figure (never pyplot, so nothing is shown twice) and sends the pixels
to one Image widget as PNG. The static part — contours — is rendered once and cached as a bitmap;
a slider change restores that bitmap and draws only the moving artists (blitting), so a redraw costs
a few milliseconds, not a full figure render.
"""

import contextlib
import functools
import html
import inspect
import io
import math

import ipywidgets
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from PIL import Image as PILImage

from helpers import descent, optim, plotting, surfaces
from helpers._checks import integer, real

# --------------------------------------------------------------------------- controls


def _bounds(description, low, high, log=False):
    """The finite bounds low < high of a slider (both > 0 on a log scale), or a ValueError naming them."""
    low, high = real(f"{description}: the lower bound", low), real(f"{description}: the upper bound", high)
    if log and low <= 0:
        raise ValueError(f"{description}: a log-scale slider needs a lower bound > 0, got {low!r}")
    if low >= high:
        raise ValueError(f"{description}: the lower bound {low!r} must be below the upper bound {high!r}")
    return low, high


def log_slider(description, value, low, high, step=0.05, readout_format=".2g"):
    """A FloatLogSlider from `low` to `high` (widened to whole decades that hold `value`)."""
    low, high = _bounds(description, low, high, log=True)
    value = real(description, value)
    if value <= 0:
        raise ValueError(f"{description} must be > 0 on a log-scale slider, got {value!r}")
    return ipywidgets.FloatLogSlider(
        value=value,
        base=10,
        step=step,
        description=description,
        readout_format=readout_format,
        min=math.floor(math.log10(min(low, value))),
        max=math.ceil(math.log10(max(high, value))),
    )


def slider(description, value, low, high, step=0.01, readout_format=".2f"):
    """A FloatSlider from `low` to `high`, widened to hold `value`."""
    low, high = _bounds(description, low, high)
    value = real(description, value)
    return ipywidgets.FloatSlider(
        value=value,
        min=min(low, value),
        max=max(high, value),
        step=step,
        description=description,
        readout_format=readout_format,
    )


def choice_slider(description, value, options):
    """A SelectionSlider over the numbers `options`; `value` is added if it is not among them."""
    value = real(description, value)
    values = sorted({*map(float, options), value})
    return ipywidgets.SelectionSlider(options=[(f"{v:g}", v) for v in values], value=value, description=description)


def int_slider(description, value, low, high, step=1):
    """An IntSlider from `low` to `high` in steps of `step`, widened to hold `value`."""
    low = integer(f"{description}: the lower bound", low)
    high = integer(f"{description}: the upper bound", high)
    if low >= high:
        raise ValueError(f"{description}: the lower bound {low!r} must be below the upper bound {high!r}")
    value = integer(description, value)
    step = integer(f"{description}: the step", step, 1)
    return ipywidgets.IntSlider(
        value=value, min=min(low, value), max=max(high, value), step=step, description=description
    )


def _options(description, options, value):
    """(label, value) pairs from a dict label → value or a list of values, and the chosen value."""
    if isinstance(options, dict):
        pairs = list(options.items())
    elif isinstance(options, (list, tuple, range)):
        pairs = [(str(option), option) for option in options]
    else:
        raise ValueError(f"{description}: options must be a dict label → value or a list of values, got {options!r}")
    if not pairs:
        raise ValueError(f"{description}: options must not be empty")
    labels = [label for label, _ in pairs]
    if not all(isinstance(label, str) for label in labels):
        raise ValueError(f"{description}: option labels must be strings, got {labels!r}")
    if len(set(labels)) < len(labels):
        raise ValueError(f"{description}: option labels must differ, got {labels!r}")
    values = [option for _, option in pairs]
    if value is None:
        return pairs, values[0]
    if not any(value == option and type(value) is type(option) for option in values):
        raise ValueError(f"{description}: the value {value!r} is not among the options ({', '.join(labels)})")
    return pairs, value


def toggle(description, options, value=None):
    """One button per option, one of them pressed: `options` is a dict label → value or a list of values.

    `value` (default: the first option's) must be among the options' values.
        toggle("method", {"heavy ball": "heavy_ball", "Nesterov": "nesterov"})
    """
    pairs, value = _options(description, options, value)
    return ipywidgets.ToggleButtons(options=pairs, value=value, description=description)


def dropdown(description, options, value=None):
    """A drop-down list, for more options than buttons would fit; the arguments are those of `toggle`."""
    pairs, value = _options(description, options, value)
    return ipywidgets.Dropdown(options=pairs, value=value, description=description)


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


# --------------------------------------------------------------------------- a run on a surface


def _run_of(data):
    """The Trajectory in what a surface panel's `compute` returned: the data itself, or its "run"."""
    run = data.get("run") if isinstance(data, dict) else data
    if not isinstance(run, optim.Trajectory):
        raise ValueError(
            "compute must return the run (a Trajectory from optim.run) or a dict holding it under "
            f'"run", got {type(data).__name__}'
        )
    return run


def _draw_surface(ax, surface, title):
    plotting.contour(ax, surface)
    if title:
        ax.set_title(title, fontsize="medium")


def _draw_frame(ax, run, frame=None):
    """θ₀ … θ_frame of a single run (all of it for None), and a red ✗ if the run diverged and is shown whole."""
    last = len(run.path) - 1
    frame = last if frame is None else min(frame, last)
    diverged = frame == last and bool(run.diverged)
    return plotting.trajectory(ax, run.path[: frame + 1], color=plotting.PALETTE[0], diverged=diverged)


def draw_path(ax, surface, data, frame=None, title=None):
    """The picture of `panel(..., surface=...)`, drawn on an `ax` you own: contours, the path, a title.

    data: what the panel's `compute` returns, a Trajectory or a dict holding one under "run".
    frame: the last step shown (the whole run for None; a larger number is the whole run too), as the
        panel's `frames` cap. title: as the panel's, a string; None shows the surface's name.
    Called with the panel's opening values, it is the static figure that comes before the panel.
    Returns the path's artists.
    """
    if not isinstance(surface, surfaces.Surface):
        raise ValueError(f"surface must be a Surface, got {type(surface).__name__}")
    if frame is not None:
        frame = integer("frame", frame, 0)
    run = _run_of(data)
    _draw_surface(ax, surface, surface.name if title is None else title)
    return _draw_frame(ax, run, frame)


class Panel:
    """Controls, a cached figure and the Image widget showing it; see `panel`.

    Display it as the last expression of a cell (or through `.widget`). `render()` redraws now and
    returns the PNG bytes; `controls` holds every control by name (the animation's under "frame").
    """

    def __init__(
        self,
        controls,
        compute,
        draw,
        background=None,
        static=(),
        readout=None,
        frames=None,
        blit=True,
        figsize=(5.0, 4.2),
        dpi=80,
        interval_ms=40,
        *,
        surface=None,
        title=None,
        follow=None,
    ):
        if not isinstance(controls, dict) or not all(isinstance(c, ipywidgets.ValueWidget) for c in controls.values()):
            raise ValueError("controls must be a dict name → ipywidgets control (a slider, a dropdown, …)")
        if "frame" in controls:
            raise ValueError('the control name "frame" is reserved for the animation step')
        if not callable(compute):
            raise ValueError(f"compute must be a function of the controls' values, got {compute!r}")
        if surface is not None:
            compute, draw, background, static, frames = _surface_parts(
                compute, draw, background, static, frames, surface, title
            )
        elif title is not None:
            raise ValueError("title is the title of a surface panel; give it with surface=…")
        elif draw is None:
            raise ValueError("a panel needs draw(ax, data, frame), or surface=… to draw a run's path on a surface")
        elif isinstance(frames, int) and not isinstance(frames, bool):
            raise ValueError("frames as a number of steps caps a surface panel's path; here give frames(data)")
        missing = sorted(set(static) - set(controls))
        if missing:
            raise ValueError(f"static names {', '.join(missing)} are not among the controls ({', '.join(controls)})")
        self._follow = _checked_follow(follow, controls)
        self.controls = dict(controls)
        self._compute, self._draw, self._background_fn = compute, draw, background
        self._static, self._readout_fn, self._frames_fn, self._blit = tuple(static), readout, frames, blit
        self.figure = Figure(figsize=figsize, dpi=dpi, layout="constrained")
        self._canvas = FigureCanvasAgg(self.figure)
        self.ax = self.figure.add_subplot()
        self.image = ipywidgets.Image(format="png")
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
            self.controls["frame"] = frame
            animation = [ipywidgets.HBox([self.play, frame])]
        self._names = {id(control): name for name, control in self.controls.items()}
        for control in self.controls.values():
            control.observe(self._changed, names="value")
        shown = [c for name, c in self.controls.items() if name != "frame"]
        self.widget = ipywidgets.HBox([self.image, ipywidgets.VBox([*shown, *animation, self.readout])])
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

    def render(self):
        """Recompute if an input changed, redraw the picture, show it and return the PNG bytes."""
        values = self.values
        if not _same_values(self._inputs, values):
            self._recompute(values)
        static = {name: values[name] for name in self._static}
        if self._background is None or not _same_values(self._static_inputs, static):
            self._rebuild_background(static)
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
        except ValueError as error:  # an impossible combination of settings is reported, not raised
            self.data = None
            self.readout.value = _error_html(str(error))
        else:
            self.readout.value = _readout_html(self._readout_fn(self.data)) if self._readout_fn is not None else ""
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
        self.ax.clear()
        if self._background_fn is not None:
            self._background_fn(self.ax, **static)
        self.ax.set_autoscale_on(not self._blit)  # blitted artists must land on the cached axes
        self._canvas.draw()
        self._background = self._canvas.copy_from_bbox(self.figure.bbox)


def _surface_parts(compute, draw, background, static, frames, surface, title):
    """compute, draw, background, static and frames of a panel that draws a run's path on `surface`."""
    if draw is not None or background is not None:
        raise ValueError("a surface panel draws its own picture: give surface=… or draw/background, not both")
    if isinstance(surface, surfaces.Surface):
        if static:
            raise ValueError("static names the controls a surface depends on; this surface is fixed")

        def surface_for(**_):
            return surface

    elif callable(surface):
        surface_for = surface
        static = tuple(static) or tuple(inspect.signature(surface).parameters)
    else:
        raise ValueError(f"surface must be a Surface or a function of static controls returning one, got {surface!r}")
    if title is not None and not isinstance(title, str) and not callable(title):
        raise ValueError(f"title must be a string or a function of the static controls, got {title!r}")
    if frames is None or (isinstance(frames, int) and not isinstance(frames, bool)):
        most = math.inf if frames is None else integer("frames", frames, 1)

        def frames(data):  # the whole run, or its first `most` steps
            return min(len(_run_of(data).path) - 1, most)

    elif not callable(frames):
        raise ValueError(f"frames must be a number of steps or a function of the data, got {frames!r}")

    def checked_compute(**values):
        data = compute(**values)
        _run_of(data)  # a wrong return value shows in the readout, naming what was expected
        return data

    def draw_run(ax, data, frame):
        return _draw_frame(ax, _run_of(data), frame)

    def background_of(ax, **values):
        chosen = surface_for(**values)
        if not isinstance(chosen, surfaces.Surface):
            raise ValueError(f"surface(…) must return a Surface, got {type(chosen).__name__}")
        shown = title(**values) if callable(title) else title
        _draw_surface(ax, chosen, chosen.name if shown is None else shown)

    return checked_compute, draw_run, background_of, static, frames


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


def panel(
    controls,
    compute,
    draw=None,
    background=None,
    static=(),
    readout=None,
    frames=None,
    blit=True,
    figsize=(5.0, 4.2),
    dpi=80,
    interval_ms=40,
    *,
    surface=None,
    title=None,
    follow=None,
):
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
    from optim.run) or a dict holding it under "run". The panel draws the path on the contours with
    Play; `frames`, if given, is the most steps shown; `title` is a string or a function of the
    static controls (default: the surface's name). `draw_path` draws the same picture on your own ax.
    """
    return Panel(
        controls,
        compute,
        draw,
        background,
        static,
        readout,
        frames,
        blit,
        figsize,
        dpi,
        interval_ms,
        surface=surface,
        title=title,
        follow=follow,
    )


# --------------------------------------------------------------------------- explore

# The hyperparameters on sliders, per optimizer; the rest stay as given. β₁ and β₂ get one slider each.
SLIDERS = {
    "sgd": ("lr", "momentum"),
    "adagrad": ("lr", "eps"),
    "rmsprop": ("lr", "alpha", "eps"),
    "adam": ("lr", "beta1", "beta2", "eps"),
    "adamw": ("lr", "beta1", "beta2", "eps"),
}

_DECAY_RATES = (0.5, 0.9, 0.95, 0.99, 0.995, 0.999, 0.9999)


def _hparam_slider(name, value):
    if name == "lr":
        return log_slider("η", value, 1e-5, 10.0)
    if name == "momentum":
        return slider("μ", value, 0.0, 0.99)
    if name == "beta1":
        return slider("β₁", value, 0.0, 0.99)
    if name == "beta2":
        return choice_slider("β₂", value, _DECAY_RATES)
    if name == "alpha":
        return choice_slider("ρ", value, _DECAY_RATES[:-1])
    return log_slider("ε", value, 1e-12, 1e3, step=1.0, readout_format=".0e")  # whole decades, up to ε ≫ 1


def _surface(choice, kappa):
    """The dropdown's Surface, or the named one; κ matters only to "quadratic"."""
    if isinstance(choice, surfaces.Surface):
        return choice
    return _named_surface(choice, kappa if choice == "quadratic" else None)


@functools.lru_cache(maxsize=16)
def _named_surface(name, kappa):
    # Kept alive here so that choosing a surface again finds its contour grid cached.
    return surfaces.quadratic(kappa=kappa) if name == "quadratic" else surfaces.get(name)


def explore(surface="rosenbrock", optimizer="adam", steps=200, kappa=10.0, **hparams):
    """Sliders for an optimizer's hyperparameters, its path on a loss surface, and Play to animate it.

    surface: a name from surfaces.NAMES or a Surface (a dropdown switches between them; κ has a
        slider while "quadratic" is chosen). optimizer: a name from optim.FACTORIES or an Optimizer.
    hparams: starting values (e.g. lr=0.01, betas=(0.9, 0.99)); those without a slider stay fixed.
        Missing ones come from descent.default_hparams, which makes the opening picture informative.
    The readout gives the final gap f − f*, the step where it fell below descent.TOLERANCE, and
    where the run diverged.
    """
    chosen = descent.surface_named(surface)
    name, start = descent.settings(optimizer, chosen, **hparams)
    steps = integer("steps", steps, 1)
    real("kappa (κ)", kappa, 1.0)
    if "betas" in start:
        start["beta1"], start["beta2"] = start.pop("betas")
    on_sliders = SLIDERS[name]
    fixed = {k: v for k, v in start.items() if k not in on_sliders}

    options = [(n, chosen if chosen.name == n and not isinstance(surface, str) else n) for n in surfaces.NAMES]
    if chosen.name not in surfaces.NAMES:
        options.append((chosen.name, chosen))
    initial = next(value for label, value in options if label == chosen.name)
    controls = {"surface": ipywidgets.Dropdown(options=options, value=initial, description="surface")}
    controls["kappa"] = log_slider("κ", kappa, 1.0, 1000.0)
    controls.update({k: _hparam_slider(k, start[k]) for k in on_sliders})
    controls["steps"] = ipywidgets.IntSlider(value=steps, min=1, max=max(1000, steps), description="steps")

    def show_kappa(value):
        controls["kappa"].layout.display = None if value == "quadratic" else "none"

    show_kappa(initial)
    controls["surface"].observe(lambda change: show_kappa(change["new"]), names="value")

    def compute(surface, kappa, steps, **slider_values):
        if "beta1" in slider_values:
            slider_values["betas"] = (slider_values.pop("beta1"), slider_values.pop("beta2"))
        chosen = _surface(surface, kappa)
        opt = optim.get(name, **fixed, **slider_values)
        return chosen, optim.run(opt, chosen.grad, chosen.start, steps)

    def background(ax, surface, kappa):
        chosen = _surface(surface, kappa)
        _draw_surface(ax, chosen, f"{name} on {chosen.name}")

    def draw(ax, data, frame):
        _, run = data
        return _draw_frame(ax, run, frame)

    def readout(data):
        chosen, run = data
        return html.escape(descent.summary(chosen, run))

    return panel(
        controls,
        compute,
        draw,
        background,
        static=("surface", "kappa"),
        readout=readout,
        frames=lambda data: len(data[1].path) - 1,
    )
