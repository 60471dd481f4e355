"""Loss surfaces: hand-derived gradients against torch autograd, minima, shapes and bad input."""

import math

import numpy as np
import pytest
import torch

from helpers import surfaces

QUADRATIC_CASES = [(1.0, 0.0), (10.0, 0.0), (10.0, math.pi / 6), (100.0, math.pi / 4), (3.0, -2.0)]

ALL_SURFACES = (
    [surfaces.get(name) for name in surfaces.NAMES]
    + [surfaces.quadratic(kappa, angle) for kappa, angle in QUADRATIC_CASES]
    + [surfaces.rosenbrock(a=-0.5, b=10.0), surfaces.plateau(width=0.5), surfaces.cliff(height=1.0, steepness=5.0)]
)
SURFACE_IDS = [f"{surface.name}-{index}" for index, surface in enumerate(ALL_SURFACES)]


def random_points(surface, shape, seed=0):
    """Uniform points inside the surface's plot window, shape (*shape, 2)."""
    rng = np.random.default_rng(seed)
    low = np.array([surface.xlim[0], surface.ylim[0]])
    high = np.array([surface.xlim[1], surface.ylim[1]])
    return low + (high - low) * rng.random((*shape, 2))


def autograd(surface, points):
    """∇f by torch autograd at float64 points of shape (..., 2)."""
    xy = torch.tensor(points, dtype=torch.float64, requires_grad=True)
    (gradient,) = torch.autograd.grad(surface.f(xy).sum(), xy)
    return gradient.numpy()


@pytest.mark.parametrize("surface", ALL_SURFACES, ids=SURFACE_IDS)
def test_grad_matches_torch_autograd(surface):
    points = np.concatenate([random_points(surface, (200,)), surface.minima, surface.start[None]])
    expected = autograd(surface, points)
    got = surface.grad(points)
    scale = np.maximum(np.abs(expected), 1.0)  # relative where |∇f| ≥ 1, absolute near stationary points
    np.testing.assert_array_less(np.abs(got - expected) / scale, 1e-10)


@pytest.mark.parametrize("surface", ALL_SURFACES, ids=SURFACE_IDS)
def test_torch_and_numpy_agree_and_torch_stays_on_the_graph(surface):
    points = random_points(surface, (50,), seed=1)
    xy = torch.tensor(points, dtype=torch.float64, requires_grad=True)
    loss, gradient = surface.f(xy), surface.grad(xy)
    assert isinstance(loss, torch.Tensor) and isinstance(gradient, torch.Tensor)
    assert loss.requires_grad
    np.testing.assert_allclose(loss.detach().numpy(), surface.f(points), rtol=1e-14, atol=1e-14)
    np.testing.assert_allclose(gradient.detach().numpy(), surface.grad(points), rtol=1e-14, atol=1e-14)


@pytest.mark.parametrize("surface", ALL_SURFACES, ids=SURFACE_IDS)
@pytest.mark.parametrize("shape", [(7,), (4, 5)], ids=["batch", "grid"])
def test_batched_shapes_match_pointwise_values(surface, shape):
    points = random_points(surface, shape, seed=2)
    loss, gradient = surface.f(points), surface.grad(points)
    assert np.shape(loss) == shape
    assert np.shape(gradient) == (*shape, 2)
    flat = points.reshape(-1, 2)
    pointwise_loss = np.array([surface.f(point) for point in flat]).reshape(shape)
    pointwise_grad = np.array([surface.grad(point) for point in flat]).reshape((*shape, 2))
    np.testing.assert_allclose(loss, pointwise_loss, rtol=1e-15)
    np.testing.assert_allclose(gradient, pointwise_grad, rtol=1e-15)


def test_lists_and_ints_are_accepted():
    surface = surfaces.rosenbrock()
    assert surface.f([1, 1]) == 0.0
    np.testing.assert_array_equal(surface.grad([[0, 0], [1, 1]]), [[-2.0, 0.0], [0.0, 0.0]])
    assert surface.grad([0, 0]).dtype == np.float64


@pytest.mark.parametrize("surface", ALL_SURFACES, ids=SURFACE_IDS)
def test_fields_have_the_documented_types(surface):
    assert surface._fields == ("name", "f", "grad", "minima", "start", "xlim", "ylim")
    assert surface.minima.dtype == np.float64 and surface.minima.ndim == 2 and surface.minima.shape[1] == 2
    assert surface.start.dtype == np.float64 and surface.start.shape == (2,)
    for low, high in (surface.xlim, surface.ylim):
        assert low < high
    for point in (*surface.minima, surface.start):
        assert surface.xlim[0] < point[0] < surface.xlim[1]
        assert surface.ylim[0] < point[1] < surface.ylim[1]


@pytest.mark.parametrize("surface", ALL_SURFACES, ids=SURFACE_IDS)
def test_every_listed_minimum_is_a_stationary_local_minimum(surface):
    assert np.all(np.linalg.norm(surface.grad(surface.minima), axis=-1) < 1e-6)
    angles = np.linspace(0.0, 2 * np.pi, 16, endpoint=False)
    directions = np.stack([np.cos(angles), np.sin(angles)], axis=-1)
    for minimum in surface.minima:
        for radius in (1e-3, 1e-2):
            neighbours = minimum + radius * directions
            assert np.all(surface.f(neighbours) > surface.f(minimum))


def test_the_start_is_not_a_minimum():
    for surface in ALL_SURFACES:
        assert np.linalg.norm(surface.grad(surface.start)) > 0


@pytest.mark.parametrize("kappa", [1.0, 2.5, 10.0, 1e4])
@pytest.mark.parametrize("angle", [0.0, 0.3, math.pi / 4, math.pi / 2, -1.2, 7.0])
def test_quadratic_hessian_has_eigenvalues_one_and_kappa(kappa, angle):
    H = surfaces.hessian(kappa, angle)
    np.testing.assert_array_equal(H, H.T)
    np.testing.assert_allclose(np.linalg.eigvalsh(H), [1.0, kappa], rtol=1e-12)
    eigenvector = np.array([math.cos(angle), math.sin(angle)])  # λ₁ = 1 along the rotated x axis
    np.testing.assert_allclose(H @ eigenvector, eigenvector, atol=1e-12 * kappa)
    surface = surfaces.quadratic(kappa, angle)
    points = random_points(surface, (10,), seed=3)
    np.testing.assert_allclose(surface.grad(points), points @ H.T, rtol=1e-13, atol=1e-13)  # ∇f = Hθ
    np.testing.assert_allclose(surface.f(points), 0.5 * np.einsum("ni,ij,nj->n", points, H, points), rtol=1e-13)


def test_quadratic_hessian_matches_torch_hessian():
    surface = surfaces.quadratic(kappa=7.0, angle=0.4)
    point = torch.tensor([0.3, -1.1], dtype=torch.float64)
    np.testing.assert_allclose(
        torch.autograd.functional.hessian(surface.f, point).numpy(), surfaces.hessian(7.0, 0.4), rtol=1e-13
    )


def test_axis_aligned_quadratic_is_diagonal_and_start_rotates_with_the_eigenbasis():
    np.testing.assert_array_equal(surfaces.hessian(10.0, 0.0), np.diag([1.0, 10.0]))
    aligned, rotated = surfaces.quadratic(10.0, 0.0), surfaces.quadratic(10.0, 0.7)
    np.testing.assert_allclose(np.linalg.norm(rotated.start), np.linalg.norm(aligned.start))
    np.testing.assert_allclose(rotated.f(rotated.start), aligned.f(aligned.start), rtol=1e-13)


def test_himmelblau_has_four_distinct_global_minima():
    surface = surfaces.himmelblau()
    assert surface.minima.shape == (4, 2)
    np.testing.assert_allclose(surface.f(surface.minima), 0.0, atol=1e-20)
    distances = np.linalg.norm(surface.minima[:, None] - surface.minima[None], axis=-1)
    assert np.all(distances[~np.eye(4, dtype=bool)] > 1.0)
    np.testing.assert_allclose(surface.minima[0], [3.0, 2.0])


def test_known_minimum_values():
    assert surfaces.rosenbrock().f(surfaces.rosenbrock().minima) == pytest.approx([0.0])
    np.testing.assert_array_equal(surfaces.rosenbrock(a=2.0).minima, [[2.0, 4.0]])
    assert surfaces.beale().f(surfaces.beale().minima) == pytest.approx([0.0])
    np.testing.assert_allclose(surfaces.saddle().f(surfaces.saddle().minima), [-1.0, -1.0])
    assert surfaces.plateau().f(surfaces.plateau().minima) == pytest.approx([0.0])


def test_saddle_has_a_strict_saddle_at_the_origin():
    surface = surfaces.saddle()
    origin = torch.zeros(2, dtype=torch.float64)
    np.testing.assert_array_equal(surface.grad(np.zeros(2)), [0.0, 0.0])
    eigenvalues = np.linalg.eigvalsh(torch.autograd.functional.hessian(surface.f, origin).numpy())
    np.testing.assert_allclose(eigenvalues, [-2.0, 2.0])


def test_multi_minimum_wells_differ_in_depth_and_the_deepest_is_global():
    surface = surfaces.multi_minimum()
    depths = surface.f(surface.minima)
    assert len(surface.minima) >= 3
    assert len(np.unique(np.round(depths, 6))) == len(depths)
    grid = np.stack(np.meshgrid(np.linspace(*surface.xlim, 141), np.linspace(*surface.ylim, 141)), axis=-1)
    assert depths.min() <= surface.f(grid).min()


def test_plateau_gradient_vanishes_at_the_start():
    surface = surfaces.plateau()
    assert 0 < np.linalg.norm(surface.grad(surface.start)) < 1e-3
    assert surface.f(surface.start) > 0.999


def test_cliff_gradient_on_the_wall_dwarfs_the_rest():
    surface = surfaces.cliff()
    grid = np.stack(np.meshgrid(np.linspace(*surface.xlim, 81), np.linspace(*surface.ylim, 61)), axis=-1)
    off_wall = grid[np.abs(grid[..., 0]) >= 0.25]
    wall_gradient = np.linalg.norm(surface.grad(surface.start))
    np.testing.assert_allclose(wall_gradient, np.hypot(3.0 * 40.0 / 4 + 1.0, 2.0))  # peak h·s/4, plus the bowl
    assert wall_gradient > 7 * np.linalg.norm(surface.grad(off_wall), axis=-1).max()
    # no overflow far from the wall, where a naive logistic would compute exp(s·x) → inf
    assert np.all(np.isfinite(surface.grad(np.array([[-1e3, 0.0], [1e3, 0.0]]))))


def test_torch_optimizer_runs_on_a_surface():
    surface = surfaces.quadratic(kappa=4.0, angle=0.5)
    theta = torch.tensor(surface.start, requires_grad=True)
    optimizer = torch.optim.SGD([theta], lr=0.2)
    for _ in range(200):
        optimizer.zero_grad()
        surface.f(theta).backward()
        optimizer.step()
    np.testing.assert_allclose(theta.detach().numpy(), [0.0, 0.0], atol=1e-10)


def test_get_builds_every_name_and_passes_keywords():
    assert surfaces.NAMES == (
        "quadratic",
        "rosenbrock",
        "beale",
        "himmelblau",
        "saddle",
        "multi_minimum",
        "plateau",
        "cliff",
    )
    for name in surfaces.NAMES:
        assert surfaces.get(name).name == name
    np.testing.assert_array_equal(surfaces.get("quadratic", kappa=50.0).f(np.array([0.0, 1.0])), 25.0)


@pytest.mark.parametrize("name", ["rosenbrok", "", "Quadratic", None, 3])
def test_get_rejects_unknown_names_and_lists_the_valid_ones(name):
    with pytest.raises(ValueError, match="valid names are quadratic, rosenbrock, .*cliff"):
        surfaces.get(name)


@pytest.mark.parametrize(
    "factory, kwargs, message",
    [
        (surfaces.quadratic, {"kappa": 0.5}, r"kappa must be ≥ 1, got 0\.5"),
        (surfaces.quadratic, {"kappa": -3}, "kappa must be ≥ 1"),
        (surfaces.quadratic, {"kappa": float("nan")}, "kappa must be finite, got nan"),
        (surfaces.quadratic, {"kappa": float("inf")}, "kappa must be finite, got inf"),
        (surfaces.quadratic, {"kappa": "ten"}, "kappa must be a real number, got 'ten'"),
        (surfaces.quadratic, {"kappa": "30"}, "kappa must be a real number, got '30'"),
        (surfaces.quadratic, {"kappa": True}, "kappa must be a real number, got True"),
        (surfaces.quadratic, {"angle": float("nan")}, "angle must be finite, got nan"),
        (surfaces.hessian, {"kappa": 0.0}, "kappa must be ≥ 1"),
        (surfaces.hessian, {"angle": None}, "angle must be a real number, got None"),
        (surfaces.rosenbrock, {"b": 0.0}, "b must be > 0, got 0.0"),
        (surfaces.rosenbrock, {"a": float("inf")}, "a must be finite, got inf"),
        (surfaces.plateau, {"width": -1.0}, "width must be > 0"),
        (surfaces.cliff, {"height": 0.0}, "height must be > 0"),
        (surfaces.cliff, {"steepness": float("nan")}, "steepness must be finite"),
    ],
)
def test_bad_parameters_raise_value_error_naming_parameter_and_range(factory, kwargs, message):
    with pytest.raises(ValueError, match=message):
        factory(**kwargs)


BAD_POINTS = [np.zeros(3), np.zeros((4, 3)), np.zeros((2, 1)), np.float64(1.0), torch.zeros(5, 1)]


@pytest.mark.parametrize("bad", BAD_POINTS, ids=["(3,)", "(4, 3)", "(2, 1)", "scalar", "torch (5, 1)"])
def test_points_without_a_last_axis_of_two_are_rejected(bad):
    surface = surfaces.quadratic()
    for function in (surface.f, surface.grad):
        with pytest.raises(ValueError, match=r"xy must have shape \(\.\.\., 2\).*got shape"):
            function(bad)


def test_every_surface_checks_its_points():
    for surface in ALL_SURFACES[: len(surfaces.NAMES)]:
        for function in (surface.f, surface.grad):
            with pytest.raises(ValueError, match=r"xy must have shape \(\.\.\., 2\)"):
                function(np.zeros(3))
