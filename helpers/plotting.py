"""Pictures of descent, drawn on a matplotlib `ax` the caller owns.

    fig, ax = plt.subplots()
    surface = surfaces.rosenbrock()
    contour(ax, surface)                                    # log-spaced levels, minima as stars
    trajectory(ax, optim.run(opt, surface.grad, surface.start, 200))
    explore_static(ax, "rosenbrock", "adam")                # the default picture of widgets.explore

Nothing here creates a figure. The evaluation grid behind `contour` is computed once per surface
and resolution, so redrawing (a slider moved, an animation frame) costs no evaluations of f.
"""

import inspect
import weakref

import numpy as np
from matplotlib.colors import LogNorm

from helpers import optim, roundoff, surfaces

TOLERANCE = 1e-6
"""A run has converged once f(θ) − f* < TOLERANCE, f* the lowest listed minimum."""

# Colours that stand out on the contour colormap, in the order `trajectories` hands them out.
PALETTE = ("#ff5a36", "#ffffff", "#00d5ff", "#ff3fd2", "#9dff3a", "#ffb000")

# η that makes the default picture of each optimizer on each surface worth looking at:
# the run gets close to a minimum within 200 steps, yet the path still shows the optimizer's character.
DEFAULT_LR = {
    "sgd": {"quadratic": 0.15, "rosenbrock": 1e-3, "beale": 0.01, "himmelblau": 0.01, "saddle": 0.05,
            "multi_minimum": 0.1, "plateau": 0.1, "cliff": 0.1},
    "adagrad": {"quadratic": 1.0, "rosenbrock": 0.2, "beale": 0.5, "himmelblau": 0.5, "saddle": 0.5,
                "multi_minimum": 0.5, "plateau": 0.5, "cliff": 0.5},
    "rmsprop": {"quadratic": 0.05, "rosenbrock": 0.01, "beale": 0.05, "himmelblau": 0.05, "saddle": 0.05,
                "multi_minimum": 0.05, "plateau": 0.01, "cliff": 0.1},
    "adam": {"quadratic": 0.1, "rosenbrock": 0.1, "beale": 0.1, "himmelblau": 0.1, "saddle": 0.1,
             "multi_minimum": 0.1, "plateau": 0.1, "cliff": 0.1},
}
DEFAULT_LR["adamw"] = DEFAULT_LR["adam"]

_GRIDS = weakref.WeakKeyDictionary()  # surface.f → {(xlim, ylim, resolution): (x, y, f on the grid)}


# --------------------------------------------------------------------------- runs


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


def minimum_value(surface):
    """f*, the lowest value of f over the surface's listed minimizers."""
    return float(np.min(surface.f(np.asarray(surface.minima, dtype=np.float64))))


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
        gaps = np.asarray(surface.f(path), dtype=np.float64) - minimum_value(surface)  # f(θₜ) − f*
    parts = [f"final f − f* {roundoff.equals(gaps[-1], '.3g')}"]  # round-off prints as "< 1e-12"
    reached = np.flatnonzero(gaps < tol)
    parts.append(f"f − f* < {tol:g} at step {reached[0]}" if reached.size else f"f − f* < {tol:g} not reached")
    if np.any(run.diverged):
        parts.append(f"diverged at step {int(run.diverged_at)}")
    return " · ".join(parts)


# --------------------------------------------------------------------------- drawing


def grid(surface, resolution=200):
    """(x, y, Z): f on a resolution × resolution grid over the surface's limits, Z[i, j] = f(x[j], y[i]).

    Cached for as long as `surface.f` lives, so a redraw never evaluates f again.
    """
    if isinstance(resolution, bool) or not isinstance(resolution, (int, np.integer)) or resolution < 2:
        raise ValueError(f"resolution must be an integer ≥ 2, got {resolution!r}")
    key = (tuple(surface.xlim), tuple(surface.ylim), int(resolution))
    try:
        cached = _GRIDS.setdefault(surface.f, {})
    except TypeError:  # an f that cannot be weakly referenced is simply not cached
        cached = {}
    if key not in cached:
        x = np.linspace(*surface.xlim, resolution)
        y = np.linspace(*surface.ylim, resolution)
        xy = np.stack(np.meshgrid(x, y), axis=-1)
        with np.errstate(all="ignore"):
            cached[key] = (x, y, np.asarray(surface.f(xy), dtype=np.float64))
    return cached[key]


def contour(ax, surface, levels=30, resolution=200, filled=True, cmap="viridis"):
    """Contours of f − f* at geometrically spaced levels, the minima as white stars.

    Log spacing shows the floor of a valley and its walls at once. The axes get the surface's limits
    (equal aspect unless that would squash the picture). Returns (contour set, minima markers).
    """
    if isinstance(levels, bool) or not isinstance(levels, (int, np.integer)) or levels < 2:
        raise ValueError(f"levels must be an integer ≥ 2, got {levels!r}")
    x, y, z = grid(surface, resolution)
    finite = np.isfinite(z)
    if not finite.any():
        raise ValueError(f"f of surface {surface.name!r} is nowhere finite on its plot limits")
    gap = z - min(z[finite].min(), minimum_value(surface))  # f − f* ≥ 0
    high = gap[finite].max()
    positive = gap[finite & (gap > 0)]
    low = max(positive.min(), high * 1e-6) if positive.size else 1.0  # six decades at most
    high = max(high, low * 10)
    bounds = np.geomspace(low, high, levels)
    shown = np.ma.masked_invalid(np.clip(gap, low, high))
    draw = ax.contourf if filled else ax.contour
    contours = draw(x, y, shown, levels=bounds, norm=LogNorm(low, high), cmap=cmap, zorder=0)
    minima = np.asarray(surface.minima, dtype=np.float64).reshape(-1, 2)
    (stars,) = ax.plot(minima[:, 0], minima[:, 1], "*", color="white", markeredgecolor="black",
                       markersize=13, linestyle="none", zorder=4)
    ax.set_xlim(*surface.xlim)
    ax.set_ylim(*surface.ylim)
    width, height = np.ptp(surface.xlim), np.ptp(surface.ylim)
    if 1 / 3 <= width / height <= 3:
        ax.set_aspect("equal", adjustable="box")
    ax.set_xlabel("x")
    ax.set_ylabel("y")
    return contours, stars


def trajectory(ax, path, label=None, color=None, diverged=None, markersize=3.0, **line_kw):
    """The path θ₀, θ₁, … as a line with small markers: a circle at the start, a square at the end.

    `path` is an array (k + 1, 2) or a `Trajectory`. Only the finite prefix is drawn; `diverged`
    (taken from a Trajectory unless given) adds a red ✗ at the last finite point.
    Returns the Line2D artists.
    """
    if isinstance(path, optim.Trajectory):
        diverged = bool(np.any(path.diverged)) if diverged is None else diverged
        path = path.path
    path = np.asarray(path, dtype=np.float64)
    if path.ndim != 2 or path.shape[1] != 2:
        raise ValueError(f"path must have shape (k + 1, 2), got {path.shape}")
    finite = np.isfinite(path).all(axis=1)
    path = path[: np.argmin(finite) if not finite.all() else len(path)]
    if len(path) == 0:
        return []
    (line,) = ax.plot(path[:, 0], path[:, 1], "-o", label=label, color=color, markersize=markersize,
                      linewidth=1.5, zorder=5, **line_kw)
    color = line.get_color()
    (start,) = ax.plot(*path[0], "o", color=color, markeredgecolor="black", markersize=2.5 * markersize, zorder=6)
    (end,) = ax.plot(*path[-1], "s", color=color, markeredgecolor="black", markersize=2.2 * markersize, zorder=6)
    artists = [line, start, end]
    if diverged:
        (cross,) = ax.plot(*path[-1], "X", color="red", markeredgecolor="white", markersize=4 * markersize, zorder=7)
        artists.append(cross)
    return artists


def trajectories(ax, surface, runs, legend=True, **contour_kw):
    """Contours of `surface` with several runs {label: Trajectory or path} on top, one colour each."""
    contour(ax, surface, **contour_kw)
    lines = {
        label: trajectory(ax, run, label=label, color=PALETTE[i % len(PALETTE)])
        for i, (label, run) in enumerate(runs.items())
    }
    if legend and runs:
        ax.legend(loc="upper right", fontsize="small", framealpha=0.8)
    return lines


def loss_curve(ax, losses, label=None, log=True, **line_kw):
    """Loss against step; a log y axis when `log` and every loss is positive. Returns the Line2D."""
    losses = np.asarray(losses, dtype=np.float64)
    if losses.ndim != 1:
        raise ValueError(f"losses must be one-dimensional (one value per step), got shape {losses.shape}")
    finite = np.isfinite(losses)
    losses = losses[: np.argmin(finite) if not finite.all() else len(losses)]
    (line,) = ax.plot(np.arange(len(losses)), losses, label=label, **line_kw)
    if log and losses.size and (losses > 0).all():
        ax.set_yscale("log")
    if not ax.get_xlabel():
        ax.set_xlabel("step")
    if not ax.get_ylabel():
        ax.set_ylabel("loss")
    return line


def explore_static(ax, surface="rosenbrock", optimizer="adam", steps=200, kappa=None, **hparams):
    """The picture `widgets.explore` opens with, as a plain figure: contours, the run, its summary.

    `surface` is a name or a Surface (`kappa` sets κ of "quadratic"), `optimizer` a name or an
    Optimizer; `hparams` override `default_hparams(optimizer, surface)`. Returns the Trajectory.
    """
    surface = surface_named(surface, **({} if kappa is None else {"kappa": kappa}))
    name, merged = settings(optimizer, surface, **hparams)
    run = optim.run(optim.get(name, **merged), surface.grad, surface.start, steps)
    contour(ax, surface)
    trajectory(ax, run, color=PALETTE[0])
    shown = {"lr": merged["lr"], **hparams}
    written = ", ".join(f"{k}={v:g}" if isinstance(v, float) else f"{k}={v}" for k, v in shown.items())
    where = surface.name if kappa is None else f"{surface.name} (κ = {kappa:g})"
    ax.set_title(f"{name}({written}) on {where}\n{summary(surface, run)}", fontsize="small")
    return run
