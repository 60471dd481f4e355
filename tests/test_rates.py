"""helpers.rates against numpy's eigenvalues and against runs of torch.optim.SGD, the oracle."""

import math

import numpy as np
import pytest
import torch

from helpers import rates


def torch_distances(eta, mu, eigenvalues, steps, nesterov=False):
    """‖θₜ‖ of torch.optim.SGD on ½ Σ λᵢθᵢ², from θ₀ = (1, …, 1), in float64."""
    lam = torch.tensor(eigenvalues, dtype=torch.float64)
    p = torch.ones(len(eigenvalues), dtype=torch.float64, requires_grad=True)
    opt = torch.optim.SGD([p], lr=eta, momentum=mu, nesterov=nesterov)
    distances = [p.detach().norm().item()]
    for _ in range(steps):
        opt.zero_grad()
        (0.5 * (lam * p * p).sum()).backward()
        opt.step()
        distances.append(p.detach().norm().item())
    return np.array(distances)


@pytest.mark.parametrize("method", rates.METHODS)
def test_spectral_radius_is_the_largest_eigenvalue_of_the_iteration_matrices(method):
    rng = np.random.default_rng(0)
    for _ in range(50):
        eta, mu = rng.uniform(0, 1), rng.uniform(0, 0.99)
        eigenvalues = rng.uniform(0.1, 5, size=3)
        expected = max(np.abs(np.linalg.eigvals(iteration_matrix(eta, mu, lam, method))).max() for lam in eigenvalues)
        assert rates.spectral_radius(eta, mu, eigenvalues, method) == pytest.approx(expected, rel=1e-7)


def iteration_matrix(eta, mu, lam, method):
    """The 2×2 M with (cₜ, cₜ₋₁) = M (cₜ₋₁, cₜ₋₂) along an eigenvector with eigenvalue λ, from the recurrences:
    heavy ball cₜ = (1 + μ − ηλ)cₜ₋₁ − μcₜ₋₂; Nesterov cₜ = (1 + μ)(1 − ηλ)cₜ₋₁ − μ(1 − ηλ)cₜ₋₂."""
    if method == "heavy_ball":
        return np.array([[1 + mu - eta * lam, -mu], [1.0, 0.0]])
    return np.array([[(1 + mu) * (1 - eta * lam), -mu * (1 - eta * lam)], [1.0, 0.0]])


SETTINGS = [(0.1, 0.5), (0.05, 0.8), (0.3, 0.3), (0.02, 0.95)]  # converging, spiralling and diverging ones


@pytest.mark.parametrize(
    "eta,mu,nesterov", [(0.15, 0.0, False)] + [(e, m, n) for e, m in SETTINGS for n in (False, True)]
)
def test_predicted_rate_matches_torch_runs(eta, mu, nesterov):
    eigenvalues = [1.0, 10.0]
    predicted = rates.spectral_radius(eta, mu, eigenvalues, "nesterov" if nesterov else "heavy_ball")
    distances = torch_distances(eta, mu, eigenvalues, steps=400, nesterov=nesterov)
    assert rates.measured_rate(distances) == pytest.approx(predicted, rel=0.01)


def test_gradient_descent_is_momentum_zero():
    eigenvalues = [1.0, 4.0, 9.0]
    for eta in (0.05, 0.2, 0.25):
        expected = max(abs(1 - eta * lam) for lam in eigenvalues)
        assert rates.spectral_radius(eta, 0.0, eigenvalues) == pytest.approx(expected)
        assert rates.spectral_radius(eta, 0.0, eigenvalues, "nesterov") == pytest.approx(expected)


def test_broadcasts_over_grids():
    eta, mu = np.meshgrid(np.linspace(0, 0.5, 7), np.linspace(0, 0.9, 5))
    radius = rates.spectral_radius(eta, mu, [1.0, 10.0])
    assert radius.shape == (5, 7)
    assert radius[2, 3] == rates.spectral_radius(eta[2, 3], mu[2, 3], [1.0, 10.0])
    assert isinstance(rates.spectral_radius(0.1, 0.5, [1.0]), float)


def test_stability_boundary_is_two_times_one_plus_mu():
    for mu in (0.0, 0.3, 0.9):
        boundary = 2 * (1 + mu) / 10.0
        assert rates.spectral_radius(boundary * 0.999, mu, [1.0, 10.0]) < 1
        assert rates.spectral_radius(boundary * 1.001, mu, [1.0, 10.0]) > 1


@pytest.mark.parametrize("kappa", [1.0, 4.0, 100.0, 1e4])
def test_optimal_settings_match_the_closed_forms_and_beat_a_grid(kappa):
    eta_gd, rate_gd = rates.optimal_gd(1.0, kappa)
    assert eta_gd == pytest.approx(2 / (1 + kappa)) and rate_gd == pytest.approx((kappa - 1) / (kappa + 1))
    assert rates.spectral_radius(eta_gd, 0.0, [1.0, kappa]) == pytest.approx(rate_gd, abs=1e-12)
    eta, mu, rate = rates.optimal_heavy_ball(1.0, kappa)
    root = math.sqrt(kappa)
    assert mu == pytest.approx(((root - 1) / (root + 1)) ** 2) and rate == pytest.approx(math.sqrt(mu))
    assert eta == pytest.approx(4 / (root + 1) ** 2)
    assert rates.spectral_radius(eta, mu, [1.0, kappa]) == pytest.approx(rate, abs=1e-7)
    E, M = np.meshgrid(np.linspace(1e-4, 4 / kappa, 200), np.linspace(0, 0.99, 200))
    assert rates.spectral_radius(E, M, [1.0, kappa]).min() >= rate - 1e-9
    assert rate <= rate_gd


def test_optimal_heavy_ball_depends_on_both_eigenvalues():
    eta, mu, rate = rates.optimal_heavy_ball(2.0, 50.0)  # κ = 25
    assert eta == pytest.approx(4 / (math.sqrt(50) + math.sqrt(2)) ** 2)
    assert rate == pytest.approx(4 / 6)


def test_measured_rate_of_a_heavy_ball_run_at_the_optimum():
    eta, mu, rate = rates.optimal_heavy_ball(1.0, 100.0)
    distances = torch_distances(eta, mu, [1.0, 100.0], steps=1500)
    assert rates.measured_rate(distances, last=500) == pytest.approx(rate, rel=2e-3)


def test_steps_to():
    assert rates.steps_to(0.5, 1e-3) == 10  # 0.5¹⁰ ≈ 0.00098
    assert rates.steps_to(0.0) == 1
    assert rates.steps_to(99 / 101) == math.ceil(math.log(1e-6) / math.log(99 / 101))


def test_measured_rate_of_simple_sequences():
    assert rates.measured_rate(0.5 ** np.arange(20)) == pytest.approx(0.5)
    assert rates.measured_rate(2.0 ** np.arange(5)) == pytest.approx(2.0)
    assert rates.measured_rate([1.0, 0.0, 0.0]) == 0.0  # done after one step
    assert rates.measured_rate(0.1 ** np.arange(400.0)) == pytest.approx(0.1)  # the underflowing tail is dropped
    assert rates.measured_rate([1.0, 0.5, 0.1], last=1) == pytest.approx(0.2)
    assert rates.measured_rate([1.0, np.inf]) == math.inf  # out of the float range after one step
    assert rates.measured_rate([1.0, 2.0, 4.0, np.inf]) == pytest.approx(2.0)  # the diverged tail is dropped


def test_measured_rate_sees_through_a_spiral():
    t = np.arange(300)
    spiral = 0.97**t * np.abs(np.cos(0.3 * t))  # passes close to the minimum twice per turn
    assert rates.measured_rate(spiral) == pytest.approx(0.97, rel=1e-3)


@pytest.mark.parametrize(
    "call,message",
    [
        (lambda: rates.spectral_radius(-0.1, 0.5, [1.0]), "eta"),
        (lambda: rates.spectral_radius(0.1, 1.0, [1.0]), "mu"),
        (lambda: rates.spectral_radius(0.1, -0.1, [1.0]), "mu"),
        (lambda: rates.spectral_radius(0.1, 0.5, [1.0, 0.0]), "eigenvalues"),
        (lambda: rates.spectral_radius(0.1, 0.5, []), "eigenvalues"),
        (lambda: rates.spectral_radius(0.1, 0.5, [1.0], "adam"), "method"),
        (lambda: rates.spectral_radius("fast", 0.5, [1.0]), "eta"),
        (lambda: rates.spectral_radius(np.nan, 0.5, [1.0]), "eta"),
        (lambda: rates.optimal_heavy_ball(10.0, 1.0), "lam_min"),
        (lambda: rates.optimal_gd(0.0, 1.0), "eigenvalues"),
        (lambda: rates.steps_to(1.0), "rate"),
        (lambda: rates.steps_to(0.5, 0.0), "tolerance"),
        (lambda: rates.measured_rate([1.0]), "distances"),
        (lambda: rates.measured_rate([0.0, 1.0]), "distances"),
        (lambda: rates.measured_rate("far"), "distances"),
        (lambda: rates.measured_rate([1.0, 0.5], last=2), "last"),
        (lambda: rates.spectral_radius(0.1, 0.5, [-1.0]), "eigenvalues"),
    ],
)
def test_bad_input_is_a_clear_value_error(call, message):
    with pytest.raises(ValueError, match=message):
        call()
