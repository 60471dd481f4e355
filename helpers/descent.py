"""Running an optimizer on a 2-D surface: the settings of the course's default pictures, the run, its summary.

    surface = surfaces.rosenbrock()
    run = descend(surface, "adam", steps=200)      # default η for Adam on Rosenbrock
    print(summary(surface, run))                   # "final f − f* = 0.0312 · f − f* < 1e-06 not reached"
    explored = explore_run("rosenbrock", "adam")   # what widgets.explore opens with; plotting.draw_explore draws it

Everything here is numpy; drawing lives in `plotting`, sliders in `widgets`.
"""

import inspect
from typing import NamedTuple

import numpy as np

from helpers import optim, roundoff, surfaces

TOLERANCE = 1e-6
"""A run has converged (a race's run succeeds) once f(θ) − f* < TOLERANCE, f* the surface's `f_star`."""

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


def descend(surface, optimizer="adam", steps=200, **hparams):
    """Run `optimizer` from `surface.start` with `settings(optimizer, surface, **hparams)`; a Trajectory."""
    surface = surface_named(surface)
    name, hparams = settings(optimizer, surface, **hparams)
    return optim.run(optim.get(name, **hparams), surface.grad, surface.start, steps)


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


class ExploreRun(NamedTuple):
    """A run as `widgets.explore` opens it: the surface, the optimizer's name and settings, the path, a title."""

    surface: surfaces.Surface
    optimizer: str
    hparams: dict
    run: optim.Trajectory
    title: str


def explore_run(surface="rosenbrock", optimizer="adam", steps=200, kappa=None, **hparams):
    """The run `widgets.explore` opens with, for a static figure (`plotting.draw_explore`).

    `surface` is a name or a Surface (`kappa` sets κ of "quadratic"), `optimizer` a name or an
    Optimizer; `hparams` override `default_hparams(optimizer, surface)`.
    """
    surface = surface_named(surface, **({} if kappa is None else {"kappa": kappa}))
    name, merged = settings(optimizer, surface, **hparams)
    run = optim.run(optim.get(name, **merged), surface.grad, surface.start, steps)
    shown = {"lr": merged["lr"], **hparams}
    written = ", ".join(f"{k}={v:g}" if isinstance(v, float) else f"{k}={v}" for k, v in shown.items())
    where = surface.name if kappa is None else f"{surface.name} (κ = {kappa:g})"
    return ExploreRun(surface, name, merged, run, f"{name}({written}) on {where}\n{summary(surface, run)}")
