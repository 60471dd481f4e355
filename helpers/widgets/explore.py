"""`explore`: one to three optimizers on a surface, f − f* beside the paths, a slider for each hyperparameter."""

import functools
import html

import ipywidgets
import numpy as np

from helpers import descent, optim, plotting, surfaces
from helpers._checks import integer, real
from helpers.widgets.controls import choice_slider, log_slider, slider
from helpers.widgets.panel import _same, panel
from helpers.widgets.surface import _draw_surface

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


def _swatch(colour):
    return f'<span style="color:{colour};text-shadow:0 0 1px #000">■</span>'


def explore(surface="rosenbrock", optimizer="adam", steps=200, kappa=10.0, start=None, **hparams):
    """Sliders for an optimizer's hyperparameters, its path on a loss surface with f − f* beside it, and Play.

    surface: a name from surfaces.NAMES or a Surface (a dropdown switches between them; κ has a
        slider while "quadratic" is chosen).
    optimizer: a name from optim.FACTORIES or an Optimizer; or two or three side by side, from the same start,
        each in its own colour with its own η slider and readout line: a list (``["sgd", "adam"]``,
        ``[optim.sgd(lr=1e-3, momentum=0.9), "adam"]``) or a dict {label: optimizer} (see descent.lineup).
    hparams: starting values for a single optimizer (e.g. lr=0.01, betas=(0.9, 0.99)); those without a
        slider stay fixed. Missing ones come from descent.default_hparams, which makes the opening
        picture informative.
    start: the first θ₀ (default: the surface's own). Click or drag on the surface to move it.
    The right-hand picture is f − f* on a log scale against the step, where linear convergence is a straight
    line; the dotted cursor is Play's step. The readout gives each run's final gap, the step where it fell
    below descent.TOLERANCE, and where it diverged.
    """
    chosen = descent.surface_named(surface)
    entrants = descent.lineup(optimizer, chosen, **hparams)
    steps = integer("steps", steps, 1)
    real("kappa (κ)", kappa, 1.0)
    first_start = descent.starting_point(chosen, start)
    several = len(entrants) > 1
    colours = plotting.COMPARED if several else plotting.PALETTE[:1]
    for entrant in entrants:
        if "betas" in entrant.hparams:
            entrant.hparams["beta1"], entrant.hparams["beta2"] = entrant.hparams.pop("betas")
    # One optimizer: a slider per hyperparameter of SLIDERS. Several: one η slider each, the rest fixed.
    on_sliders = [SLIDERS[e.optimizer] if not several else ("lr",) for e in entrants]

    options = [(n, chosen if chosen.name == n and not isinstance(surface, str) else n) for n in surfaces.NAMES]
    if chosen.name not in surfaces.NAMES:
        options.append((chosen.name, chosen))
    initial = next(value for label, value in options if label == chosen.name)
    controls = {"surface": ipywidgets.Dropdown(options=options, value=initial, description="surface")}
    controls["kappa"] = log_slider("κ", kappa, 1.0, 1000.0)
    keys = []  # (control name, entrant index, hyperparameter)
    for i, (entrant, names) in enumerate(zip(entrants, on_sliders)):
        for name in names:
            key = name if not several else f"{name}_{i}"
            controls[key] = _hparam_slider(name, entrant.hparams[name])
            if several:
                controls[key].description = f"η {entrant.label}"
                controls[key].style.description_width = "initial"
            keys.append((key, i, name))
    controls["steps"] = ipywidgets.IntSlider(value=steps, min=1, max=max(1000, steps), description="steps")

    def show_kappa(value):
        controls["kappa"].layout.display = None if value == "quadratic" else "none"

    show_kappa(initial)
    controls["surface"].observe(lambda change: show_kappa(change["new"]), names="value")

    def compute(surface, kappa, steps, start, **slider_values):
        chosen = _surface(surface, kappa)
        runs = {}
        for i, entrant in enumerate(entrants):
            settings = {**entrant.hparams, **{name: slider_values[key] for key, j, name in keys if j == i}}
            if "beta1" in settings:
                settings["betas"] = (settings.pop("beta1"), settings.pop("beta2"))
            opt = optim.get(entrant.optimizer, **settings)
            runs[entrant.label] = optim.run(opt, chosen.grad, np.asarray(start), steps)
        return {"surface": chosen, "runs": runs, "start": start}

    first_kappa = controls["kappa"].value

    def first_point(surface, kappa):
        """The given start on the opening surface; any other surface starts from its own."""
        if _same(surface, initial) and (kappa == first_kappa or not _same(surface, "quadratic")):
            return first_start
        return _surface(surface, kappa).start

    def background(ax, surface, kappa, steps):
        chosen = _surface(surface, kappa)
        _draw_surface(ax, chosen, f"{' vs '.join(e.label for e in entrants)} on {chosen.name}")
        loss_ax = ax.figure.axes[1]
        plotting.gap_axes(loss_ax, chosen, steps)
        loss_ax.set_title("f − f* on a log scale", fontsize="medium")

    def series(data):
        return [
            {
                "path": run.path,
                "gaps": descent.gaps(data["surface"], run),
                "colour": colour,
                "diverged": bool(run.diverged),
            }
            for run, colour in zip(data["runs"].values(), colours)
        ]

    def readout(data):
        lines = []
        for (label, run), colour in zip(data["runs"].items(), colours):
            text = descent.summary(data["surface"], run)
            lines.append(f"{_swatch(colour)} {html.escape(label + ': ' if several else '')}{html.escape(text)}")
        x, y = data["start"]
        lines.append(f"start ({x:.3g}, {y:.3g}) · click or drag on the surface to move it")
        return "<br>".join(lines)

    return panel(
        controls,
        compute,
        None,
        background,
        static=("surface", "kappa", "steps"),
        readout=readout,
        frames=lambda data: max(len(run.path) for run in data["runs"].values()) - 1,
        figsize=(8.4, 3.8),
        interval_ms=30,
        series=series,
        start=first_point,
        columns=2,
    )
