"""The picture of a surface panel: contours and a run's path, f − f* beside it; `draw_path` draws it on your axes."""

import inspect

from helpers import descent, optim, plotting, surfaces
from helpers._checks import integer

LOSS_TITLE = "f − f* on a log scale"


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


def _draw_loss_axes(loss_ax, surface, span):
    plotting.gap_axes(loss_ax, surface, max(span, 1))
    loss_ax.set_title(LOSS_TITLE, fontsize="medium")


def _span(run, most=None):
    """The last step a surface panel shows of `run`: all of it, or at most `most` steps."""
    last = len(run.path) - 1
    return last if most is None else min(last, most)


def draw_path(ax, surface, data, frame=None, title=None, loss_ax=None):
    """The picture of `panel(..., surface=...)`, drawn on axes you own: contours, the path, a title, and with
    `loss_ax` f − f* step by step on a log scale beside it, the dotted cursor at the last step shown.

    data: what the panel's `compute` returns, a Trajectory or a dict holding one under "run".
    frame: the last step shown (the whole run for None; a larger number is the whole run too), as the
        panel's `frames` cap. title: as the panel's, a string; None shows the surface's name.
    Called with the panel's opening values on ``plt.subplots(1, 2, figsize=(8.4, 3.8), layout="constrained")``,
    it is the static figure that comes before the panel. Returns the path's artists.
    """
    if not isinstance(surface, surfaces.Surface):
        raise ValueError(f"surface must be a Surface, got {type(surface).__name__}")
    if frame is not None:
        frame = integer("frame", frame, 0)
    run = _run_of(data)
    last = _span(run, frame)
    _draw_surface(ax, surface, surface.name if title is None else title)
    whole = last == len(run.path) - 1
    artists = plotting.trajectory(
        ax, run.path[: last + 1], color=plotting.PALETTE[0], diverged=whole and bool(run.diverged)
    )
    if loss_ax is not None:
        _draw_loss_axes(loss_ax, surface, last)
        gaps = descent.gaps(surface, run)[: last + 1]
        plotting.gap_curve(loss_ax, gaps, plotting.PALETTE[0], whole and bool(run.diverged))
        loss_ax.axvline(last, color="white", linewidth=0.8, linestyle=":")
    return artists


def surface_parts(compute, frames, surface, static, title):
    """compute, series, background(ax, span, **static), static and frames of a panel that shows a run on
    `surface`: the contours and the loss axes are its background, the path and f − f* its series."""
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
        most = None if frames is None else integer("frames", frames, 1)

        def last_frame(data):  # the whole run, or its first `most` steps
            return _span(_run_of(data), most)

    elif callable(frames):

        def last_frame(data):
            return _span(_run_of(data), integer("frames(data)", frames(data), 0))

    else:
        raise ValueError(f"frames must be a number of steps or a function of the data, got {frames!r}")
    chosen = {}  # the surface of the static controls' last values: built once per change of them

    def checked(values):
        key = [values[name] for name in static]
        same = "key" in chosen and all(a is b or (type(a) is type(b) and a == b) for a, b in zip(key, chosen["key"]))
        if not same:
            shown = surface_for(**dict(zip(static, key)))
            if not isinstance(shown, surfaces.Surface):
                raise ValueError(f"surface(…) must return a Surface, got {type(shown).__name__}")
            chosen.update(key=key, surface=shown)
        return chosen["surface"]

    def checked_compute(**values):
        data = compute(**values)
        _run_of(data)  # a wrong return value shows in the readout, naming what was expected
        checked(values)
        return data

    def series(data):
        run = _run_of(data)
        last = last_frame(data)
        whole = last == len(run.path) - 1
        gaps = descent.gaps(chosen["surface"], run)[: last + 1]  # the surface checked_compute has just chosen
        diverged = whole and bool(run.diverged)
        return [{"path": run.path[: last + 1], "gaps": gaps, "colour": plotting.PALETTE[0], "diverged": diverged}]

    def background(ax, span, **values):
        shown = checked(values)
        name = title(**values) if callable(title) else title
        _draw_surface(ax, shown, shown.name if name is None else name)
        _draw_loss_axes(ax.figure.axes[1], shown, span)

    return checked_compute, series, background, static, last_frame
