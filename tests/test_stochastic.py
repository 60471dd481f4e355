"""helpers.stochastic: unbiased epochs, replayable streams, the variance law, torch.optim.SGD on the same batches."""

import ipywidgets
import numpy as np
import pytest
import torch

from helpers import optim, problems, stochastic, surfaces, widgets


@pytest.fixture(scope="module")
def problem():
    return problems.least_squares(n=60, d=3, noise=0.8, kappa=5.0, seed=11)


THETA = np.array([0.4, -1.2, 2.0])


def noise_variance(problem, theta):
    """σ² = (1/N) Σᵢ ‖∇ℓᵢ(θ) − ∇L(θ)‖²."""
    rows = problem.per_example_grad(theta, np.arange(problem.n))
    return np.mean(np.sum((rows - problem.grad(theta)) ** 2, axis=1))


# --------------------------------------------------------------------------- sampling


@pytest.mark.parametrize("batch_size", [1, 6, 60])
def test_an_epoch_without_replacement_averages_to_the_full_gradient(problem, batch_size):
    g = stochastic.minibatch_gradient(problem, batch_size, seed=3)
    steps = problem.n // batch_size
    grads = [g(THETA) for _ in range(steps)]
    np.testing.assert_allclose(np.mean(grads, axis=0), problem.grad(THETA), rtol=0, atol=1e-12)
    assert g.examples_seen == problem.n and g.epochs == 1.0 and g.steps_per_epoch == steps


def test_a_partial_last_batch_keeps_the_epoch_exact(problem):
    g = stochastic.minibatch_gradient(problem, 25, seed=0)  # batches of 25, 25, 10
    sizes, weighted = [], 0
    for _ in range(g.steps_per_epoch):
        grad = g(THETA)
        sizes.append(len(g.last_batch))
        weighted = weighted + len(g.last_batch) * grad
    assert sizes == [25, 25, 10] and g.steps_per_epoch == 3
    np.testing.assert_allclose(weighted / problem.n, problem.grad(THETA), rtol=0, atol=1e-12)
    g(THETA)
    assert len(g.last_batch) == 25  # a new epoch starts with a fresh permutation


def test_drop_last_keeps_every_batch_full(problem):
    g = stochastic.minibatch_gradient(problem, 25, seed=0, drop_last=True)  # 60 = 2·25 + 10: the 10 are skipped
    assert g.steps_per_epoch == 2
    epochs = [np.concatenate([g.next_batch() for _ in range(2)]) for _ in range(3)]
    assert all(len(e) == 50 and len(set(e)) == 50 for e in epochs)
    rng = np.random.default_rng(0)
    for e in epochs:
        np.testing.assert_array_equal(e, rng.permutation(60)[:50])
    assert g.examples_seen == 150


def test_batches_follow_the_documented_generator(problem):
    g = stochastic.minibatch_gradient(problem, 7, seed=42)
    rng = np.random.default_rng(42)
    expected = np.concatenate([rng.permutation(60), rng.permutation(60)])
    drawn = np.concatenate([g.next_batch() for _ in range(2 * g.steps_per_epoch)])
    np.testing.assert_array_equal(drawn, expected)

    g = stochastic.minibatch_gradient(problem, 7, seed=42, replace=True)
    rng = np.random.default_rng(42)
    for _ in range(5):
        np.testing.assert_array_equal(g.next_batch(), rng.integers(0, 60, 7))


def test_reset_replays_the_same_sequence(problem):
    for replace in (False, True):
        g = stochastic.minibatch_gradient(problem, 4, seed=9, replace=replace)
        first = [g(THETA) for _ in range(40)]
        g.reset()
        assert g.examples_seen == 0 and g.last_batch is None
        np.testing.assert_array_equal(first, [g(THETA) for _ in range(40)])
        other = stochastic.minibatch_gradient(problem, 4, seed=10, replace=replace)
        assert not np.allclose(first, [other(THETA) for _ in range(40)])


def test_optim_run_resets_so_reruns_replay(problem):
    g = stochastic.minibatch_gradient(problem, 5, seed=1)
    a = optim.run(optim.sgd(lr=0.05), g, np.zeros(3), 50)
    b = optim.run(optim.sgd(lr=0.05), g, np.zeros(3), 50)
    np.testing.assert_array_equal(a.path, b.path)


def test_k_chains_draw_independent_permutations(problem):
    g = stochastic.minibatch_gradient(problem, 20, seed=4)
    batches = np.concatenate([g.next_batch(chains=5) for _ in range(3)], axis=1)
    assert batches.shape == (5, 60)
    assert all(sorted(row) == list(range(60)) for row in batches)  # each chain: one epoch, every example once
    assert len({tuple(row) for row in batches}) == 5
    assert g.examples_seen == 60
    with pytest.raises(ValueError, match="reset"):
        g.next_batch()
    g.reset()
    assert g.next_batch().shape == (20,)


def test_k_chains_through_optim_run(problem):
    g = stochastic.minibatch_gradient(problem, 3, seed=2, replace=True)
    starts = np.zeros((4, 3))
    run = optim.run(optim.sgd(lr=0.05), g, starts, 30)
    assert run.path.shape == (31, 4, 3)
    assert not np.allclose(run.path[-1, 0], run.path[-1, 1])  # chains see different batches


# --------------------------------------------------------------------------- the variance law


@pytest.mark.parametrize("replace", [False, True])
@pytest.mark.parametrize("batch_size", [1, 5, 30, 59, 60])
def test_empirical_variance_matches_theory(problem, batch_size, replace):
    """E‖g − ∇L‖² = σ²/B with replacement, σ²/B·(N − B)/(N − 1) without; 20,000 seeded draws."""
    draws = 20_000
    g = stochastic.minibatch_gradient(problem, batch_size, seed=batch_size, replace=replace)
    grads = g(np.tile(THETA, (draws, 1)))  # one independent batch per "chain": 20,000 draws at once
    squared = np.sum((grads - problem.grad(THETA)) ** 2, axis=1)
    expected = stochastic.minibatch_variance(noise_variance(problem, THETA), batch_size, problem.n, replace)
    if expected == 0.0:
        assert squared.max() < 1e-20  # B = N without replacement: the full gradient, exactly
        return
    standard_error = squared.std() / np.sqrt(draws)
    assert abs(squared.mean() - expected) < 4 * standard_error
    np.testing.assert_allclose(grads.mean(axis=0), problem.grad(THETA), atol=4 * np.sqrt(expected / draws))


def test_minibatch_variance_formula():
    assert stochastic.minibatch_variance(2.0, 4, 100, replace=True) == 0.5
    assert stochastic.minibatch_variance(2.0, 4, 100) == pytest.approx(0.5 * 96 / 99)
    assert stochastic.minibatch_variance(2.0, 100, 100) == 0.0
    assert stochastic.minibatch_variance(2.0, 1, 100) == 2.0  # B = 1: both samplings agree
    assert stochastic.minibatch_variance(3.0, 1, 1) == 0.0
    assert stochastic.minibatch_variance(2.0, 400, 100, replace=True) == 0.005  # with replacement B may exceed N


# --------------------------------------------------------------------------- against torch.optim.SGD


def test_sgd_on_minibatches_matches_torch(problem):
    """helpers.optim.sgd driven by a MinibatchGradient equals torch.optim.SGD on the same batches."""
    g = stochastic.minibatch_gradient(problem, 8, seed=5)
    batches = []

    def recording(theta):
        grad = g(theta)
        batches.append(g.last_batch.copy())
        return grad

    recording.reset = g.reset
    ours = optim.run(optim.sgd(lr=0.03, momentum=0.9), recording, np.zeros(3), 40).path

    X, y = torch.tensor(problem.X), torch.tensor(problem.y)
    p = torch.zeros(3, dtype=torch.float64, requires_grad=True)
    opt = torch.optim.SGD([p], lr=0.03, momentum=0.9)
    theirs = [p.detach().clone().numpy()]
    for idx in batches:
        opt.zero_grad()
        (0.5 * torch.mean((X[idx] @ p - y[idx]) ** 2)).backward()
        opt.step()
        theirs.append(p.detach().clone().numpy())
    np.testing.assert_allclose(ours, np.array(theirs), rtol=0, atol=1e-12)


# --------------------------------------------------------------------------- noisy


def test_noisy_adds_replayable_gaussian_noise():
    bowl = surfaces.quadratic(kappa=4.0)
    g = stochastic.noisy(bowl.grad, sigma=0.5, seed=7)
    theta = np.array([1.0, -0.5])
    draws = g(np.tile(theta, (40_000, 1)))
    noise = draws - bowl.grad(theta)
    np.testing.assert_allclose(noise.mean(axis=0), 0, atol=4 * 0.5 / 200)
    np.testing.assert_allclose(noise.std(axis=0), 0.5, rtol=0.02)
    g.reset()
    first = [g(theta) for _ in range(5)]
    g.reset()
    np.testing.assert_array_equal(first, [g(theta) for _ in range(5)])
    g.reset()
    np.testing.assert_array_equal(g(theta), bowl.grad(theta) + 0.5 * np.random.default_rng(7).standard_normal(2))
    np.testing.assert_array_equal(stochastic.noisy(bowl.grad, 0.0)(theta), bowl.grad(theta))


# --------------------------------------------------------------------------- a slider replays the same noise


def test_a_batch_size_slider_replays_the_same_noise(problem):
    def compute(batch_size):
        g = stochastic.minibatch_gradient(problem, int(batch_size), seed=0)
        return optim.run(optim.sgd(lr=0.05), g, np.zeros(3), 30).path

    def draw(ax, path, frame):
        return ax.plot(path[:, 0], path[:, 1])

    panel = widgets.panel({"batch_size": ipywidgets.IntSlider(value=4, min=1, max=60)}, compute, draw)
    first = panel.data.copy()
    panel.controls["batch_size"].value = 12
    assert not np.array_equal(panel.data, first)
    panel.controls["batch_size"].value = 4
    np.testing.assert_array_equal(panel.data, first)


# --------------------------------------------------------------------------- bad inputs


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(batch_size=0), r"batch_size \(B\) must be an integer in \[1, 60\]"),
        (dict(batch_size=61), r"in \[1, 60\]"),
        (dict(batch_size=2.0), "batch_size"),
        (dict(batch_size=True), "batch_size"),
        (dict(batch_size=2, seed=-1), "seed"),
        (dict(batch_size=2, seed=1.5), "seed"),
        (dict(batch_size=2, replace="yes"), "replace"),
        (dict(batch_size=2, drop_last=None), "drop_last"),
        (dict(batch_size=2, n=59), "contradicts"),
    ],
)
def test_minibatch_gradient_bad_inputs(problem, kwargs, match):
    with pytest.raises(ValueError, match=match):
        stochastic.minibatch_gradient(problem, **kwargs)


def test_minibatch_gradient_bad_sources(problem):
    with pytest.raises(ValueError, match="source must be a Problem"):
        stochastic.minibatch_gradient("least squares", 2)
    with pytest.raises(ValueError, match="n .* is needed"):
        stochastic.minibatch_gradient(problem.per_example_grad, 2)
    g = stochastic.minibatch_gradient(problem.per_example_grad, 2, n=60)
    assert g(THETA).shape == (3,)
    with pytest.raises(ValueError, match="θ must have shape"):
        g(np.zeros((2, 2, 3)))
    with pytest.raises(ValueError, match="chains"):
        stochastic.MinibatchGradient(problem.per_example_grad, 60, 2).next_batch(chains=0)
    with pytest.raises(ValueError, match="per_example_grad must be callable"):
        stochastic.MinibatchGradient(None, 60, 2)


@pytest.mark.parametrize(
    "args, match",
    [
        ((None, 1.0), "grad must be callable"),
        ((np.sin, -1.0), "sigma"),
        ((np.sin, float("inf")), "sigma"),
        ((np.sin, "big"), "sigma"),
    ],
)
def test_noisy_bad_inputs(args, match):
    with pytest.raises(ValueError, match=match):
        stochastic.noisy(*args)


@pytest.mark.parametrize(
    "args, kwargs, match",
    [
        ((-1.0, 2, 10), {}, "sigma2"),
        ((1.0, 0, 10), {}, "batch_size"),
        ((1.0, 11, 10), {}, r"in \[1, 10\]"),
        ((1.0, 2, 0), {}, "n "),
        ((1.0, 2, 10), {"replace": 1}, "replace"),
    ],
)
def test_minibatch_variance_bad_inputs(args, kwargs, match):
    with pytest.raises(ValueError, match=match):
        stochastic.minibatch_variance(*args, **kwargs)
