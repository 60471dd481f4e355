"""helpers.widgets without a display: panels build, controls change the PNG, errors land in the readout."""

import html
import io
import re

import ipywidgets
import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from PIL import Image as PILImage

from helpers import descent, optim, plotting, surfaces, widgets

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
SYMBOLS = {
    "sgd": ["η", "μ"],
    "adagrad": ["η", "ε"],
    "rmsprop": ["η", "ρ", "ε"],
    "adam": ["η", "β₁", "β₂", "ε"],
    "adamw": ["η", "β₁", "β₂", "ε"],
}


@pytest.mark.parametrize("surface", ["quadratic", "rosenbrock", "himmelblau", "plateau"])
@pytest.mark.parametrize("optimizer", list(optim.FACTORIES))
def test_explore_builds_for_every_optimizer(optimizer, surface):
    panel = widgets.explore(surface, optimizer, steps=40)
    assert bytes(panel.image.value).startswith(PNG_SIGNATURE) and panel.image.format == "png"
    assert [panel.controls[k].description for k in widgets.SLIDERS[optimizer]] == SYMBOLS[optimizer]
    assert panel.controls["lr"].value == descent.DEFAULT_LR[optimizer][surface]
    assert panel.controls["surface"].value == surface and panel.controls["steps"].value == 40
    assert "f − f*" in panel.readout.value
    assert isinstance(panel.widget, ipywidgets.Box)
    assert "application/vnd.jupyter.widget-view+json" in panel._repr_mimebundle_()


def test_moving_a_slider_sends_a_new_run():
    panel = widgets.explore("rosenbrock", "adam", steps=200)
    before = panel.overlay.series
    panel.controls["lr"].value = 0.02
    assert panel.overlay.series != before
    assert panel.render() == panel.image.value
    run = panel.data["runs"]["adam"]
    expected = descent.descend("rosenbrock", "adam", steps=200, lr=0.02)
    np.testing.assert_array_equal(run.path, expected.path)


def test_beta_sliders_feed_the_betas_pair():
    panel = widgets.explore("beale", "adam", steps=30, betas=(0.8, 0.99))
    assert (panel.controls["beta1"].value, panel.controls["beta2"].value) == (0.8, 0.99)
    panel.controls["beta2"].value = 0.9
    run = panel.data["runs"]["adam"]
    np.testing.assert_array_equal(run.path, descent.descend("beale", "adam", steps=30, betas=(0.8, 0.9)).path)


def test_switching_surface_rebuilds_the_background():
    panel = widgets.explore("rosenbrock", "sgd", steps=50)
    assert panel.controls["kappa"].layout.display == "none"
    before = panel.image.value
    panel.controls["surface"].value = "quadratic"
    assert panel.image.value != before
    assert panel.ax.get_title() == "sgd on quadratic"
    assert panel.ax.get_xlim() == pytest.approx(surfaces.quadratic().xlim)
    assert panel.controls["kappa"].layout.display is None
    chosen = panel.data["surface"]
    assert chosen.name == "quadratic"
    before = panel.image.value
    panel.controls["kappa"].value = 100.0
    assert panel.image.value != before
    np.testing.assert_allclose(panel.data["surface"].f(np.array([0.0, 1.0])), 50.0)  # ½κy²


def test_a_given_surface_object_is_used_and_offered():
    custom = surfaces.quadratic(kappa=40.0, angle=0.5)
    panel = widgets.explore(custom, "adam", steps=20)
    assert panel.controls["surface"].value is custom
    assert panel.data["surface"] is custom
    panel.controls["surface"].value = "himmelblau"
    assert panel.data["surface"].name == "himmelblau"


def test_play_steps_through_frames_without_recomputing():
    panel = widgets.explore("himmelblau", "rmsprop", steps=60)
    frame = panel.controls["frame"]
    assert frame.value == frame.max == panel.play.max == 60
    data, revision = panel.data, panel.overlay.revision
    panel.play.value = 5
    assert frame.value == 5 and panel.data is data
    assert panel.overlay.revision == revision  # the browser draws θ₀ … θ₅ from the numbers it has
    panel.controls["steps"].value = 30
    assert frame.value == frame.max == 30


def test_huge_learning_rate_reads_diverged():
    panel = widgets.explore("quadratic", "sgd", steps=100)
    assert "diverged" not in panel.readout.value
    panel.controls["lr"].value = 5.0
    assert "diverged at step" in panel.readout.value
    run = panel.data["runs"]["sgd"]
    assert panel.controls["frame"].max == len(run.path) - 1
    assert panel.overlay.series[0]["diverged"] is True


def test_an_impossible_setting_is_reported_in_the_readout():
    panel = widgets.explore("rosenbrock", "sgd", momentum=0.9, nesterov=True, lr=1e-4)
    panel.controls["momentum"].value = 0.0  # Nesterov needs μ > 0
    assert "nesterov" in panel.readout.value and panel.data is None
    assert bytes(panel.image.value).startswith(PNG_SIGNATURE)
    panel.controls["momentum"].value = 0.5
    assert "f − f*" in panel.readout.value and panel.data is not None


def test_an_optimizer_instance_seeds_the_sliders():
    panel = widgets.explore("beale", optim.sgd(lr=0.003, momentum=0.6), steps=20)
    assert panel.controls["lr"].value == 0.003 and panel.controls["momentum"].value == 0.6


def test_initial_values_outside_the_slider_range_widen_it():
    panel = widgets.explore("quadratic", "adagrad", steps=10, lr=30.0, eps=1e-14)
    assert panel.controls["lr"].value == 30.0 and panel.controls["lr"].max >= np.log10(30.0)
    assert panel.controls["eps"].value == 1e-14


@pytest.mark.parametrize(
    "kw, word",
    [
        (dict(optimizer="lbfgs"), "lbfgs"),
        (dict(surface="banana"), "banana"),
        (dict(lr=0.0), "η"),
        (dict(lr=-1.0), "lr"),
        (dict(steps=0), "steps"),
        (dict(steps=2.5), "steps"),
        (dict(kappa=0.5), "kappa"),
        (dict(momentum=0.9), "momentum"),
    ],
)
def test_explore_bad_input_raises_a_value_error_naming_it(kw, word):
    with pytest.raises(ValueError, match=word):
        widgets.explore(**kw)


def test_generic_panel_with_a_full_redraw_follows_the_data():
    controls = {"scale": widgets.slider("a", 1.0, 0.0, 10.0)}
    panel = widgets.panel(
        controls,
        compute=lambda scale: scale * np.arange(10.0),
        draw=lambda ax, data, frame: [plotting.loss_curve(ax, data, log=False)],
        readout=lambda data: f"last {data[-1]:g}",
        blit=False,
    )
    assert panel.readout.value == "last 9" and "frame" not in panel.controls
    before = panel.image.value
    controls["scale"].value = 5.0
    assert panel.image.value != before and panel.ax.get_ylim()[1] >= 45
    assert len(panel.ax.lines) == 1  # the previous curve was removed


def test_generic_panel_redraws_its_background_only_for_static_controls():
    calls = []

    def background(ax, colour):
        calls.append(colour)
        ax.set_xlim(0, 1)
        ax.set_ylim(0, 1)

    controls = {
        "colour": ipywidgets.Dropdown(options=["red", "blue"], value="red"),
        "height": widgets.slider("h", 0.5, 0.0, 1.0),
    }
    panel = widgets.panel(
        controls,
        compute=lambda colour, height: (colour, height),
        draw=lambda ax, data, frame: ax.plot([0, 1], [data[1]] * 2, color=data[0]),
        background=background,
        static=("colour",),
    )
    before = panel.image.value
    controls["height"].value = 0.7
    assert calls == ["red"] and panel.image.value != before
    controls["colour"].value = "blue"
    assert calls == ["red", "blue"]


def test_panel_bad_input():
    def nothing(**values):
        return None

    with pytest.raises(ValueError, match="controls"):
        widgets.panel({"a": 1.0}, nothing, nothing)
    with pytest.raises(ValueError, match="frame"):
        widgets.panel({"frame": widgets.slider("f", 0.0, 0.0, 1.0)}, nothing, nothing)
    with pytest.raises(ValueError, match="static"):
        widgets.panel({"a": widgets.slider("a", 0.0, 0.0, 1.0)}, nothing, nothing, static=("b",))
    with pytest.raises(ValueError, match="ε"):
        widgets.log_slider("ε", float("nan"), 1e-8, 1.0)


@pytest.mark.parametrize(
    "make,args,message",
    [
        (widgets.log_slider, ("η", 0.1, -1, 10), "η: a log-scale slider needs a lower bound > 0, got -1"),
        (widgets.log_slider, ("η", 0.1, 0, 10), "η: a log-scale slider needs a lower bound > 0"),
        (widgets.log_slider, ("η", 0.1, float("nan"), 10), "η: the lower bound must be finite"),
        (widgets.log_slider, ("η", 0.1, 1e-3, float("inf")), "η: the upper bound must be finite"),
        (widgets.log_slider, ("η", 0.1, 10, 1e-3), "η: the lower bound 10.0 must be below the upper bound 0.001"),
        (widgets.slider, ("μ", 0.5, 1, 0), "μ: the lower bound 1.0 must be below the upper bound 0.0"),
        (widgets.slider, ("μ", 0.5, 0, float("inf")), "μ: the upper bound must be finite"),
        (widgets.slider, ("μ", 0.5, "0", 1), "μ: the lower bound must be a real number"),
    ],
)
def test_bad_slider_bounds_are_named(make, args, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        make(*args)


# --------------------------------------------------------------------------- controls for lessons' own panels


def test_toggle_dropdown_and_int_slider_build_the_controls_asked_for():
    method = widgets.toggle("method", {"heavy ball": "heavy_ball", "Nesterov": "nesterov"})
    assert isinstance(method, ipywidgets.ToggleButtons) and method.value == "heavy_ball"
    assert method.description == "method" and method.label == "heavy ball"
    assert method.options == (("heavy ball", "heavy_ball"), ("Nesterov", "nesterov"))
    sampling = widgets.toggle("sampling", {"without": False, "with": True}, value=True)
    assert sampling.value is True
    schedule = widgets.dropdown("schedule", ["step", "cosine"], value="cosine")
    assert isinstance(schedule, ipywidgets.Dropdown) and schedule.value == "cosine"
    steps = widgets.int_slider("steps", 150, 10, 100, step=5)
    assert isinstance(steps, ipywidgets.IntSlider)
    assert (steps.value, steps.min, steps.max, steps.step) == (150, 10, 150, 5)  # widened to hold 150


@pytest.mark.parametrize(
    "make,args,message",
    [
        (widgets.toggle, ("m", {}), "m: options must not be empty"),
        (widgets.toggle, ("m", "ab"), "m: options must be a dict label → value or a list of values"),
        (widgets.toggle, ("m", {1: "a"}), "m: option labels must be strings"),
        (widgets.toggle, ("m", [1, "1"]), "m: option labels must differ"),
        (widgets.toggle, ("m", {"a": False, "b": True}, 1), "m: the value 1 is not among the options (a, b)"),
        (widgets.dropdown, ("s", ["step", "cosine"], "linear"), "s: the value 'linear' is not among the options"),
        (widgets.int_slider, ("steps", 10, 0, 2.5), "steps: the upper bound must be an integer"),
        (widgets.int_slider, ("steps", 10, 100, 10), "steps: the lower bound 100 must be below the upper bound 10"),
        (widgets.int_slider, ("steps", 1.5, 0, 10), "steps must be an integer"),
        (widgets.int_slider, ("steps", 5, 0, 10, 0), "steps: the step must be an integer"),
    ],
)
def test_bad_choices_and_integer_sliders_are_named(make, args, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        make(*args)


# --------------------------------------------------------------------------- a lesson's run on a surface

BOWL = surfaces.quadratic(kappa=10.0)


def gd_on_bowl(lr, steps=60):
    return optim.run(optim.sgd(lr=lr), BOWL.grad, BOWL.start, steps)


def pixels(png):
    return np.asarray(PILImage.open(io.BytesIO(bytes(png))).convert("RGB"))


def drawn(surface, data, frame=None, title=None, figsize=(8.4, 3.8), dpi=80):
    """What widgets.draw_path draws on a figure of the panel's size, as RGB pixels: all of it, and without the
    path and the loss curve (the part a surface panel sends as PNG). Each figure is drawn once: a constrained
    layout moves an equal-aspect axes a little on a second draw."""
    shown = []
    for whole in (True, False):
        figure = Figure(figsize=figsize, dpi=dpi, layout="constrained")
        canvas = FigureCanvasAgg(figure)
        ax, loss_ax = figure.subplots(1, 2)
        artists = widgets.draw_path(ax, surface, data, frame=frame, title=title, loss_ax=loss_ax)
        for artist in [] if whole else [*artists, *loss_ax.lines]:
            artist.remove()
        canvas.draw()
        shown.append(np.asarray(canvas.buffer_rgba())[..., :3])
    return shown


def test_a_surface_panel_sends_the_run_of_compute_and_its_loss_curve_to_the_overlay():
    panel = widgets.panel(
        {"lr": widgets.log_slider("η", 0.05, 1e-3, 1.0)},
        gd_on_bowl,
        surface=BOWL,
        readout=lambda run: [f"final f = {BOWL.f(run.final):.2g}", "f − f* < 1e-6?"],
    )
    assert panel.ax.get_title() == BOWL.name and panel.ax.get_xlim() == pytest.approx(BOWL.xlim)
    assert panel.readout.value.count("<br>") == 1 and "&lt; 1e-6" in panel.readout.value  # lines, escaped
    frame = panel.controls["frame"]
    assert frame.value == frame.max == 60 and panel.play.interval == 30
    surface_box, loss_box = panel.overlay.axes
    assert loss_box["ylog"] and loss_box["xlim"] == [0.0, 60.0] and surface_box["xlim"] == list(BOWL.xlim)
    background, revision = panel.image.value, panel.overlay.revision
    panel.controls["lr"].value = 0.1
    assert panel.image.value == background and panel.overlay.revision == revision + 1  # the PNG is the static part
    ((path, gaps, colour, diverged),) = series_of(panel)
    np.testing.assert_array_equal(path, gd_on_bowl(0.1).path)
    np.testing.assert_array_equal(gaps, descent.gaps(BOWL, gd_on_bowl(0.1)))
    assert colour == plotting.PALETTE[0] and not diverged
    panel.play.value = 5
    assert panel.overlay.revision == revision + 1 and panel._frame_link.target == (panel.overlay, "frame")


def test_a_surface_panel_rebuilds_its_loss_axes_when_the_steps_shown_change():
    panel = widgets.panel(
        {"lr": widgets.log_slider("η", 0.05, 1e-3, 1.0), "steps": widgets.int_slider("steps", 60, 10, 200)},
        gd_on_bowl,
        surface=BOWL,
    )
    panel.controls["steps"].value = 120
    assert panel.overlay.axes[1]["xlim"] == [0.0, 120.0] and panel.controls["frame"].max == 120


def test_draw_path_is_exactly_the_picture_a_surface_panel_opens_with():
    panel = widgets.panel({"lr": widgets.log_slider("η", 0.05, 1e-3, 1.0)}, gd_on_bowl, surface=BOWL, title="GD")
    whole, background = drawn(BOWL, gd_on_bowl(0.05), title="GD")
    np.testing.assert_array_equal(pixels(panel.image.value), background)
    assert not np.array_equal(whole, background)
    capped = widgets.panel({"lr": widgets.log_slider("η", 0.05, 1e-3, 1.0)}, gd_on_bowl, surface=BOWL, frames=10)
    assert capped.controls["frame"].max == 10
    np.testing.assert_array_equal(pixels(capped.image.value), drawn(BOWL, gd_on_bowl(0.05), frame=10)[1])
    ((path, gaps, _, _),) = series_of(capped)
    assert len(path) == len(gaps) == 11 and capped.overlay.axes[1]["xlim"] == [0.0, 10.0]
    assert not np.array_equal(pixels(capped.image.value), pixels(panel.image.value))


def test_a_surface_that_depends_on_controls_is_redrawn_only_when_they_change():
    built = []

    def tilted(kappa):
        built.append(kappa)
        return surfaces.quadratic(kappa=kappa, angle=0.5)

    def run(kappa, lr):
        surface = surfaces.quadratic(kappa=kappa, angle=0.5)
        trajectory = optim.run(optim.sgd(lr=lr), surface.grad, surface.start, 40)
        return {"run": trajectory, "gap": surface.f(trajectory.final)}

    panel = widgets.panel(
        {"kappa": widgets.log_slider("κ", 10.0, 1.0, 100.0), "lr": widgets.log_slider("η", 0.05, 1e-3, 1.0)},
        run,
        surface=tilted,  # its parameter names the static control
        title=lambda kappa: f"κ = {kappa:g}",
        readout=lambda data: f"gap {data['gap']:.1e}",
    )
    assert built == [10.0] and panel.ax.get_title() == "κ = 10" and panel.readout.value.startswith("gap ")
    panel.controls["lr"].value = 0.02
    assert built == [10.0]
    panel.controls["kappa"].value = 100.0
    assert built == [10.0, 100.0] and panel.ax.get_title() == "κ = 100"


def test_follow_moves_other_controls_first_and_redraws_once():
    computed = []

    def run(kappa, lr):
        computed.append((kappa, lr))
        return gd_on_bowl(lr, steps=20)

    def best_lr(kappa):
        return {"lr": 2 / (1 + kappa)}

    panel = widgets.panel(
        {"kappa": widgets.log_slider("κ", 10.0, 1.0, 100.0), "lr": widgets.log_slider("η", 0.05, 1e-3, 1.0)},
        run,
        surface=BOWL,
        follow={"kappa": best_lr},
    )
    assert computed == [(10.0, 0.05)]  # following starts with the first move, not at construction
    panel.controls["kappa"].value = 3.0
    assert computed == [(10.0, 0.05), (3.0, pytest.approx(0.5))]
    panel.controls["lr"].value = 0.1  # a follower moved by hand changes nothing else
    assert panel.controls["kappa"].value == 3.0 and computed[-1] == (3.0, 0.1)


def test_a_diverging_run_shows_its_cross_only_when_shown_whole():
    panel = widgets.panel({"lr": widgets.log_slider("η", 0.5, 1e-3, 1.0)}, gd_on_bowl, surface=BOWL)
    assert panel.data.diverged and series_of(panel)[0][3]
    capped = widgets.panel({"lr": widgets.log_slider("η", 0.5, 1e-3, 1.0)}, gd_on_bowl, surface=BOWL, frames=1)
    assert not series_of(capped)[0][3]
    figure = Figure()
    ax, loss_ax = figure.subplots(1, 2)
    widgets.draw_path(ax, BOWL, panel.data, loss_ax=loss_ax)
    assert all(any(line.get_color() == "red" for line in axes.lines) for axes in (ax, loss_ax))


def test_a_compute_that_returns_no_run_is_reported_in_the_readout():
    panel = widgets.panel({"lr": widgets.log_slider("η", 0.05, 1e-3, 1.0)}, lambda lr: lr, surface=BOWL)
    assert "compute must return the run" in panel.readout.value and panel.data is None
    assert bytes(panel.image.value).startswith(PNG_SIGNATURE)


def test_a_follow_rule_that_names_no_control_is_refused():
    panel = widgets.panel(
        {"lr": widgets.log_slider("η", 0.05, 1e-3, 1.0)}, gd_on_bowl, surface=BOWL, follow={"lr": lambda lr: {"mu": 0}}
    )
    with pytest.raises(ValueError, match=re.escape("follow['lr'] sets 'mu', not among the controls (lr)")):
        panel.controls["lr"].value = 0.1
    panel = widgets.panel(
        {"lr": widgets.log_slider("η", 0.05, 1e-3, 1.0)}, gd_on_bowl, surface=BOWL, follow={"lr": lambda lr: lr}
    )
    with pytest.raises(ValueError, match=re.escape("follow['lr'] must return a dict control name → value")):
        panel.controls["lr"].value = 0.1


def nothing(ax, data, frame):
    return []


@pytest.mark.parametrize(
    "kw,message",
    [
        (dict(), "a panel needs draw(ax, data, frame), or surface=…"),
        (dict(surface=BOWL, draw=nothing), "give surface=… or draw/background, not both"),
        (dict(surface=BOWL, background=nothing), "give surface=… or draw/background, not both"),
        (dict(surface="quadratic"), "surface must be a Surface or a function of static controls"),
        (dict(surface=BOWL, static=("lr",)), "static names the controls a surface depends on"),
        (dict(surface=lambda kappa: BOWL), "static names kappa are not among the controls (lr)"),
        (dict(surface=BOWL, title=3), "title must be a string or a function of the static controls"),
        (dict(draw=nothing, title="GD"), "title is the title of a surface panel"),
        (dict(surface=BOWL, frames="10"), "frames must be a number of steps or a function of the data"),
        (dict(surface=BOWL, frames=0), "frames must be an integer"),
        (dict(draw=nothing, frames=10), "frames as a number of steps caps a surface panel's path"),
        (dict(surface=BOWL, follow=["lr"]), "follow must be a dict control name → function"),
        (dict(surface=BOWL, follow={"mu": print}), "follow names 'mu', which is not among the controls (lr)"),
        (dict(surface=BOWL, follow={"lr": 0.1}), "follow['lr'] must be a function of the new value"),
    ],
)
def test_surface_panel_bad_input_is_named(kw, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        widgets.panel({"lr": widgets.log_slider("η", 0.05, 1e-3, 1.0)}, gd_on_bowl, **kw)
    with pytest.raises(ValueError, match="compute must be a function"):
        widgets.panel({"lr": widgets.log_slider("η", 0.05, 1e-3, 1.0)}, None, surface=BOWL)


def test_draw_path_bad_input():
    figure = Figure()
    ax = figure.add_subplot()
    with pytest.raises(ValueError, match="surface must be a Surface"):
        widgets.draw_path(ax, "quadratic", gd_on_bowl(0.05))
    with pytest.raises(ValueError, match=re.escape('a dict holding it under "run", got ndarray')):
        widgets.draw_path(ax, BOWL, gd_on_bowl(0.05).path)
    with pytest.raises(ValueError, match="frame must be an integer"):
        widgets.draw_path(ax, BOWL, gd_on_bowl(0.05), frame=-1)
    artists = widgets.draw_path(ax, BOWL, {"run": gd_on_bowl(0.05)}, frame=500)  # beyond the run: all of it
    assert len(artists[0].get_xdata()) == 61 and ax.get_title() == BOWL.name


# --------------------------------------------------------------------------- start, loss curves, side by side


def series_of(panel):
    """The overlay's runs as numbers: [(path (k + 1, 2), gaps, colour, diverged)]."""
    return [
        (np.frombuffer(s["path"]).reshape(-1, 2), np.frombuffer(s["gaps"]), s["colour"], s["diverged"])
        for s in panel.overlay.series
    ]


def pixel_of(panel, x, y):
    return plotting.data_to_pixel(panel.ax, x, y)


def test_explore_sends_its_runs_to_the_overlay_with_their_loss_curves():
    panel = widgets.explore("quadratic", "sgd", steps=80, lr=0.1)
    ((path, gaps, colour, diverged),) = series_of(panel)
    run = panel.data["runs"]["sgd"]
    np.testing.assert_array_equal(path, run.path)
    np.testing.assert_array_equal(gaps, descent.gaps(panel.data["surface"], run))
    assert colour == plotting.PALETTE[0] and diverged is False
    surface_box, loss_box = panel.overlay.axes
    assert loss_box["ylog"] and loss_box["xlim"] == [0.0, 80.0] and loss_box["ylim"][0] == descent.FLOOR
    assert surface_box["xlim"] == list(surfaces.quadratic().xlim)
    assert panel.overlay.size == [int(panel.figure.bbox.width), int(panel.figure.bbox.height)]
    assert panel.figure.axes[1].get_yscale() == "log"


def test_a_slider_sends_a_new_run_and_play_sends_nothing():
    panel = widgets.explore("rosenbrock", "adam", steps=200)
    revision, background = panel.overlay.revision, panel.image.value
    panel.controls["lr"].value = 0.02
    assert panel.overlay.revision == revision + 1 and panel.image.value == background  # the PNG is the static part
    np.testing.assert_array_equal(series_of(panel)[0][0], descent.descend("rosenbrock", "adam", lr=0.02).path)
    panel.play.value = 5
    assert panel.controls["frame"].value == 5 and panel.overlay.revision == revision + 1
    link = panel._frame_link
    assert (link.source, link.target) == ((panel.play, "value"), (panel.overlay, "frame"))  # drawn in the browser


def test_divergence_ends_the_curve_and_reads_diverged():
    panel = widgets.explore("quadratic", "sgd", steps=100)
    panel.controls["lr"].value = 5.0
    ((path, gaps, _, diverged),) = series_of(panel)
    run = panel.data["runs"]["sgd"]
    assert diverged and len(path) == len(run.path) and len(gaps) <= len(path) and np.isfinite(gaps).all()
    assert "diverged at step" in panel.readout.value and panel.controls["frame"].max == len(run.path) - 1


def test_a_click_on_the_surface_moves_the_start():
    panel = widgets.explore("rosenbrock", "adam", steps=50)
    assert panel.start == (-1.5, 2.0)
    assert panel.click(*pixel_of(panel, -1.0, 2.5)) == pytest.approx((-1.0, 2.5))
    run = panel.data["runs"]["adam"]
    np.testing.assert_allclose(run.path[0], [-1.0, 2.5])
    np.testing.assert_allclose(run.path, descent.descend("rosenbrock", "adam", steps=50, start=run.path[0]).path)
    assert "start (-1, 2.5)" in panel.readout.value
    assert series_of(panel)[0][0][0] == pytest.approx([-1.0, 2.5])
    panel.controls["lr"].value = 0.05  # a slider keeps the start
    np.testing.assert_allclose(panel.data["runs"]["adam"].path[0], [-1.0, 2.5])
    panel.controls["surface"].value = "himmelblau"  # another surface starts from its own start
    np.testing.assert_array_equal(panel.data["runs"]["adam"].path[0], surfaces.himmelblau().start)


def test_a_click_outside_the_surface_is_ignored():
    panel = widgets.explore("rosenbrock", "adam", steps=20)
    revision = panel.overlay.revision
    box = panel.overlay.axes[1]  # on the loss curves
    assert panel.click(box["left"] + 10, box["top"] + 10) is None
    assert panel.click(1, 1) is None and panel.overlay.revision == revision and panel.start == (-1.5, 2.0)


def test_pointer_events_press_and_drag_move_the_start_hovering_does_not():
    panel = widgets.explore("himmelblau", "sgd", steps=20)
    px, py = pixel_of(panel, 1.0, -2.0)
    panel._pointer({"type": "mousemove", "buttons": 0, "dataX": px, "dataY": py})
    assert panel.start == tuple(surfaces.himmelblau().start)
    panel._pointer({"type": "mousedown", "buttons": 1, "dataX": px, "dataY": py})
    assert panel.start == pytest.approx((1.0, -2.0), abs=1e-9)
    px, py = pixel_of(panel, 2.0, 3.0)
    panel._pointer({"type": "mousemove", "buttons": 1, "dataX": px, "dataY": py})
    assert panel.start == pytest.approx((2.0, 3.0), abs=1e-9)
    assert panel.events.source is panel.image and set(panel.events.watched_events) >= {
        "click",
        "mousedown",
        "mousemove",
    }


def test_a_panel_with_a_flipped_axis_maps_clicks_through_its_transform():
    def background(ax):
        ax.set_xlim(0.0, 4.0)
        ax.set_ylim(3.0, -1.0)  # flipped: y runs down, the top row of pixels is y = -1

    panel = widgets.panel(
        {"a": widgets.slider("a", 1.0, 0.0, 2.0)},
        compute=lambda a, start: start,
        draw=lambda ax, data, frame: ax.plot(*data, "o"),
        background=background,
        start=(1.0, 1.0),
    )
    box = panel.overlay.axes[0]
    x, y = panel.click(box["left"], box["top"] + box["height"] / 4)
    assert (x, y) == pytest.approx((0.0, 0.0), abs=0.02)  # a quarter of the way down from y = -1 towards 3
    assert panel.data == (x, y)


def test_explore_two_optimizers_side_by_side():
    panel = widgets.explore("rosenbrock", [optim.sgd(lr=1e-3, momentum=0.9), "adam"], steps=60)
    assert [panel.controls[k].description for k in ("lr_0", "lr_1")] == ["η sgd", "η adam"]
    assert "momentum" not in panel.controls and "beta1" not in panel.controls  # one η each, the rest fixed
    series = series_of(panel)
    assert [s[2] for s in series] == list(plotting.COMPARED[:2])
    np.testing.assert_array_equal(series[0][0], descent.descend("rosenbrock", "sgd", 60, lr=1e-3, momentum=0.9).path)
    np.testing.assert_array_equal(series[1][0], descent.descend("rosenbrock", "adam", 60).path)
    lines = panel.readout.value.split("<br>")
    assert lines[0].endswith("sgd: " + html.escape(descent.summary(panel.data["surface"], panel.data["runs"]["sgd"])))
    assert "adam: " in lines[1] and lines[2].startswith("start")
    panel.controls["lr_1"].value = 0.01  # moves Adam only
    np.testing.assert_array_equal(series_of(panel)[0][0], series[0][0])
    assert not np.array_equal(series_of(panel)[1][0], series[1][0])
    panel.click(*pixel_of(panel, 0.5, 2.5))  # one start for both
    assert all(s[0][0] == pytest.approx([0.5, 2.5]) for s in series_of(panel))
    assert panel.ax.get_title() == "sgd vs adam on rosenbrock"


def test_explore_labels_two_of_a_kind_with_a_dict():
    panel = widgets.explore(
        "beale", {"Adam": "adam", "no bias correction": optim.adam(bias_correction=False)}, steps=20
    )
    assert list(panel.data["runs"]) == ["Adam", "no bias correction"]
    assert panel.controls["lr_1"].description == "η no bias correction"


@pytest.mark.parametrize(
    "optimizer, kw, message",
    [
        ([], {}, "compare 1 to 3 optimizers at a time, got 0"),
        (["sgd", "adam", "rmsprop", "adagrad"], {}, "compare 1 to 3 optimizers at a time, got 4"),
        (["adam", "adam"], {}, "adam appears more than once"),
        (["sgd", "adam"], {"lr": 0.1}, "ambiguous with several optimizers"),
        (["sgd", None], {}, "each optimizer must be a name or an Optimizer"),
        ("adam", {"start": (1.0,)}, "start must be a finite point"),
        ("adam", {"start": (0.0, float("inf"))}, "start must be a finite point"),
    ],
)
def test_explore_bad_comparisons_and_starts_are_named(optimizer, kw, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        widgets.explore("rosenbrock", optimizer, **kw)


def test_panel_start_bad_input():
    def nothing(**values):
        return None

    a = {"a": widgets.slider("a", 0.0, 0.0, 1.0)}
    with pytest.raises(ValueError, match="compute takes start"):
        widgets.panel(dict(a), lambda a, start: None, nothing)
    with pytest.raises(ValueError, match="no parameter start"):
        widgets.panel(dict(a), lambda a: None, nothing, start=(0.0, 0.0))
    with pytest.raises(ValueError, match="not among the controls"):
        widgets.panel(dict(a), lambda a, start: None, nothing, start=lambda surface: (0.0, 0.0))
    with pytest.raises(ValueError, match="frames"):
        widgets.panel(dict(a), lambda a: None, None, series=lambda data: [])


def test_a_surface_panel_whose_compute_takes_start_moves_it_on_a_click():
    def gd_from(lr, start):
        return optim.run(optim.sgd(lr=lr), BOWL.grad, start, 60)

    panel = widgets.panel({"lr": widgets.log_slider("η", 0.05, 1e-3, 1.0)}, gd_from, surface=BOWL)
    assert panel.start == tuple(BOWL.start) and panel.events is not None
    point = panel.click(*plotting.data_to_pixel(panel.ax, 1.0, -2.0))
    assert point == pytest.approx((1.0, -2.0))
    np.testing.assert_array_equal(panel.data.path, gd_from(0.05, np.array(point)).path)

    def quadratic(kappa):
        return surfaces.quadratic(kappa=kappa)

    chooser = widgets.panel(
        {"lr": widgets.log_slider("η", 0.05, 1e-3, 1.0), "kappa": widgets.log_slider("κ", 10.0, 1.0, 100.0)},
        lambda lr, kappa, start: optim.run(optim.sgd(lr=lr), quadratic(kappa).grad, start, 20),
        surface=quadratic,
    )
    chooser.click(*plotting.data_to_pixel(chooser.ax, 2.0, 1.0))
    assert chooser.start == pytest.approx((2.0, 1.0))
    chooser.controls["kappa"].value = 20.0  # a new surface: its own start again
    assert chooser.start == tuple(surfaces.quadratic(kappa=20.0).start)


def test_a_panel_without_start_ignores_clicks():
    panel = widgets.panel({"lr": widgets.log_slider("η", 0.05, 1e-3, 1.0)}, gd_on_bowl, surface=BOWL)
    assert panel.events is None and panel.click(100, 100) is None


def test_a_control_forwarded_by_the_page_redraws_at_once_and_is_answered(monkeypatch):
    panel = widgets.explore("rosenbrock", "adam", steps=50)
    sent = []
    monkeypatch.setattr(panel.overlay, "send", sent.append)
    assert panel.overlay.controls["lr"] is panel.controls["lr"] and "frame" not in panel.overlay.controls
    revision = panel.overlay.revision
    panel._forwarded(panel.overlay, {"control": "lr", "state": {"value": 0.02}}, [])
    assert panel.controls["lr"].value == 0.02 and panel.overlay.revision == revision + 1 and sent == [{"done": True}]
    panel._forwarded(panel.overlay, {"control": "lr", "state": {"value": 0.02}}, [])  # the same value: no new run
    assert panel.overlay.revision == revision + 1 and len(sent) == 2
    for content in ({"control": "frame", "state": {"value": 3}}, {"control": "lr", "state": {"min": 0}}):
        panel._forwarded(panel.overlay, content, [])  # the animation step and other attributes are not taken
    assert panel.controls["frame"].value == 50 and panel.controls["lr"].min != 0 and len(sent) == 4
    panel._forwarded(panel.overlay, {"event": "click"}, [])  # not a control's: no answer
    assert len(sent) == 4
