"""Checks for notebook 04, AdaGrad: the first step, AdaGrad-Norm, the slow ramp, and the axis-aligned angle."""

import math

import numpy as np

from helpers.exercises._core import function_check, near, numeric, vector, within

_G1 = np.array([3.0, 0.01])
_FIRST_STEP = -0.1 * _G1 / (np.sqrt(1.0 + _G1 * _G1) + 1e-10)


@vector(
    expected=_FIRST_STEP,
    rel=1e-6,
    abs_=1e-12,
    praise="G₁ = G₀ + g₁² = (10, 1.0001): the large gradient's step is capped near η·3/√10, "
    "the tiny one is a plain gradient step of about η·0.01.",
    not_a_number="give θ₁ as two numbers, e.g. a list or a numpy array.",
    near_misses=[
        (near(-_FIRST_STEP, rel=1e-6, abs_=1e-8), "check the sign: AdaGrad steps against the gradient."),
        (
            near(-0.1 * np.sign(_G1), rel=1e-3, abs_=1e-8),
            "that is the step with G₀ = 0. Here G₀ = initial_accumulator_value is not zero.",
        ),
        (
            near(-0.1 * _G1 / (1.0 + _G1 * _G1), rel=1e-3, abs_=1e-8),
            "divide by the square root of G₁, not by G₁ itself.",
        ),
    ],
    hint="first G₁ = G₀ + g₁² per coordinate, then θ₁ = θ₀ − η g₁ / (√G₁ + ε).",
)
def check_adagrad_first_step(answer):
    """θ₁ of AdaGrad (η = 0.1, initial_accumulator_value = 1, ε = 1e-10) from θ₀ = 0 with g₁ = (3, 0.01)."""


def _adagrad_path(grad, theta0, lr, steps, squared, eps=1e-10):
    """θ₀…θ_steps of AdaGrad whose accumulator adds squared(gₜ): a number for AdaGrad-Norm, a vector per coordinate."""
    theta, total = np.array(theta0, dtype=np.float64), 0.0
    path = [theta]
    for _ in range(steps):
        g = grad(theta)
        total = total + squared(g)  # Gₜ = Gₜ₋₁ + ‖gₜ‖² (or gₜ², coordinate by coordinate)
        theta = theta - lr * g / (np.sqrt(total) + eps)  # θₜ = θₜ₋₁ − η gₜ / (√Gₜ + ε)
        path.append(theta)
    return np.array(path)


def _adagrad_norm_reference(grad, theta0, lr, steps, eps=1e-10):
    return _adagrad_path(grad, theta0, lr, steps, lambda g: float(g @ g), eps)


def _per_coordinate_adagrad(grad, theta0, lr, steps):
    return _adagrad_path(grad, theta0, lr, steps, lambda g: g * g)


def _quadratics():
    scales = np.array([1.0, 100.0, 7.0])
    return [
        (lambda theta: scales[:2] * theta, np.array([-4.0, 2.0]), 1.0, 30),
        (lambda theta: scales * theta, np.array([1.0, -0.5, 3.0]), 0.3, 20),
    ]


def _diagnose_adagrad_norm(got, expected, grad, start, lr, steps):
    if got.shape != expected.shape:
        return f"return the whole path θ₀…θ_steps, shape {expected.shape} here; got {got.shape}."
    if np.allclose(got, expected, rtol=1e-9, atol=1e-12):
        return None
    if np.allclose(got, _per_coordinate_adagrad(grad, start, lr, steps), rtol=1e-9, atol=1e-12):
        return "that is per-coordinate AdaGrad. Here G is one number: add the squared norm ‖gₜ‖² = Σᵢ gₜᵢ²."
    if not np.allclose(got[0], start):
        return "the path starts with θ₀ itself."
    return "accumulate first (Gₜ = Gₜ₋₁ + ‖gₜ‖²), then step with the new Gₜ; ε goes outside the root."


@function_check(
    cases=_quadratics,
    reference=_adagrad_norm_reference,
    diagnose=_diagnose_adagrad_norm,
    praise="your AdaGrad-Norm matches the reference on two quadratics.",
)
def check_adagrad_norm(adagrad_norm):
    """`adagrad_norm(grad, theta0, lr, steps, eps=1e-10) -> path (steps + 1, d)`, one accumulator for all coordinates."""


# With a constant gradient 5, Gₜ = 25t and step t moves θ by η·5/√(25t): the distance covered after each step.
_TRAVELLED = np.cumsum(0.1 * 5.0 / (np.sqrt(25.0 * np.arange(1, 10_000)) + 1e-10))
_RAMP_STEPS = int(np.argmax(_TRAVELLED >= 10)) + 1


@numeric(
    expected=_RAMP_STEPS,
    rel=0,
    abs_=0,
    praise="η Σ 1/√t first reaches 10 there: about (D/2η)² steps, quadratic in the distance D.",
    near_misses=[
        (
            within(_RAMP_STEPS, 0.1 * _RAMP_STEPS),
            "close. 2η√T is only an approximation of η Σ 1/√t; count the sum exactly (np.cumsum helps).",
        )
    ],
    hint="with a constant gradient, Gₜ = 25t, so step t moves θ by η/√t. Add these up until they reach 10.",
)
def check_ramp_steps(answer):
    """The first t with θₜ ≤ −10 for AdaGrad (η = 0.1) on L(θ) = 5θ from θ₀ = 0."""


def _outside_zero_to_pi(angle):
    return angle <= 0 or angle >= math.pi


@numeric(
    expected=math.pi / 2,
    rel=1e-4,
    abs_=0,
    praise="rotated by a right angle, the eigenvectors are the axes again (swapped): H is diagonal, and (5) holds.",
    near_misses=[
        (near(90.0, rel=1e-3, abs_=0), "give the angle in radians, not degrees."),
        (near(math.pi / 4, rel=1e-3, abs_=0), "that is the worst angle, not a good one."),
        (_outside_zero_to_pi, "the angle must lie strictly between 0 and π."),
    ],
    hint="the κ-independence of (5) needs a diagonal Hessian. Print surfaces.hessian(kappa, angle) for a few angles.",
)
def check_aligned_angle(answer):
    """The angle in (0, π), in radians, at which quadratic(kappa, angle) is axis-aligned again."""
