"""Checks for notebook 01, Gradient descent: the MAE gradient, the stable and the optimal step, steps against κ."""

import math

import numpy as np

from helpers.exercises._core import ANY, as_float_array, function_check, numeric, within


def _mae_cases():
    rng = np.random.default_rng(7)
    cases = []
    for _ in range(5):
        x, y = rng.normal(size=20), rng.normal(size=20)
        w, b = rng.normal(size=2)
        cases.append((w, b, x, y))
    return cases


def _autograd_mae_gradient(w, b, x, y):
    # torch loads only when this check runs: the notebook's other checks need none of it.
    import torch

    wt = torch.tensor(w, dtype=torch.float64, requires_grad=True)
    bt = torch.tensor(b, dtype=torch.float64, requires_grad=True)
    (wt * torch.tensor(x) + bt - torch.tensor(y)).abs().mean().backward()
    return [wt.grad.item(), bt.grad.item()]


def _diagnose_mae_gradient(got, expected, *case):
    if got.shape != (2,):
        return "return two numbers: (dL/dw, dL/db)."
    if not np.allclose(got, expected, atol=1e-10):
        return (
            "d|r|/dr = sign(r), and r = w·x + b − y depends on w through x and on b with slope 1. "
            "Did you keep the 1/N of the mean?"
        )
    return None


@function_check(
    cases=_mae_cases,
    reference=_autograd_mae_gradient,
    diagnose=_diagnose_mae_gradient,
    convert=lambda result: as_float_array(result).ravel(),
    praise="your MAE gradient matches autograd on random data.",
)
def check_mae_gradient(mae_grad):
    """`mae_grad(w, b, x, y) -> (dL/dw, dL/db)` for L = mean |w·x + b − y|, compared with autograd."""


@numeric(
    expected=2 / 50,
    praise="η < 2/λ_max = 0.04: at η = 0.04 the λ = 50 direction is multiplied by 1 − ηλ = −1 every step.",
    hint="GD multiplies the component along eigenvector i by (1 − ηλᵢ) each step. "
    "For which η is |1 − ηλᵢ| < 1 for every i?",
)
def check_max_stable_lr(answer):
    """The supremum of stable learning rates for a quadratic with Hessian eigenvalues 1 and 50."""


@numeric(
    expected=(2 / 10, 8 / 10),
    praise="η* = 2/(λ_min + λ_max) = 0.2 balances |1 − η·1| = |1 − η·9| = 0.8 = (κ − 1)/(κ + 1).",
    near_misses=[((2 / 10, ANY), "η is right. The rate is |1 − η*λ| for either eigenvalue.")],
    hint="the best η makes the slowest and the fastest direction contract equally: |1 − ηλ_min| = |1 − ηλ_max|.",
)
def check_optimal_step(eta, rate):
    """η* and the per-step contraction of the distance for κ = 9 (eigenvalues 1 and 9)."""


_STEPS_AT_KAPPA_100 = math.ceil(math.log(1e-6) / math.log(99 / 101))


@numeric(
    expected=_STEPS_AT_KAPPA_100,
    rel=0,
    abs_=0,
    praise=f"(99/101)^k ≤ 10⁻⁶ first holds at k = {_STEPS_AT_KAPPA_100}: ill-conditioning costs steps ∝ κ.",
    near_misses=[(within(_STEPS_AT_KAPPA_100, 1), "close: round up to the first whole k that reaches 10⁻⁶.")],
    hint="solve ((κ − 1)/(κ + 1))^k ≤ 10⁻⁶ for the smallest whole k; take logarithms.",
)
def check_steps_needed(answer):
    """Steps of GD at η* on κ = 100 until the distance to the minimum shrinks by 10⁻⁶."""
