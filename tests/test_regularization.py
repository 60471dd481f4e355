"""helpers.regularization against closed forms and torch: proximal steps, projections, dropout, early stopping."""

import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from helpers import optim
from helpers import regularization as reg

# --------------------------------------------------------------------------- features and ridge


def test_polynomial_features_span_the_same_polynomials_in_both_bases():
    x = np.linspace(-1, 1, 7)
    monomial = reg.polynomial_features(x, 3)
    assert np.array_equal(monomial, np.stack([np.ones(7), x, x**2, x**3], axis=1))
    legendre = reg.polynomial_features(x, 3, basis="legendre")
    assert np.allclose(legendre[:, 2], (3 * x**2 - 1) / 2, atol=1e-15)
    assert np.allclose(legendre[:, 3], (5 * x**3 - 3 * x) / 2, atol=1e-15)
    change = np.linalg.lstsq(monomial, legendre, rcond=None)[0]  # every Legendre column is a monomial combination
    assert np.allclose(monomial @ change, legendre, atol=1e-12)
    assert reg.polynomial_features(x, 0).shape == (7, 1)


@pytest.mark.parametrize("omega", [0.0, 1e-3, 0.5])
def test_ridge_zeroes_the_gradient_of_the_penalized_mse_computed_by_autograd(omega):
    rng = np.random.default_rng(0)
    X = reg.polynomial_features(rng.uniform(-1, 1, 12), 5, basis="legendre")
    y = rng.normal(size=12)
    theta = torch.tensor(reg.ridge(X, y, omega), requires_grad=True)
    objective = torch.mean((torch.tensor(X) @ theta - torch.tensor(y)) ** 2) + omega / 2 * theta.dot(theta)
    objective.backward()
    assert theta.grad.abs().max().item() < 1e-12


def test_ridge_without_penalty_is_the_minimum_norm_least_squares_solution():
    rng = np.random.default_rng(1)
    X, y = rng.normal(size=(4, 9)), rng.normal(size=4)  # more unknowns than equations
    assert np.allclose(reg.ridge(X, y, 0.0), np.linalg.pinv(X) @ y, atol=1e-12)
    assert reg.mse(X, y, reg.ridge(X, y, 0.0)) < 1e-24


def test_feature_and_ridge_inputs_are_checked():
    x = np.linspace(-1, 1, 5)
    for bad in (-1, 2.0, True):
        with pytest.raises(ValueError, match="degree"):
            reg.polynomial_features(x, bad)
    with pytest.raises(ValueError, match="basis"):
        reg.polynomial_features(x, 2, basis="chebyshev")
    with pytest.raises(ValueError, match="x must have 1 dimension, got shape"):
        reg.polynomial_features(np.ones((2, 2)), 2)
    with pytest.raises(ValueError, match="x must be finite"):
        reg.polynomial_features([0.0, np.nan], 2)
    X = reg.polynomial_features(x, 2)
    with pytest.raises(ValueError, match="omega"):
        reg.ridge(X, x, -1e-3)
    with pytest.raises(ValueError, match="rows"):
        reg.ridge(X, x[:3], 0.1)
    with pytest.raises(ValueError, match="features must have 2 dimensions"):
        reg.ridge(x, x, 0.1)


# --------------------------------------------------------------------------- L1


def test_soft_threshold_matches_torch_softshrink_and_minimizes_its_objective():
    rng = np.random.default_rng(2)
    theta = rng.normal(scale=2, size=1000)
    for threshold in (0.0, 0.3, 1.5):
        ours = reg.soft_threshold(theta, threshold)
        torch_value = F.softshrink(torch.tensor(theta), lambd=threshold).numpy()
        assert np.abs(ours - torch_value).max() < 1e-15
    # argmin_u ½(u − z)² + c|u| by brute force on a fine grid, for a few z on both sides of ±c
    c, grid = 0.7, np.linspace(-4, 4, 800_001)
    for z in (-3.0, -0.7, -0.2, 0.0, 0.5, 0.71, 2.5):
        brute = grid[np.argmin(0.5 * (grid - z) ** 2 + c * np.abs(grid))]
        assert abs(reg.soft_threshold(z, c) - brute) < 1e-5


def test_soft_threshold_gives_exact_zeros_inside_the_threshold():
    out = reg.soft_threshold([-0.5, -0.2, 0.0, 0.2, 0.5, 3.0], 0.5)
    assert np.array_equal(out, [0.0, 0.0, 0.0, 0.0, 0.0, 2.5])
    assert np.array_equal(np.sign(out[out != 0]), [1.0])


def test_l1_prox_in_optim_run_is_ista_and_reaches_the_lasso_optimum():
    """ISTA on ½‖θ − a‖² + ω₁‖θ‖₁ with η = 1 lands on the closed form soft_threshold(a, ω₁) in one step."""
    a, omega = np.array([2.0, -0.3, 0.05, -1.0]), 0.4
    run = optim.run(
        optim.sgd(lr=1.0), lambda theta: theta - a, np.zeros(4), 3, project=reg.l1_prox(lr=1.0, omega=omega)
    )
    assert np.array_equal(run.final, reg.soft_threshold(a, omega))
    # with η = 0.1 the threshold per step is ηω₁ and the fixed point is still the same optimum
    run = optim.run(
        optim.sgd(lr=0.1), lambda theta: theta - a, np.zeros(4), 400, project=reg.l1_prox(lr=0.1, omega=omega)
    )
    assert np.abs(run.final - reg.soft_threshold(a, omega)).max() < 1e-12
    assert np.count_nonzero(run.final == 0.0) == 2


def test_a_prox_threshold_without_the_learning_rate_lands_elsewhere():
    a, omega = np.array([2.0, -0.3, 0.05, -1.0]), 0.4
    wrong = optim.run(
        optim.sgd(lr=0.1), lambda theta: theta - a, np.zeros(4), 400, project=lambda t: reg.soft_threshold(t, omega)
    )
    assert np.abs(wrong.final - reg.soft_threshold(a, omega)).max() > 0.5


def test_l1_subgradient_is_torch_autograd_of_the_penalty():
    theta = torch.tensor([-1.5, 0.0, 0.2, 3.0], dtype=torch.float64, requires_grad=True)
    (0.3 * theta.abs().sum()).backward()
    assert np.array_equal(reg.l1_subgradient(theta.detach().numpy(), 0.3), theta.grad.numpy())


def test_l1_inputs_are_checked():
    for bad in (-0.1, math.inf, "0.1", None):
        with pytest.raises(ValueError, match="threshold"):
            reg.soft_threshold([1.0], bad)
    with pytest.raises(ValueError, match="lr"):
        reg.l1_prox(lr=-1.0, omega=0.1)
    with pytest.raises(ValueError, match="omega"):
        reg.l1_prox(lr=0.1, omega=math.nan)
    with pytest.raises(ValueError, match="omega"):
        reg.l1_subgradient([1.0], -2)
    with pytest.raises(ValueError, match="theta must be finite"):
        reg.soft_threshold([np.inf], 0.1)


# --------------------------------------------------------------------------- projections


def test_project_l2_ball_scales_points_outside_and_keeps_points_inside():
    assert np.allclose(reg.project_l2_ball([3.0, 4.0], 1.0), [0.6, 0.8], atol=1e-15)
    assert np.array_equal(reg.project_l2_ball([0.3, 0.4], 1.0), [0.3, 0.4])
    batch = reg.project_l2_ball([[3.0, 4.0], [0.0, 0.0], [0.0, -2.0]], 1.0)
    assert np.allclose(batch, [[0.6, 0.8], [0.0, 0.0], [0.0, -1.0]], atol=1e-15)
    assert np.array_equal(reg.project_l2_ball([0.0, 0.0], 0.0), [0.0, 0.0])


def _l1_ball_projection_by_torch(point, radius):
    """The projection as torch's softshrink at the τ that bisection finds for ‖softshrink(z, τ)‖₁ = radius."""
    z = torch.tensor(point, dtype=torch.float64)
    low, high = 0.0, float(z.abs().max())
    for _ in range(200):
        tau = (low + high) / 2
        if F.softshrink(z, tau).abs().sum() > radius:
            low = tau
        else:
            high = tau
    return F.softshrink(z, high).numpy()


def test_project_l1_ball_projects_every_row_of_a_batch_like_one_point():
    batch = np.random.default_rng(6).normal(scale=2, size=(3, 4, 5))
    projected = reg.project_l1_ball(batch, 1.5)
    for index in np.ndindex(3, 4):
        assert np.array_equal(projected[index], reg.project_l1_ball(batch[index], 1.5))


def test_project_l1_ball_matches_an_independent_bisection_and_is_optimal():
    rng = np.random.default_rng(3)
    for _ in range(20):
        point, radius = rng.normal(scale=2, size=6), rng.uniform(0.1, 3)
        projected = reg.project_l1_ball(point, radius)
        if np.abs(point).sum() <= radius:
            assert np.array_equal(projected, point)
            continue
        assert abs(np.abs(projected).sum() - radius) < 1e-12
        assert np.abs(projected - _l1_ball_projection_by_torch(point, radius)).max() < 1e-12
        # no point of the ball sampled at random is closer
        candidates = reg.project_l1_ball(rng.normal(scale=3, size=(200, 6)), radius)
        assert np.all(np.abs(candidates).sum(axis=1) <= radius + 1e-12)
        assert np.linalg.norm(candidates - point, axis=1).min() >= np.linalg.norm(projected - point) - 1e-12


def test_project_l1_ball_lands_on_a_corner_when_one_coordinate_dominates():
    assert np.allclose(reg.project_l1_ball([3.0, 0.5], 1.0), [1.0, 0.0], atol=1e-15)
    assert np.allclose(reg.project_l1_ball([[3.0, 0.5], [0.1, 0.2]], 1.0), [[1.0, 0.0], [0.1, 0.2]], atol=1e-15)
    assert np.array_equal(reg.project_l1_ball([[3.0, -0.5], [0.0, 0.0]], 0.0), np.zeros((2, 2)))


def test_projection_inputs_are_checked():
    with pytest.raises(ValueError, match="radius"):
        reg.project_l2_ball([1.0, 2.0], -1.0)
    with pytest.raises(ValueError, match="radius"):
        reg.project_l1_ball([1.0, 2.0], math.nan)
    with pytest.raises(ValueError, match="at least one dimension"):
        reg.project_l1_ball(1.0, 1.0)


# --------------------------------------------------------------------------- dropout


def test_dropout_keeps_the_expectation_and_drops_a_fraction_p_like_torch():
    x = np.full(200_000, 2.0)
    for p in (0.1, 0.5, 0.8):
        ours = reg.dropout(x, p, np.random.default_rng(0))
        torch.manual_seed(0)
        theirs = F.dropout(torch.tensor(x), p=p, training=True).numpy()
        for out in (ours, theirs):
            assert set(np.unique(out)) == {0.0, 2.0 / (1 - p)}  # survivors scaled by 1/(1 − p)
            assert abs(np.mean(out == 0) - p) < 0.005  # a fraction p dropped
            assert abs(out.mean() - 2.0) < 0.03  # E[x·m/(1 − p)] = x
        assert abs(np.mean(ours == 0) - np.mean(theirs == 0)) < 0.007


def test_dropout_in_evaluation_and_the_edge_probabilities_match_torch():
    x = np.random.default_rng(4).normal(size=(3, 5))
    rng = np.random.default_rng(0)
    assert np.array_equal(
        reg.dropout(x, 0.5, rng, training=False), F.dropout(torch.tensor(x), 0.5, training=False).numpy()
    )
    assert np.array_equal(reg.dropout(x, 0.0, rng), x)
    assert np.array_equal(reg.dropout(x, 1.0, rng), F.dropout(torch.tensor(x), 1.0, training=True).numpy())


def test_dropout_mask_is_reproducible_from_the_generator():
    a = reg.dropout_mask((4, 6), 0.3, np.random.default_rng(7))
    b = reg.dropout_mask((4, 6), 0.3, np.random.default_rng(7))
    assert a.shape == (4, 6) and np.array_equal(a, b) and set(np.unique(a)) <= {0.0, 1.0}


def test_dropout_inputs_are_checked():
    rng = np.random.default_rng(0)
    for bad in (-0.1, 1.5, math.nan, "0.5"):
        with pytest.raises(ValueError, match="p"):
            reg.dropout(np.ones(3), bad, rng)
    with pytest.raises(ValueError, match="rng"):
        reg.dropout(np.ones(3), 0.5, 0)
    with pytest.raises(ValueError, match="rng"):
        reg.dropout_mask((3,), 0.5, None)


# --------------------------------------------------------------------------- augmentation


def test_jitter_copies_the_data_and_moves_only_the_inputs():
    x, y = np.array([0.0, 0.5, -0.5]), np.array([1.0, 2.0, 3.0])
    x_aug, y_aug = reg.jitter(x, y, copies=4, scale=0.1, rng=np.random.default_rng(0))
    assert x_aug.shape == y_aug.shape == (12,)
    assert np.array_equal(y_aug, np.tile(y, 4))
    assert 0 < np.abs(x_aug - np.tile(x, 4)).max() < 0.5
    same, _ = reg.jitter(x, y, copies=1, scale=0.0, rng=np.random.default_rng(0))
    assert np.array_equal(same, x)
    with pytest.raises(ValueError, match="copies"):
        reg.jitter(x, y, copies=0, scale=0.1, rng=np.random.default_rng(0))
    with pytest.raises(ValueError, match="scale"):
        reg.jitter(x, y, copies=2, scale=-0.1, rng=np.random.default_rng(0))
    with pytest.raises(ValueError, match="entries"):
        reg.jitter(x, y[:2], copies=2, scale=0.1, rng=np.random.default_rng(0))


# --------------------------------------------------------------------------- early stopping


def test_early_stopping_keeps_the_best_epoch_and_stops_patience_epochs_later():
    losses = [1.0, 0.8, 0.7, 0.72, 0.69, 0.71, 0.73, 0.74, 0.70]
    assert reg.early_stopping(losses, patience=3) == (5, 8, True)
    assert reg.early_stopping(losses, patience=4) == (5, 9, True)
    assert reg.early_stopping(losses, patience=5) == (5, 9, False)  # ran out of epochs first
    assert reg.early_stopping(losses, patience=1) == (3, 4, True)
    assert reg.early_stopping([3.0, 2.0, 1.0], patience=1) == (3, 3, False)


def test_early_stopping_decides_online():
    """Stopping at an epoch depends only on the losses so far: replaying a training loop gives the same answer."""
    losses = list(np.random.default_rng(5).normal(size=60).cumsum())
    whole = reg.early_stopping(losses, patience=5)
    for epoch in range(1, len(losses) + 1):
        decision = reg.early_stopping(losses[:epoch], patience=5)
        if decision.stopped:
            assert decision == whole
            break
    else:
        assert not whole.stopped


def test_early_stopping_min_delta_and_non_finite_losses():
    assert reg.early_stopping([1.0, 0.99, 0.98, 0.97], patience=2, min_delta=0.05) == (1, 3, True)
    assert reg.early_stopping([1.0, math.nan, math.inf, 0.5], patience=2) == (1, 3, True)
    assert reg.early_stopping([1.0, math.nan, math.inf, 0.5], patience=3) == (4, 4, False)
    assert reg.early_stopping([math.nan, math.nan], patience=5) == (1, 2, False)


def test_early_stopping_inputs_are_checked():
    for bad in ([], [[1.0, 2.0]], "abc", [None, "x"]):
        with pytest.raises(ValueError, match="val_losses"):
            reg.early_stopping(bad, patience=2)
    for bad in (0, 1.5, True):
        with pytest.raises(ValueError, match="patience"):
            reg.early_stopping([1.0, 2.0], patience=bad)
    with pytest.raises(ValueError, match="min_delta"):
        reg.early_stopping([1.0, 2.0], patience=1, min_delta=-1.0)
