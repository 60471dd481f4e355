"""Convergence rates on a quadratic, read off the iteration matrices of GD, heavy ball and Nesterov.

On L(θ) = ½θᵀHθ each of these methods is linear, and the component c of θ along an eigenvector of H
(eigenvalue λ) evolves on its own: the pair (cₜ, cₜ₋₁) is the pair (cₜ₋₁, cₜ₋₂) times a 2×2 matrix

    heavy ball   [[1 + μ − ηλ, −μ], [1, 0]]                       (Polyak 1964)
    Nesterov     [[(1 + μ)(1 − ηλ), −μ(1 − ηλ)], [1, 0]]          (Nesterov 1983)

and μ = 0 is gradient descent, whose factor is 1 − ηλ. The distance to the minimum shrinks per step,
in the worst case, by the spectral radius: the largest |z| among the roots of z² − a z + c = 0,
a the trace and c the determinant of that matrix, over all eigenvalues λ.

    spectral_radius(eta, mu, eigenvalues)     # broadcasts over grids of η and μ (a heat map)
    optimal_gd(lam_min, lam_max)              # (η*, rate)
    optimal_heavy_ball(lam_min, lam_max)      # (η*, μ*, rate)
    steps_to(rate, tolerance)                 # steps until rateᵏ ≤ tolerance
    measured_rate(distances)                  # the per-step factor a run actually achieved
"""

import math

import numpy as np

from helpers._checks import choice, finite_array, integer

METHODS = ("heavy_ball", "nesterov")


def _hyperparameters(eta, mu):
    eta, mu = finite_array("eta (η)", eta), finite_array("mu (μ)", mu)
    if (eta < 0).any():
        raise ValueError(f"eta (η) must be ≥ 0, got {eta.min():g}")
    if ((mu < 0) | (mu >= 1)).any():
        raise ValueError(f"mu (μ) must lie in [0, 1), got values from {mu.min():g} to {mu.max():g}")
    return eta, mu


def _eigenvalues(eigenvalues):
    lam = finite_array("eigenvalues (λᵢ)", eigenvalues).ravel()
    if lam.size == 0 or (lam <= 0).any():
        raise ValueError(f"eigenvalues (λᵢ) must be a non-empty list of numbers > 0, got {eigenvalues!r}")
    return lam


def _method(method):
    return choice("method", method, METHODS)


def _trace_and_determinant(eta, mu, lam, method):
    if method == "heavy_ball":
        return 1 + mu - eta * lam, mu  # a = 1 + μ − ηλ, c = μ
    return (1 + mu) * (1 - eta * lam), mu * (1 - eta * lam)  # a = (1 + μ)(1 − ηλ), c = μ(1 − ηλ)


def spectral_radius(eta, mu, eigenvalues, method="heavy_ball"):
    """max over λ ∈ eigenvalues of the largest |root| of z² − a z + c: the worst per-step factor.

    η and μ broadcast against each other (pass grids for a heat map); the result has their shape,
    a float for scalars. A value ≥ 1 means the method diverges (or stalls) from some start.
    """
    eta, mu = _hyperparameters(eta, mu)
    lam = _eigenvalues(eigenvalues)
    method = _method(method)
    eta, mu = np.broadcast_arrays(eta, mu)
    a, c = _trace_and_determinant(eta[..., None], mu[..., None], lam, method)
    root = np.sqrt(a * a - 4 * c + 0j)  # complex when the roots are a conjugate pair, |z| = √c
    radius = np.maximum(np.abs(a + root), np.abs(a - root)) / 2
    radius = radius.max(axis=-1)
    return float(radius) if radius.ndim == 0 else radius


def _spectrum(lam_min, lam_max):
    lam_min, lam_max = (float(x) for x in _eigenvalues([lam_min, lam_max]))
    if lam_min > lam_max:
        raise ValueError(f"lam_min (λ_min) must be ≤ lam_max (λ_max), got {lam_min:g} > {lam_max:g}")
    return lam_min, lam_max


def optimal_gd(lam_min, lam_max):
    """(η*, rate) of gradient descent: η* = 2/(λ_min + λ_max), rate (κ − 1)/(κ + 1)."""
    lam_min, lam_max = _spectrum(lam_min, lam_max)
    kappa = lam_max / lam_min
    return 2 / (lam_min + lam_max), (kappa - 1) / (kappa + 1)


def optimal_heavy_ball(lam_min, lam_max):
    """(η*, μ*, rate) of the heavy ball (Polyak 1964).

    η* = 4/(√λ_max + √λ_min)², μ* = ((√κ − 1)/(√κ + 1))², rate √μ* = (√κ − 1)/(√κ + 1).
    """
    lam_min, lam_max = _spectrum(lam_min, lam_max)
    root_kappa = math.sqrt(lam_max / lam_min)
    rate = (root_kappa - 1) / (root_kappa + 1)  # √μ*
    return 4 / (math.sqrt(lam_max) + math.sqrt(lam_min)) ** 2, rate**2, rate


def steps_to(rate, tolerance=1e-6):
    """The smallest whole k with rateᵏ ≤ tolerance (how many steps a per-step factor needs)."""
    rate, tolerance = float(finite_array("rate", rate)), float(finite_array("tolerance", tolerance))
    if not 0 <= rate < 1:
        raise ValueError(f"rate must lie in [0, 1) to ever reach the tolerance, got {rate:g}")
    if not 0 < tolerance < 1:
        raise ValueError(f"tolerance must lie in (0, 1), got {tolerance:g}")
    if rate == 0:
        return 1
    return math.ceil(math.log(tolerance) / math.log(rate))


def measured_rate(distances, last=None, floor=1e-100):
    """The per-step factor a run achieved over its last `last` steps, from its distances to the minimum.

    distances: ‖θₜ − θ*‖ for t = 0 … k. The rate compares the peaks of two short windows `last` steps
    apart, (max of the final window / max of the window `last` steps before)^(1/last): peaks, so that
    a path spiralling close past the minimum does not fool it. The run is cut where the distance first
    leaves the float range or drops below `floor`·d₀ (an exact zero, or the edge of float64).
    `last` defaults to half the run; a run that is done after one step has rate 0.
    """
    try:
        d = np.asarray(distances, dtype=np.float64)
    except (TypeError, ValueError):
        d = np.array([])
    if d.ndim != 1 or d.size < 2 or not np.isfinite(d[0]) or d[0] <= 0 or (d < 0).any():
        raise ValueError("distances must be ≥ 0, one per step, at least two of them, the first finite and > 0")
    cut = np.flatnonzero(~np.isfinite(d) | (d <= floor * d[0]))
    if cut.size:
        if cut[0] == 1:  # gone after one step: to the minimum (rate 0) or out of the float range
            return 0.0 if np.isfinite(d[1]) else math.inf
        d = d[: cut[0]]
    if last is None:
        last = max(1, (d.size - 1) // 2)
    last = integer("last (steps)", last, 1, d.size - 1)
    window = max(1, min(last // 4, d.size - last))
    end = d.size - window  # the final window is d[end:], the earlier one d[end − last : end − last + window]
    return float((d[end:].max() / d[end - last : end - last + window].max()) ** (1 / last))
