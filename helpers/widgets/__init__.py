"""Sliders that redraw a picture: `panel` for any figure, `explore` for optimizers on a surface.

    explore("rosenbrock", "adam")             # η, β₁, β₂, ε, steps, a surface chooser, Play; f − f* beside
    explore("quadratic", "sgd", kappa=30, lr=0.05)
    panel({"lr": log_slider("η", 0.1, 1e-3, 1.0)}, my_run, surface=bowl)  # my_run(lr) -> a Trajectory
    explore("rosenbrock", [optim.sgd(lr=1e-3, momentum=0.9), "adam"])   # side by side, one η slider each

Click or drag on the surface to move the start (every panel whose `compute` takes `start`).

`panel(..., surface=...)` is the panel of a lesson's own run on a surface: `compute` returns the run,
the panel draws its path on the contours with f − f* beside it and animates both. `draw_path` draws the
same picture on axes you own, for the static figure that comes before the panel.

A panel draws into its own Agg figure (never pyplot, so nothing is shown twice) and sends the pixels
to one Image widget as PNG. The static part — contours — is rendered once and cached as a bitmap;
a slider change restores that bitmap and draws only the moving artists (blitting), so a redraw costs
a few milliseconds, not a full figure render. A panel with `series` (explore's, a surface panel's) goes further: the PNG
holds only the static part, and the paths and loss curves travel as numbers to a canvas on top of it
(helpers/widgets/overlay.js), which draws each Play frame in the browser without asking the kernel. The page
also sends a moved control's value to the kernel at once through the overlay, so the picture at the end of a drag
never waits for the kernel's answer to the previous value.
"""

from helpers.widgets.controls import choice_slider, dropdown, int_slider, log_slider, slider, toggle
from helpers.widgets.explore import SLIDERS, explore
from helpers.widgets.panel import Panel, panel
from helpers.widgets.surface import draw_path

__all__ = [
    "SLIDERS",
    "Panel",
    "choice_slider",
    "draw_path",
    "dropdown",
    "explore",
    "int_slider",
    "log_slider",
    "panel",
    "slider",
    "toggle",
]
