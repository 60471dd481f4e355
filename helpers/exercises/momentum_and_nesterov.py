"""Checks for notebook 03, Momentum and Nesterov: the tuned heavy ball, its stability rule, PyTorch's buffer."""

import numpy as np

from helpers import rates
from helpers.exercises._core import ANY, above, function_check, near, numeric, vector

_ETA_STAR, _MU_STAR, _RATE = rates.optimal_heavy_ball(1.0, 400.0)


@numeric(
    expected=(_MU_STAR, _ETA_STAR),
    praise=f"μ* = (19/21)² ≈ {_MU_STAR:.4f} and η* = 4/(20 + 1)² ≈ {_ETA_STAR:.5f}: rate √μ* = 19/21 ≈ {_RATE:.3f}.",
    near_misses=[
        ((_RATE, ANY), "that is the rate √μ*; μ* is its square."),
        (
            (_MU_STAR, ANY),
            "μ is right. η* puts λ_min and λ_max at the two edges of the complex band: "
            "ηλ_min = (1 − √μ)² and ηλ_max = (1 + √μ)².",
        ),
        ((ANY, _ETA_STAR), "η is right. μ* comes from √κ, not κ: ((√κ − 1)/(√κ + 1))²."),
    ],
    hint="κ = λ_max/λ_min = 400, so √κ = 20; equation (11) has both answers.",
)
def check_optimal_momentum(mu, eta):
    """μ* and η* of the heavy ball for Hessian eigenvalues 1 and 400."""


def _stability_cases():
    rng = np.random.default_rng(3)
    cases = []
    for _ in range(200):
        eigenvalues = list(rng.uniform(0.1, 10.0, size=rng.integers(1, 4)))
        mu = float(rng.choice([0.0, rng.uniform(0.0, 0.99)]))
        boundary = 2 * (1 + mu) / max(eigenvalues)  # η beyond which the stiffest direction diverges
        eta = float(boundary * rng.choice([rng.uniform(0.05, 1.5), 0.99, 1.01]))
        cases.append((eta, mu, eigenvalues))
    return cases


def _converges(eta, mu, eigenvalues):
    return rates.spectral_radius(eta, mu, eigenvalues) < 1


def _diagnose_stability_rule(answer, expected, eta, mu, eigenvalues):
    if not isinstance(answer, (bool, np.bool_)):
        return f"return True or False; got {answer!r}."
    if answer == expected:
        return None
    gd_rule = all(eta * lam < 2 for lam in eigenvalues)
    if gd_rule == answer and mu > 0:
        return (
            "that is gradient descent's rule ηλ < 2. "
            "Momentum moves the boundary: look at the real roots of (9) at z = −1."
        )
    return (
        f"for η = {eta:.4g}, μ = {mu:.3g}, eigenvalues {np.round(eigenvalues, 3).tolist()} you said {answer}. "
        "Every eigenvalue must satisfy (10)."
    )


@function_check(
    cases=_stability_cases,
    reference=_converges,
    diagnose=_diagnose_stability_rule,
    convert=lambda answer: answer,
    praise="your rule agrees with the spectral radius on 200 cases, near the boundary too.",
)
def check_stability_rule(is_stable):
    """`is_stable(eta, mu, eigenvalues) -> bool`: does the heavy ball converge from every start?"""


_BUFFER, _ETA = np.array([2.0, -1.0]), 0.1


def _is_the_buffer_up_to_sign(velocity):
    return np.allclose(np.abs(velocity), np.abs(_BUFFER), rtol=1e-9)


@vector(
    expected=-_ETA * _BUFFER,
    rel=1e-9,
    abs_=1e-12,
    praise="ζ = −ηb = (−0.2, 0.1): the classical step μζ − ηg equals PyTorch's −η(μb + g).",
    not_a_number="give two numbers, e.g. velocity = (0.5, -0.25).",
    near_misses=[
        (
            near(_ETA * _BUFFER, rel=1e-9, abs_=1e-12),
            "check the sign: the classical form adds ζ to θ, PyTorch subtracts ηb.",
        ),
        (_is_the_buffer_up_to_sign, "the buffer holds gradients without η; the velocity is a step, with η in it."),
    ],
    hint="write both updates for one step and ask which ζ makes θₜ₋₁ + ζₜ equal θₜ₋₁ − ηbₜ.",
)
def check_velocity_from_buffer(velocity):
    """The classical velocity ζ that continues a PyTorch-form run with η = 0.1, μ = 0.9 and buffer b = (2, −1)."""


_GD_STEPS = rates.steps_to(rates.optimal_gd(1.0, 1e4)[1])
_HEAVY_BALL_STEPS = rates.steps_to(rates.optimal_heavy_ball(1.0, 1e4)[2])
_SPEEDUP = _GD_STEPS / _HEAVY_BALL_STEPS


@numeric(
    expected=_SPEEDUP,
    rel=0,
    abs_=0.1 * _SPEEDUP,  # ±10%: any sensible way of counting steps agrees to that
    praise=f"about {_GD_STEPS} against {_HEAVY_BALL_STEPS} steps: √κ = 100 times fewer.",
    near_misses=[
        (
            above(1000),
            "that is κ, the ratio of the condition numbers. The heavy ball's steps grow like √κ, GD's like κ.",
        )
    ],
    hint="steps ≈ ln(10⁻⁶)/ln(rate); GD's rate is (κ − 1)/(κ + 1), the heavy ball's (√κ − 1)/(√κ + 1).",
)
def check_momentum_speedup(answer):
    """How many times fewer steps the tuned heavy ball needs than tuned GD for κ = 10⁴ (±10%)."""
