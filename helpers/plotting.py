"""Pictures of descent, drawn on a matplotlib `ax` the caller owns.

    fig, ax = plt.subplots()
    surface = surfaces.rosenbrock()
    contour(ax, surface)                                    # log-spaced levels, minima as stars
    trajectory(ax, optim.run(opt, surface.grad, surface.start, 200))
    draw_explore(ax, descent.explore_run("rosenbrock", "adam"))  # the default picture of widgets.explore

Nothing here creates a figure or runs an optimizer (`runs` does that). The evaluation grid behind
`contour` is computed once per surface and resolution, so redrawing (a slider moved, an animation
frame) costs no evaluations of f.
"""

import weakref

import numpy as np
from matplotlib.colors import LogNorm

from helpers import optim
from helpers._checks import integer

# Colours that stand out on the contour colormap, in the order `trajectories` hands them out.
PALETTE = ("#ff5a36", "#ffffff", "#00d5ff", "#ff3fd2", "#9dff3a", "#ffb000")

_GRIDS = weakref.WeakKeyDictionary()  # surface.f → {(xlim, ylim, resolution): (x, y, f on the grid)}


def grid(surface, resolution=200):
    """(x, y, Z): f on a resolution × resolution grid over the surface's limits, Z[i, j] = f(x[j], y[i]).

    Cached for as long as `surface.f` lives, so a redraw never evaluates f again.
    """
    resolution = integer("resolution", resolution, 2)
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
    levels = integer("levels", levels, 2)
    x, y, z = grid(surface, resolution)
    finite = np.isfinite(z)
    if not finite.any():
        raise ValueError(f"f of surface {surface.name!r} is nowhere finite on its plot limits")
    gap = z - min(z[finite].min(), surface.f_star)  # f − f* ≥ 0
    high = gap[finite].max()
    positive = gap[finite & (gap > 0)]
    low = max(positive.min(), high * 1e-6) if positive.size else 1.0  # six decades at most
    high = max(high, low * 10)
    bounds = np.geomspace(low, high, levels)
    shown = np.ma.masked_invalid(np.clip(gap, low, high))
    draw = ax.contourf if filled else ax.contour
    contours = draw(x, y, shown, levels=bounds, norm=LogNorm(low, high), cmap=cmap, zorder=0)
    minima = np.asarray(surface.minima, dtype=np.float64).reshape(-1, 2)
    (stars,) = ax.plot(
        minima[:, 0],
        minima[:, 1],
        "*",
        color="white",
        markeredgecolor="black",
        markersize=13,
        linestyle="none",
        zorder=4,
    )
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
    (line,) = ax.plot(
        path[:, 0],
        path[:, 1],
        "-o",
        label=label,
        color=color,
        markersize=markersize,
        linewidth=1.5,
        zorder=5,
        **line_kw,
    )
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


def draw_explore(ax, explored):
    """The picture `widgets.explore` opens with, as a plain figure: contours, the run, its summary as title.

    `explored` is a `descent.ExploreRun`, e.g. ``draw_explore(ax, descent.explore_run("rosenbrock", "adam"))``.
    """
    contour(ax, explored.surface)
    trajectory(ax, explored.run, color=PALETTE[0])
    ax.set_title(explored.title, fontsize="small")
