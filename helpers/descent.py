"""Running an optimizer on a 2-D surface: the settings of the course's default pictures, the run, its summary.

    surface = surfaces.rosenbrock()
    run = descend(surface, "adam", steps=200)      # default η for Adam on Rosenbrock
    print(summary(surface, run))                   # "final f − f* = 0.0312 · f − f* < 1e-06 not reached"
    explored = explore_run("rosenbrock", "adam")   # what widgets.explore opens with; plotting.draw_explore draws it
    explore_run("rosenbrock", ["sgd", "adam"])     # two optimizers side by side, from the same start
    gaps(surface, run)                             # f(θₜ) − f* step by step, up to the first non-finite value

Everything here is numpy; drawing lives in `plotting`, sliders in `widgets`.
"""

import inspect
from typing import NamedTuple

import numpy as np

from helpers import optim, roundoff, surfaces

TOLERANCE = 1e-6
"""A run has converged (a race's run succeeds) once f(θ) − f* < TOLERANCE, f* the surface's `f_star`."""

FLOOR = 1e-16
"""Loss curves on a log scale draw f − f* below FLOOR (zero included) at FLOOR."""

MAX_COMPARED = 3
"""At most this many optimizers side by side on one surface: more paths than that hide each other."""

# η that makes the default picture of each optimizer on each surface worth looking at:
# the run gets close to a minimum within 200 steps, yet the path still shows the optimizer's character.
DEFAULT_LR = {
    "sgd": {
        "quadratic": 0.15,
        "rosenbrock": 1e-3,
        "beale": 0.01,
        "himmelblau": 0.01,
        "saddle": 0.05,
        "multi_minimum": 0.1,
        "plateau": 0.1,
        "cliff": 0.1,
    },
    "adagrad": {
        "quadratic": 1.0,
        "rosenbrock": 0.2,
        "beale": 0.5,
        "himmelblau": 0.5,
        "saddle": 0.5,
        "multi_minimum": 0.5,
        "plateau": 0.5,
        "cliff": 0.5,
    },
    "rmsprop": {
        "quadratic": 0.05,
        "rosenbrock": 0.01,
        "beale": 0.05,
        "himmelblau": 0.05,
        "saddle": 0.05,
        "multi_minimum": 0.05,
        "plateau": 0.01,
        "cliff": 0.1,
    },
    "adam": {
        "quadratic": 0.1,
        "rosenbrock": 0.1,
        "beale": 0.1,
        "himmelblau": 0.1,
        "saddle": 0.1,
        "multi_minimum": 0.1,
        "plateau": 0.1,
        "cliff": 0.1,
    },
}
DEFAULT_LR["adamw"] = DEFAULT_LR["adam"]


def surface_named(surface, **kw):
    """`surface` itself if it is a `Surface`, else ``surfaces.get(surface, **kw)`` (e.g. kappa=50)."""
    if isinstance(surface, surfaces.Surface):
        if kw:
            raise ValueError(f"surface keywords ({', '.join(kw)}) apply only to a surface given by name")
        return surface
    if surface not in surfaces.NAMES:
        raise ValueError(f"surface must be a Surface or one of {', '.join(surfaces.NAMES)}; got {surface!r}")
    accepted = inspect.signature(getattr(surfaces, surface)).parameters
    unknown = sorted(set(kw) - set(accepted))
    if unknown:
        takes = ", ".join(accepted) or "no keywords"
        raise ValueError(f"surface {surface!r} has no parameter {', '.join(unknown)}; it takes {takes}")
    return surfaces.get(surface, **kw)


def default_hparams(optimizer, surface):
    """The hyperparameters of the default picture: the factory's defaults with a surface-specific η."""
    if optimizer not in optim.FACTORIES:
        raise ValueError(f"unknown optimizer {optimizer!r}; choose one of {', '.join(optim.FACTORIES)}")
    factory = inspect.signature(optim.FACTORIES[optimizer]).parameters
    hparams = {name: parameter.default for name, parameter in factory.items()}
    name = surface.name if isinstance(surface, surfaces.Surface) else surface
    per_surface = DEFAULT_LR[optimizer]
    hparams["lr"] = per_surface.get(name, min(per_surface.values()))
    return hparams


def settings(optimizer, surface, **hparams):
    """(name, hyperparameters) for a run: `default_hparams` overridden by an Optimizer's own, then by `hparams`.

    `optimizer` is a name from optim.FACTORIES or an Optimizer. Unknown or invalid hyperparameters
    raise ValueError.
    """
    if isinstance(optimizer, optim.Optimizer):
        name, hparams = optimizer.name, {**optimizer.hparams, **hparams}
        if not optimizer.bias_correction:  # not a torch keyword, so not in hparams
            hparams.setdefault("bias_correction", False)
    else:
        name = optimizer
    merged = default_hparams(name, surface)
    unknown = sorted(set(hparams) - set(merged))
    if unknown:
        raise ValueError(f"{name} has no hyperparameter {', '.join(unknown)}; it takes {', '.join(merged)}")
    merged.update(hparams)
    optim.get(name, **merged)  # validates every value, with its range in the message
    return name, merged


def descend(surface, optimizer="adam", steps=200, start=None, **hparams):
    """Run `optimizer` with `settings(optimizer, surface, **hparams)` from `start` (default `surface.start`)."""
    surface = surface_named(surface)
    name, hparams = settings(optimizer, surface, **hparams)
    return optim.run(optim.get(name, **hparams), surface.grad, starting_point(surface, start), steps)


def starting_point(surface, start=None):
    """`start` as a finite float64 point (2,), or the surface's own start when None."""
    if start is None:
        return np.array(surface.start, dtype=np.float64)
    try:
        point = np.asarray(start, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError(f"start must be a point (x, y), got {start!r}") from None
    if point.shape != (2,) or not np.isfinite(point).all():
        raise ValueError(f"start must be a finite point (x, y), got {start!r}")
    return point


class Entrant(NamedTuple):
    """One optimizer of a comparison: its label, its name in optim.FACTORIES and its hyperparameters."""

    label: str
    optimizer: str
    hparams: dict


def lineup(optimizers, surface, **hparams):
    """The optimizers to run side by side on `surface`, as a list of `Entrant`s (one for a single optimizer).

    optimizers: a name from optim.FACTORIES or an Optimizer; a list of 1 to MAX_COMPARED of them (labelled by
        name, so each name at most once); or a dict {label: name or Optimizer} to tell apart two of the same kind,
        e.g. ``{"Adam": "adam", "no bias correction": optim.adam(bias_correction=False)}``.
    hparams: overrides for a single optimizer; with several, each carries its own hyperparameters in its
        Optimizer (``[optim.sgd(lr=1e-3, momentum=0.9), "adam"]``), the rest come from `default_hparams`.
    """
    if isinstance(optimizers, (str, optim.Optimizer)):
        name, merged = settings(optimizers, surface, **hparams)
        return [Entrant(name, name, merged)]
    if isinstance(optimizers, dict):
        pairs = list(optimizers.items())
        bad = [label for label, _ in pairs if not isinstance(label, str) or not label.strip()]
        if bad:
            raise ValueError(f"the labels of optimizers must be non-empty strings, got {bad[0]!r}")
    elif isinstance(optimizers, (list, tuple)):
        pairs = [(getattr(item, "name", item), item) for item in optimizers]
        seen = [label for label, _ in pairs if isinstance(label, str)]
        twice = sorted({label for label in seen if seen.count(label) > 1})
        if twice:
            raise ValueError(
                f"{', '.join(twice)} appears more than once; label each with a dict, e.g. "
                f'{{"{twice[0]}": ..., "{twice[0]}, other settings": ...}}'
            )
    else:
        raise ValueError(
            f"optimizer must be a name ({', '.join(optim.FACTORIES)}), an Optimizer, or a list or dict of "
            f"up to {MAX_COMPARED} of them; got {optimizers!r}"
        )
    if not 1 <= len(pairs) <= MAX_COMPARED:
        raise ValueError(f"compare 1 to {MAX_COMPARED} optimizers at a time, got {len(pairs)}")
    if hparams and len(pairs) > 1:
        raise ValueError(
            f"hyperparameters ({', '.join(hparams)}) are ambiguous with several optimizers; give each its own, "
            "e.g. [optim.sgd(lr=1e-3, momentum=0.9), optim.adam(lr=0.05)]"
        )
    entrants = []
    for label, item in pairs:
        if not isinstance(item, (str, optim.Optimizer)):
            raise ValueError(f"each optimizer must be a name or an Optimizer, got {item!r}")
        name, merged = settings(item, surface, **hparams)
        entrants.append(Entrant(label, name, merged))
    return entrants


def gaps(surface, run):
    """f(θₜ) − f* for t = 0, 1, … along a single run (a Trajectory or a path (k + 1, 2)).

    The array ends before the first point or value that is not finite: a diverging run's curve stops where
    its numbers do. Values may be ≤ 0 at round-off level; `np.maximum(gaps, FLOOR)` is what a log scale shows.
    """
    path = np.asarray(run.path if isinstance(run, optim.Trajectory) else run, dtype=np.float64)
    if path.ndim != 2 or path.shape[1] != 2:
        raise ValueError(f"gaps follow a single run (path of shape (k + 1, 2)), got shape {path.shape}")
    with np.errstate(all="ignore"):
        values = np.asarray(surface.f(path), dtype=np.float64) - surface.f_star
    finite = np.isfinite(values) & np.isfinite(path).all(axis=1)
    return values[: np.argmin(finite) if not finite.all() else len(values)]


def summary(surface, run, tol=TOLERANCE):
    """One line about a single run: the final gap f(θ) − f*, when it fell below `tol`, divergence."""
    path = np.asarray(run.path, dtype=np.float64)
    if path.ndim != 2:
        raise ValueError(f"summary describes a single run (path of shape (k + 1, 2)), got shape {path.shape}")
    with np.errstate(all="ignore"):
        gaps = np.asarray(surface.f(path), dtype=np.float64) - surface.f_star  # f(θₜ) − f*
    parts = [f"final f − f* {roundoff.equals(gaps[-1], '.3g')}"]  # round-off prints as "< 1e-12"
    reached = np.flatnonzero(gaps < tol)
    parts.append(f"f − f* < {tol:g} at step {reached[0]}" if reached.size else f"f − f* < {tol:g} not reached")
    if np.any(run.diverged):
        parts.append(f"diverged at step {int(run.diverged_at)}")
    return " · ".join(parts)


def outcome(surface, run, tol=TOLERANCE):
    """The summary in a few words: where a run diverged, else when f − f* fell below `tol`, else its final gap."""
    if np.any(run.diverged):
        return f"diverged at step {int(run.diverged_at)}"
    values = gaps(surface, run)
    reached = np.flatnonzero(values < tol)
    if reached.size:
        return f"f − f* < {tol:g} at step {reached[0]}"
    return f"final f − f* {roundoff.equals(values[-1], '.3g')}"


class ExploreRun(NamedTuple):
    """What `widgets.explore` opens with: the surface, the first optimizer's name, settings and path, a title,
    and every optimizer's run as {label: (Entrant, Trajectory)} (one entry unless several are compared)."""

    surface: surfaces.Surface
    optimizer: str
    hparams: dict
    run: optim.Trajectory
    title: str
    runs: dict
    steps: int


def _written(hparams):
    return ", ".join(f"{k}={v:g}" if isinstance(v, float) else f"{k}={v}" for k, v in hparams.items())


def explore_run(surface="rosenbrock", optimizer="adam", steps=200, kappa=None, start=None, **hparams):
    """The runs `widgets.explore` opens with, for a static figure (`plotting.draw_explore`).

    `surface` is a name or a Surface (`kappa` sets κ of "quadratic"); `optimizer` a name, an Optimizer, or
    several of them side by side (see `lineup`); `hparams` override `default_hparams(optimizer, surface)`;
    `start` replaces the surface's starting point.
    """
    surface = surface_named(surface, **({} if kappa is None else {"kappa": kappa}))
    entrants = lineup(optimizer, surface, **hparams)
    point = starting_point(surface, start)
    runs = {e.label: (e, optim.run(optim.get(e.optimizer, **e.hparams), surface.grad, point, steps)) for e in entrants}
    where = surface.name if kappa is None else f"{surface.name} (κ = {kappa:g})"
    if start is not None:
        where += f" from ({point[0]:.3g}, {point[1]:.3g})"
    first, run = runs[entrants[0].label]
    if len(entrants) == 1:
        written = _written({"lr": first.hparams["lr"], **hparams})
        title = f"{first.optimizer}({written}) on {where}\n{summary(surface, run)}"
    else:
        title = f"{' vs '.join(runs)} on {where}"
    return ExploreRun(surface, first.optimizer, first.hparams, run, title, runs, steps)
