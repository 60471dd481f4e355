"""helpers.plotting draws on a given ax, headless: every surface, cached grids, diverged paths, bad input."""

import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from helpers import descent, plotting, surfaces


def new_ax():
    """An ax on an Agg figure of its own: no pyplot, so no display backend is involved."""
    fig = Figure(figsize=(4, 3), dpi=50)
    FigureCanvasAgg(fig)
    return fig.add_subplot()


def counting(surface):
    """`surface` with an f that records the shape of every argument it is called with."""
    shapes = []

    def f(xy):
        shapes.append(np.shape(xy))
        return surface.f(xy)

    return surface._replace(f=f), shapes


@pytest.mark.parametrize("name", surfaces.NAMES)
def test_every_surface_draws_with_its_limits_and_minima(name):
    surface = surfaces.get(name)
    ax = new_ax()
    contours, stars = plotting.contour(ax, surface, resolution=60)
    run = descent.descend(surface, "adam", steps=20)
    lines = plotting.trajectory(ax, run, label="adam")
    plotting.loss_curve(new_ax(), surface.f(run.path) - surface.f_star)
    ax.figure.canvas.draw()
    assert ax.get_xlim() == pytest.approx(surface.xlim) and ax.get_ylim() == pytest.approx(surface.ylim)
    np.testing.assert_array_equal(np.column_stack(stars.get_data()), surface.minima)
    np.testing.assert_array_equal(np.column_stack(lines[0].get_data()), run.path)
    assert len(contours.levels) == 30


def test_contour_levels_are_geometric():
    contours, _ = plotting.contour(new_ax(), surfaces.rosenbrock(), levels=12, resolution=50)
    ratios = contours.levels[1:] / contours.levels[:-1]
    np.testing.assert_allclose(ratios, ratios[0], rtol=1e-9)
    assert ratios[0] > 1


def test_contour_grid_is_evaluated_once_per_surface_and_resolution():
    surface, shapes = counting(surfaces.himmelblau())

    def grid_calls():  # calls on an (H, W, 2) grid, not the few points f* is computed from
        return sum(len(shape) == 3 for shape in shapes)

    plotting.contour(new_ax(), surface, resolution=80)
    plotting.contour(new_ax(), surface, resolution=80, filled=False)
    assert grid_calls() == 1 and (80, 80, 2) in shapes
    plotting.contour(new_ax(), surface, resolution=40)
    assert grid_calls() == 2
    other, other_shapes = counting(surfaces.quadratic(kappa=50))  # same kind of surface, new f: its own grid
    plotting.contour(new_ax(), other, resolution=80)
    assert sum(len(shape) == 3 for shape in other_shapes) == 1


def test_diverged_run_draws_its_finite_prefix_and_a_red_cross():
    surface = surfaces.quadratic()
    run = descent.descend(surface, "sgd", steps=100, lr=1.0)  # η > 2/λ_max = 0.2
    assert run.diverged
    ax = new_ax()
    line, start, end, cross = plotting.trajectory(ax, run)
    np.testing.assert_array_equal(np.column_stack(line.get_data()), run.path)
    np.testing.assert_array_equal(np.ravel(cross.get_data()), run.path[-1])
    assert cross.get_color() == "red"
    ax.figure.canvas.draw()


def test_trajectory_stops_at_the_first_non_finite_point():
    path = np.array([[0.0, 0.0], [1.0, 1.0], [np.nan, 2.0], [2.0, 2.0]])
    line, _, end = plotting.trajectory(new_ax(), path, diverged=False)
    assert len(line.get_xdata()) == 2
    np.testing.assert_array_equal(np.ravel(end.get_data()), [1.0, 1.0])
    assert plotting.trajectory(new_ax(), np.full((3, 2), np.inf)) == []


def test_trajectories_share_one_contour_and_a_legend():
    surface = surfaces.saddle()
    paths = {name: descent.descend(surface, name, steps=30) for name in ("sgd", "adam")}
    ax = new_ax()
    lines = plotting.trajectories(ax, surface, paths)
    assert list(lines) == ["sgd", "adam"]
    assert lines["sgd"][0].get_color() != lines["adam"][0].get_color()
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["sgd", "adam"]


def test_loss_curve_uses_a_log_axis_only_for_positive_losses():
    ax = new_ax()
    line = plotting.loss_curve(ax, [4.0, 2.0, 1.0, np.inf, 0.5], label="gap")
    assert ax.get_yscale() == "log" and len(line.get_xdata()) == 3
    assert ax.get_xlabel() == "step"
    ax = new_ax()
    plotting.loss_curve(ax, [1.0, 0.0])
    assert ax.get_yscale() == "linear"
    ax = new_ax()
    plotting.loss_curve(ax, [4.0, 2.0], log=False)
    assert ax.get_yscale() == "linear"


def test_draw_explore_draws_the_default_run_and_names_it():
    ax = new_ax()
    explored = descent.explore_run("quadratic", "sgd", steps=50, kappa=20.0, momentum=0.5)
    plotting.draw_explore(ax, explored)
    expected = descent.descend(surfaces.quadratic(kappa=20.0), "sgd", steps=50, momentum=0.5)
    np.testing.assert_array_equal(explored.run.path, expected.path)
    title = ax.get_title()
    assert "sgd(lr=0.15, momentum=0.5) on quadratic (κ = 20)" in title and "f − f*" in title
    ax.figure.canvas.draw()


@pytest.mark.parametrize(
    "call, word",
    [
        (lambda: plotting.contour(new_ax(), surfaces.beale(), resolution=1), "resolution"),
        (lambda: plotting.contour(new_ax(), surfaces.beale(), levels=1.5), "levels"),
        (lambda: plotting.trajectory(new_ax(), np.zeros((4, 3))), "path"),
        (lambda: plotting.loss_curve(new_ax(), np.zeros((2, 2))), "losses"),
    ],
)
def test_bad_input_raises_a_value_error_naming_it(call, word):
    with pytest.raises(ValueError, match=word):
        call()


def drawn_ax(**subplot_kw):
    fig = Figure(figsize=(5, 4), dpi=80)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot(**subplot_kw)
    ax.set_xlim(-2.0, 2.0)
    ax.set_ylim(-1.0, 3.0)
    fig.canvas.draw()
    return ax


def test_pixel_to_data_counts_pixels_down_from_the_top():
    ax = drawn_ax()
    box = plotting.axes_box(ax)
    left, top, width, height = box["left"], box["top"], box["width"], box["height"]
    assert plotting.pixel_to_data(ax, left, top) == pytest.approx((-2.0, 3.0))  # top-left corner: the largest y
    assert plotting.pixel_to_data(ax, left + width, top + height) == pytest.approx((2.0, -1.0))
    assert plotting.pixel_to_data(ax, left + width / 4, top + height / 4) == pytest.approx((-1.0, 2.0))
    x, y = 0.7, -0.3
    assert plotting.pixel_to_data(ax, *plotting.data_to_pixel(ax, x, y)) == pytest.approx((x, y))
    assert plotting.inside(ax, -1.0, 2.0) and not plotting.inside(ax, -1.0, 3.5)


def test_pixel_to_data_follows_a_flipped_or_log_axis():
    ax = drawn_ax()
    ax.invert_yaxis()  # y now runs down: the top row of pixels is y = -1
    ax.figure.canvas.draw()
    box = plotting.axes_box(ax)
    assert plotting.pixel_to_data(ax, box["left"], box["top"]) == pytest.approx((-2.0, -1.0))
    assert box["ylim"] == [3.0, -1.0]
    log = drawn_ax()
    log.set_yscale("log")
    log.set_ylim(1e-6, 1e2)
    log.figure.canvas.draw()
    box = plotting.axes_box(log)
    assert box["ylog"] and not box["xlog"]
    _, y = plotting.pixel_to_data(log, box["left"], box["top"] + box["height"] / 2)
    assert y == pytest.approx(1e-2)  # halfway up eight decades
    with pytest.raises(ValueError, match="px"):
        plotting.pixel_to_data(log, float("nan"), 3)


def test_explore_picture_with_its_loss_curves():
    fig = Figure(figsize=(8.4, 3.8), dpi=50)
    FigureCanvasAgg(fig)
    ax, loss_ax = fig.subplots(1, 2)
    explored = descent.explore_run("quadratic", ["sgd", "adam"], steps=60, kappa=10.0)
    plotting.draw_explore(ax, explored, loss_ax)
    fig.canvas.draw()
    assert loss_ax.get_yscale() == "log" and loss_ax.get_xlim() == (0, 60)
    assert loss_ax.get_ylim()[0] == descent.FLOOR
    curves = [line for line in loss_ax.lines if line.get_linestyle() == "-"]
    assert [line.get_color() for line in curves] == list(plotting.COMPARED[:2])
    np.testing.assert_allclose(
        curves[0].get_ydata(), np.maximum(descent.gaps(explored.surface, explored.runs["sgd"][1]), descent.FLOOR)
    )
    assert [t.get_text().split(":")[0] for t in loss_ax.get_legend().get_texts()] == ["sgd", "adam"]


def test_a_diverging_run_ends_its_loss_curve_with_a_cross():
    ax = new_ax()
    surface = surfaces.quadratic()
    run = descent.descend(surface, "sgd", steps=100, lr=1.0)
    plotting.gap_axes(ax, surface, 100)
    line, cross = plotting.gap_curve(ax, descent.gaps(surface, run), "red", diverged=True)
    assert len(line.get_xdata()) == len(run.path)
    assert cross.get_xdata()[0] == len(run.path) - 1 and cross.get_ydata()[0] <= ax.get_ylim()[1]
    assert plotting.gap_curve(ax, []) == []
