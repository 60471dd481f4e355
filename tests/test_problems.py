"""helpers.problems: losses and gradients against torch autograd, exact optima, K-chain batches, bad inputs."""

import numpy as np
import pytest
import torch

from helpers import problems

RNG = np.random.default_rng(1234)


@pytest.fixture(scope="module")
def squares():
    return problems.least_squares(n=40, d=3, noise=0.7, kappa=20.0, seed=5)


def fake_digits(m=120, size=6, seed=0):
    """Random uint8 'images' with labels 0..9, small enough for fast Newton solves."""
    rng = np.random.default_rng(seed)
    images = rng.integers(0, 256, (m, size, size), dtype=np.uint8)
    labels = rng.integers(0, 10, m).astype(np.uint8)
    labels[:2] = (3, 8)
    return images, labels


@pytest.fixture(scope="module")
def logistic():
    images, labels = fake_digits()
    return problems.logistic_regression(images, labels, digits=(3, 8), weight_decay=0.05)


def torch_least_squares_loss(problem, theta):
    X, y = torch.tensor(problem.X), torch.tensor(problem.y)
    return 0.5 * torch.mean((X @ theta - y) ** 2)


def torch_logistic_loss(problem, theta, omega):
    z = torch.tensor(problem.X) @ theta
    data = torch.nn.functional.binary_cross_entropy_with_logits(z, torch.tensor(problem.y))
    return data + 0.5 * omega * theta @ theta


def autograd(loss_fn, problem, theta, *args):
    t = torch.tensor(theta, dtype=torch.float64, requires_grad=True)
    loss = loss_fn(problem, t, *args)
    loss.backward()
    return loss.item(), t.grad.numpy()


# --------------------------------------------------------------------------- least squares


def test_least_squares_loss_and_gradient_match_autograd(squares):
    for _ in range(5):
        theta = RNG.normal(size=3) * 3
        loss, grad = autograd(torch_least_squares_loss, squares, theta)
        assert squares.loss(theta) == pytest.approx(loss, rel=1e-12, abs=1e-12)
        np.testing.assert_allclose(squares.grad(theta), grad, rtol=0, atol=1e-12)


def test_least_squares_per_example_gradients_match_autograd(squares):
    theta = RNG.normal(size=3)
    idx = np.array([0, 7, 7, 39])
    rows = squares.per_example_grad(theta, idx)
    assert rows.shape == (4, 3)
    for row, i in zip(rows, idx):
        t = torch.tensor(theta, requires_grad=True)
        (0.5 * (torch.tensor(squares.X[i]) @ t - squares.y[i]) ** 2).backward()
        np.testing.assert_allclose(row, t.grad.numpy(), rtol=0, atol=1e-12)
    np.testing.assert_allclose(
        squares.per_example_grad(theta, np.arange(40)).mean(axis=0), squares.grad(theta), atol=1e-12
    )


def test_least_squares_optimum_is_exact(squares):
    assert np.abs(squares.grad(squares.theta_star)).max() < 1e-12
    # L is quadratic with its minimum at θ*: every other point is higher
    for _ in range(5):
        assert squares.loss(squares.theta_star + 1e-3 * RNG.normal(size=3)) > squares.loss(squares.theta_star)


def test_least_squares_hessian_and_chosen_optimum():
    problem = problems.least_squares(n=200, d=3, noise=0.3, kappa=50.0, seed=2, theta_star=[1.0, -2.0, 0.5])
    np.testing.assert_array_equal(problem.theta_star, [1.0, -2.0, 0.5])
    np.testing.assert_allclose(np.linalg.eigvalsh(problem.X.T @ problem.X / 200), np.geomspace(1, 50, 3), rtol=1e-12)
    assert np.abs(problem.grad(problem.theta_star)).max() < 1e-12
    assert (problem.n, problem.d) == (200, 3)


def test_least_squares_is_reproducible_and_noise_free_case():
    a = problems.least_squares(n=30, d=2, seed=3)
    b = problems.least_squares(n=30, d=2, seed=3)
    np.testing.assert_array_equal(a.X, b.X)
    np.testing.assert_array_equal(a.y, b.y)
    exact = problems.least_squares(n=30, d=2, noise=0.0, seed=3)
    np.testing.assert_allclose(exact.X @ exact.theta_star, exact.y, atol=1e-12)  # interpolation: every ℓᵢ(θ*) = 0
    assert exact.loss(exact.theta_star) == pytest.approx(0.0, abs=1e-12)


def test_loss_and_grad_take_leading_shapes(squares):
    grid = RNG.normal(size=(4, 5, 3))
    losses, grads = squares.loss(grid), squares.grad(grid)
    assert losses.shape == (4, 5) and grads.shape == (4, 5, 3)
    np.testing.assert_allclose(losses[2, 3], squares.loss(grid[2, 3]), atol=1e-12)
    np.testing.assert_allclose(grads[1, 4], squares.grad(grid[1, 4]), atol=1e-12)


@pytest.mark.parametrize("which", ["squares", "logistic"])
def test_per_example_gradients_for_k_chains(which, request):
    problem = request.getfixturevalue(which)
    thetas = RNG.normal(size=(3, problem.d)) * 0.1
    idx = RNG.integers(0, problem.n, (3, 4))
    rows = problem.per_example_grad(thetas, idx)
    assert rows.shape == (3, 4, problem.d)
    for k in range(3):
        np.testing.assert_allclose(rows[k], problem.per_example_grad(thetas[k], idx[k]), atol=1e-14)


# --------------------------------------------------------------------------- logistic regression


def test_digit_features_select_and_scale():
    images, labels = fake_digits()
    X, y = problems.digit_features(images, labels, digits=(3, 8))
    keep = (labels == 3) | (labels == 8)
    assert X.shape == (keep.sum(), 37) and np.all(X[:, -1] == 1.0)
    np.testing.assert_allclose(X[:, :-1], images[keep].reshape(-1, 36) / 255.0)
    np.testing.assert_array_equal(y, labels[keep] == 8)
    X2, y2 = problems.digit_features(images, labels, digits=(8, 3))
    np.testing.assert_array_equal(y2, 1 - y)


def test_logistic_loss_and_gradient_match_autograd(logistic):
    for scale in (0.01, 0.3, 3.0):  # large |z| too: the loss must not overflow
        theta = RNG.normal(size=logistic.d) * scale
        loss, grad = autograd(torch_logistic_loss, logistic, theta, 0.05)
        assert logistic.loss(theta) == pytest.approx(loss, rel=1e-12, abs=1e-12)
        np.testing.assert_allclose(logistic.grad(theta), grad, rtol=0, atol=1e-12)


def test_logistic_per_example_gradients_match_autograd(logistic):
    theta = RNG.normal(size=logistic.d) * 0.2
    idx = np.array([1, 0, 5])
    rows = logistic.per_example_grad(theta, idx)
    for row, i in zip(rows, idx):
        t = torch.tensor(theta, requires_grad=True)
        z = torch.tensor(logistic.X[i]) @ t
        loss = torch.nn.functional.binary_cross_entropy_with_logits(z, torch.tensor(logistic.y[i])) + 0.025 * t @ t
        loss.backward()
        np.testing.assert_allclose(row, t.grad.numpy(), rtol=0, atol=1e-12)
    np.testing.assert_allclose(
        logistic.per_example_grad(theta, np.arange(logistic.n)).mean(axis=0), logistic.grad(theta), atol=1e-12
    )


def test_logistic_optimum_has_zero_gradient(logistic):
    assert np.linalg.norm(logistic.grad(logistic.theta_star)) <= 1e-12
    assert logistic.loss(logistic.theta_star) < logistic.loss(np.zeros(logistic.d))
    for _ in range(3):
        assert logistic.loss(logistic.theta_star + 1e-3 * RNG.normal(size=logistic.d)) > logistic.loss(
            logistic.theta_star
        )


def test_logistic_optimum_matches_torch_lbfgs(logistic):
    theta = torch.zeros(logistic.d, dtype=torch.float64, requires_grad=True)
    solver = torch.optim.LBFGS(
        [theta], lr=1.0, max_iter=30, tolerance_grad=1e-10, tolerance_change=0, line_search_fn="strong_wolfe"
    )

    def closure():
        solver.zero_grad()
        loss = torch_logistic_loss(logistic, theta, 0.05)
        loss.backward()
        return loss

    solver.step(closure)
    lbfgs = theta.detach().numpy()
    # L is ω-strongly convex, so ‖θ − θ*‖ ≤ ‖∇L(θ)‖/ω for every θ: torch's answer pins θ* down
    _, torch_gradient = autograd(torch_logistic_loss, logistic, lbfgs, 0.05)
    gap = np.linalg.norm(torch_gradient)
    assert gap < 1e-6
    assert np.linalg.norm(lbfgs - logistic.theta_star) <= gap / 0.05 + 1e-12
    assert np.linalg.norm(logistic.grad(logistic.theta_star)) <= gap


def test_newton_that_cannot_converge_raises():
    images, labels = fake_digits()
    with pytest.raises(RuntimeError, match="Newton"):
        problems.logistic_regression(images, labels, weight_decay=1e-3, max_newton_steps=1)


# --------------------------------------------------------------------------- bad inputs


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(n=2, d=2), "must exceed d"),
        (dict(n=0), "n"),
        (dict(n=10.0), "n"),
        (dict(d=0), "d "),
        (dict(noise=-1.0), "noise"),
        (dict(noise=float("nan")), "noise"),
        (dict(kappa=0.5), "kappa"),
        (dict(seed=-1), "seed"),
        (dict(seed=True), "seed"),
        (dict(d=2, theta_star=[1.0, 2.0, 3.0]), r"theta_star must hold d = 2 numbers"),
        (dict(d=2, theta_star=[[1.0, 2.0]]), "theta_star must have 1 dimension"),
        (dict(d=2, theta_star=[1.0, np.inf]), "theta_star must be finite"),
    ],
)
def test_least_squares_bad_inputs(kwargs, match):
    with pytest.raises(ValueError, match=match):
        problems.least_squares(**kwargs)


def test_bad_points_and_indices(squares):
    with pytest.raises(ValueError, match="θ must have shape"):
        squares.loss(np.zeros(2))
    with pytest.raises(ValueError, match="θ must have shape"):
        squares.grad(np.float64(1.0))
    with pytest.raises(ValueError, match="idx must hold indices in 0..39"):
        squares.per_example_grad(np.zeros(3), np.array([0, 40]))
    with pytest.raises(ValueError, match="idx must hold indices"):
        squares.per_example_grad(np.zeros(3), np.array([-1]))
    with pytest.raises(ValueError, match="idx must be integer"):
        squares.per_example_grad(np.zeros(3), np.array([0.0, 1.0]))
    with pytest.raises(ValueError, match="one batch per chain"):
        squares.per_example_grad(np.zeros((2, 3)), np.array([0, 1]))
    with pytest.raises(ValueError, match="θ must have shape"):
        squares.per_example_grad(np.zeros((2, 2, 3)), np.zeros((2, 2, 1), dtype=int))


@pytest.mark.parametrize(
    "change, match",
    [
        (dict(digits=(3, 3)), "digits must be two different digits"),
        (dict(digits=(3, 10)), r"digits must be a tuple or list of 2 integers in \[0, 9\], got \(3, 10\)"),
        (dict(digits=3), r"digits must be a tuple or list of 2 integers"),
        (dict(digits=(3, 8, 1)), r"digits must be a tuple or list of 2 integers"),
        (dict(digits=(3.0, 8)), r"digits must be a tuple or list of 2 integers"),
        (dict(digits=(True, 8)), r"digits must be a tuple or list of 2 integers"),
        (dict(weight_decay=0.0), "weight_decay"),
        (dict(weight_decay=-1e-3), "weight_decay"),
        (dict(tol=0.0), "tol"),
        (dict(max_newton_steps=0), "max_newton_steps"),
    ],
)
def test_logistic_bad_inputs(change, match):
    images, labels = fake_digits()
    with pytest.raises(ValueError, match=match):
        problems.logistic_regression(images, labels, **change)


def test_digit_features_bad_data():
    images, labels = fake_digits()
    with pytest.raises(ValueError, match="uint8"):
        problems.digit_features(images.astype(np.float32), labels)
    with pytest.raises(ValueError, match="labels must have shape"):
        problems.digit_features(images, labels[:-1])
    with pytest.raises(ValueError, match="no image has label 9"):
        problems.digit_features(images, np.where(labels == 9, 0, labels), digits=(3, 9))
