"""helpers.widgets without a display: panels build, controls change the PNG, errors land in the readout."""

import re

import ipywidgets
import numpy as np
import pytest

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


def test_moving_a_slider_redraws_the_image():
    panel = widgets.explore("rosenbrock", "adam", steps=200)
    before = panel.image.value
    panel.controls["lr"].value = 0.02
    assert panel.image.value != before
    assert panel.render() == panel.image.value
    _, run = panel.data
    expected = descent.descend("rosenbrock", "adam", steps=200, lr=0.02)
    np.testing.assert_array_equal(run.path, expected.path)


def test_beta_sliders_feed_the_betas_pair():
    panel = widgets.explore("beale", "adam", steps=30, betas=(0.8, 0.99))
    assert (panel.controls["beta1"].value, panel.controls["beta2"].value) == (0.8, 0.99)
    panel.controls["beta2"].value = 0.9
    _, run = panel.data
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
    chosen, _ = panel.data
    assert chosen.name == "quadratic"
    before = panel.image.value
    panel.controls["kappa"].value = 100.0
    assert panel.image.value != before
    np.testing.assert_allclose(panel.data[0].f(np.array([0.0, 1.0])), 50.0)  # ½κy²


def test_a_given_surface_object_is_used_and_offered():
    custom = surfaces.quadratic(kappa=40.0, angle=0.5)
    panel = widgets.explore(custom, "adam", steps=20)
    assert panel.controls["surface"].value is custom
    assert panel.data[0] is custom
    panel.controls["surface"].value = "himmelblau"
    assert panel.data[0].name == "himmelblau"


def test_play_steps_through_frames_without_recomputing():
    panel = widgets.explore("himmelblau", "rmsprop", steps=60)
    frame = panel.controls["frame"]
    assert frame.value == frame.max == panel.play.max == 60
    data, full = panel.data, panel.image.value
    panel.play.value = 5
    assert frame.value == 5 and panel.data is data
    assert panel.image.value != full
    (path,) = [line for line in panel.ax.lines if line.get_linestyle() == "-"]
    assert len(path.get_xdata()) == 6  # θ₀ … θ₅
    panel.controls["steps"].value = 30
    assert frame.value == frame.max == 30


def test_huge_learning_rate_reads_diverged():
    panel = widgets.explore("quadratic", "sgd", steps=100)
    assert "diverged" not in panel.readout.value
    panel.controls["lr"].value = 5.0
    assert "diverged at step" in panel.readout.value
    _, run = panel.data
    assert panel.controls["frame"].max == len(run.path) - 1
    assert any(line.get_color() == "red" for line in panel.ax.lines)


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
