"""Pictures of descent, drawn on a matplotlib `ax` the caller owns.

    fig, ax = plt.subplots()
    surface = surfaces.rosenbrock()
    contour(ax, surface)                                    # log-spaced levels, minima as stars
    trajectory(ax, optim.run(opt, surface.grad, surface.start, 200))
    fig, (ax, loss_ax) = plt.subplots(1, 2, figsize=(8.4, 3.8))
    draw_explore(ax, descent.explore_run("rosenbrock", "adam"), loss_ax)  # the picture widgets.explore opens with
    pixel_to_data(ax, 120, 80)                              # the data point under pixel (120, 80) of the image

Nothing here creates a figure or runs an optimizer (`runs` does that). The evaluation grid behind
`contour` is computed once per surface and resolution, so redrawing (a slider moved, an animation
frame) costs no evaluations of f.
"""

import weakref

import numpy as np
from matplotlib.colors import LogNorm

from helpers import descent, optim
from helpers._checks import integer, real

# Colours that stand out on the contour colormap, in the order `trajectories` hands them out.
PALETTE = ("#ff5a36", "#ffffff", "#00d5ff", "#ff3fd2", "#9dff3a", "#ffb000")
# The colours of optimizers compared on one surface: they stand out on the contours and on the dark loss axes.
COMPARED = (PALETTE[0], PALETTE[2], PALETTE[3])
LOSS_FACE = "#30123b"  # the loss axes' background, dark so that every path colour shows

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


def gap_axes(ax, surface, steps):
    """Axes for f − f* on a log scale against the step: x from 0 to `steps`, y from descent.FLOOR to ten times
    the largest gap on the surface's plot limits, so any start in the picture fits. Dark, so that every path
    colour shows."""
    steps = integer("steps", steps, 1)
    _, _, z = grid(surface)
    finite = z[np.isfinite(z)]
    top = 10 * max(float(finite.max()) - surface.f_star, 1.0) if finite.size else 1e3
    ax.set(yscale="log", xlim=(0, steps), ylim=(descent.FLOOR, top), xlabel="step t", ylabel="f − f*")
    ax.set_facecolor(LOSS_FACE)
    ax.grid(alpha=0.25, color="white", linewidth=0.5)


def gap_curve(ax, gaps, color=None, diverged=False, label=None):
    """f − f* step by step (from `descent.gaps`), drawn at descent.FLOOR where lower; a red ✗ where a diverging
    run's numbers end. Returns the artists."""
    gaps = np.maximum(np.asarray(gaps, dtype=np.float64), descent.FLOOR)
    if gaps.ndim != 1:
        raise ValueError(f"gaps must be one-dimensional (one value per step), got shape {gaps.shape}")
    if not gaps.size:
        return []
    (line,) = ax.plot(np.arange(len(gaps)), gaps, color=color, linewidth=1.5, label=label, zorder=5)
    artists = [line]
    if diverged:
        top = ax.get_ylim()[1]
        (cross,) = ax.plot(len(gaps) - 1, min(gaps[-1], top), "X", color="red", markeredgecolor="white", markersize=12)
        artists.append(cross)
    return artists


def draw_explore(ax, explored, loss_ax=None):
    """The picture `widgets.explore` opens with, as a plain figure: contours, every run, a title; with `loss_ax`,
    f − f* of each run beside it on a log scale, labelled with its summary.

    `explored` is a `descent.ExploreRun`, e.g. ``draw_explore(ax, descent.explore_run("rosenbrock", "adam"), loss_ax)``.
    """
    contour(ax, explored.surface)
    several = len(explored.runs) > 1
    colours = COMPARED if several else PALETTE[:1]
    for (label, (_, run)), colour in zip(explored.runs.items(), colours):
        trajectory(ax, run, color=colour, label=label if several else None)
    if loss_ax is None:
        ax.set_title(explored.title, fontsize="small")
        if several:
            ax.legend(loc="upper right", fontsize="small", framealpha=0.8)
        return
    ax.set_title(explored.title.split("\n")[0], fontsize="small")
    gap_axes(loss_ax, explored.surface, explored.steps)
    for (label, (_, run)), colour in zip(explored.runs.items(), colours):
        outcome = descent.outcome(explored.surface, run)
        written = f"{label}: {outcome}" if several else outcome
        gap_curve(loss_ax, descent.gaps(explored.surface, run), colour, bool(run.diverged), label=written)
    loss_ax.axvline(explored.steps, color="white", linewidth=0.8, linestyle=":")
    loss_ax.legend(loc="lower left", fontsize="small", framealpha=0.85)
    loss_ax.set_title("f − f* on a log scale", fontsize="small")


def pixel_to_data(ax, px, py):
    """The data point (x, y) of `ax` under pixel (px, py) of the figure rendered as an image at its dpi.

    Pixels count from the image's top-left corner: x runs right, y runs down (matplotlib's display
    coordinates run up from the bottom). Uses the axes' own transform, so log scales and inverted axes map
    correctly. The axes must have been drawn (their position is fixed at draw time).
    """
    px, py = real("px", px), real("py", py)
    height = ax.figure.bbox.height
    x, y = ax.transData.inverted().transform((px, height - py))
    return float(x), float(y)


def data_to_pixel(ax, x, y):
    """The inverse of `pixel_to_data`: the image pixel (px, py) of the data point (x, y), y running down."""
    px, py = ax.transData.transform((real("x", x), real("y", y)))
    return float(px), float(ax.figure.bbox.height - py)


def inside(ax, x, y):
    """Whether the data point (x, y) lies within the axes' current limits."""
    (x0, x1), (y0, y1) = sorted(ax.get_xlim()), sorted(ax.get_ylim())
    return x0 <= x <= x1 and y0 <= y <= y1


def axes_box(ax):
    """Where `ax` lies in the figure's image and what it shows, for drawing on top of it in a browser:
    {left, top, width, height} in image pixels (y runs down), xlim, ylim, and whether x or y is on a log scale."""
    box = ax.get_window_extent()
    height = ax.figure.bbox.height
    return {
        "left": float(box.x0),
        "top": float(height - box.y1),
        "width": float(box.width),
        "height": float(box.height),
        "xlim": [float(v) for v in ax.get_xlim()],
        "ylim": [float(v) for v in ax.get_ylim()],
        "xlog": ax.get_xscale() == "log",
        "ylog": ax.get_yscale() == "log",
    }
