"""Checks for the notebooks' exercises: each prints ✓ or a hint (never the answer) and returns a Verdict.

A check never raises on a wrong answer of the right kind: a learner's mistake is a hint,
not a traceback. Answers of the wrong kind (a string where a number belongs) get a hint too.
"""

import math

import numpy as np


class Verdict:
    """A check's result: true when the answer passed. It shows nothing as a cell's value."""

    def __init__(self, passed):
        self.passed = bool(passed)

    def __bool__(self):
        return self.passed

    def __repr__(self):
        return "✓" if self.passed else "✗"

    def _ipython_display_(self):
        pass  # the check already printed its verdict


def _verdict(ok, praise, hint):
    print(f"✓ {praise}" if ok else f"✗ Not yet. Hint: {hint}")
    return Verdict(ok)


def _as_number(answer):
    try:
        value = float(answer)
    except (TypeError, ValueError):
        return None
    return value if math.isfinite(value) else None


def _close(answer, expected, rel=1e-6, abs_=1e-12):
    value = _as_number(answer)
    return value is not None and math.isclose(value, expected, rel_tol=rel, abs_tol=abs_)


# --------------------------------------------------------------------------- 00 · start here


def check_one_step(answer):
    """θ after one gradient step on f(θ) = θ² from θ₀ = 3 with η = 0.1."""
    return _verdict(
        _close(answer, 3 - 0.1 * 2 * 3),
        "θ₁ = θ₀ − η·f′(θ₀) = 3 − 0.1·6 = 2.4.",
        "θ₁ = θ₀ − η·f′(θ₀); what is f′(θ) for f(θ) = θ²?",
    )


def check_torch_name_of_rho(answer):
    """The keyword torch.optim.RMSprop uses for ρ."""
    return _verdict(
        isinstance(answer, str) and answer.strip() == "alpha",
        "torch calls RMSprop's decay rate ρ `alpha`.",
        "look at the 'torch argument' column of the notation table, or at help(torch.optim.RMSprop).",
    )


def check_adam_optimizer(opt):
    """An Adam optimizer from helpers.optim with η = 0.01 and β₂ = 0.99, the rest default."""
    from helpers import optim

    if not isinstance(opt, optim.Optimizer):
        return _verdict(False, "", "build it with optim.adam(...); you passed something else.")
    expected = dict(lr=0.01, betas=(0.9, 0.99), eps=1e-8, weight_decay=0.0, amsgrad=False)
    if opt.name != "adam":
        return _verdict(False, "", f"that is {opt.name}, not adam.")
    wrong = [k for k, v in expected.items() if not np.allclose(opt.hparams[k], v)]
    return _verdict(
        not wrong,
        "that is torch.optim.Adam(params, lr=0.01, betas=(0.9, 0.99)) in helpers' form.",
        f"check {', '.join(wrong)}; β₂ is the second entry of `betas`." if wrong else "",
    )


# --------------------------------------------------------------------------- 01 · gradient descent


def check_mae_gradient(mae_grad):
    """`mae_grad(w, b, x, y) -> (dL/dw, dL/db)` for L = mean |w·x + b − y|, compared with autograd."""
    import torch

    if not callable(mae_grad):
        return _verdict(False, "", "pass your function itself, e.g. check_mae_gradient(mae_grad).")
    rng = np.random.default_rng(7)
    for _ in range(5):
        x, y = rng.normal(size=20), rng.normal(size=20)
        w, b = rng.normal(size=2)
        wt = torch.tensor(w, dtype=torch.float64, requires_grad=True)
        bt = torch.tensor(b, dtype=torch.float64, requires_grad=True)
        (wt * torch.tensor(x) + bt - torch.tensor(y)).abs().mean().backward()
        try:
            got = np.asarray(mae_grad(w, b, x, y), dtype=np.float64).ravel()
        except Exception as error:  # a learner's bug is a hint, not a traceback
            return _verdict(False, "", f"your function raised {type(error).__name__}: {error}")
        if got.shape != (2,):
            return _verdict(False, "", "return two numbers: (dL/dw, dL/db).")
        if not np.allclose(got, [wt.grad.item(), bt.grad.item()], atol=1e-10):
            return _verdict(
                False, "", "d|r|/dr = sign(r), and r = w·x + b − y depends on w through x and on b with slope 1. "
                "Did you keep the 1/N of the mean?",
            )
    return _verdict(True, "your MAE gradient matches autograd on random data.", "")


def check_max_stable_lr(answer):
    """The supremum of stable learning rates for a quadratic with Hessian eigenvalues 1 and 50."""
    return _verdict(
        _close(answer, 2 / 50),
        "η < 2/λ_max = 0.04: at η = 0.04 the λ = 50 direction is multiplied by 1 − ηλ = −1 every step.",
        "GD multiplies the component along eigenvector i by (1 − ηλᵢ) each step. For which η is |1 − ηλᵢ| < 1 for every i?",
    )


def check_optimal_step(eta, rate):
    """η* and the per-step contraction of the distance for κ = 9 (eigenvalues 1 and 9)."""
    ok_eta, ok_rate = _close(eta, 2 / 10), _close(rate, 8 / 10)
    if ok_eta and ok_rate:
        return _verdict(True, "η* = 2/(λ_min + λ_max) = 0.2 balances |1 − η·1| = |1 − η·9| = 0.8 = (κ − 1)/(κ + 1).", "")
    if ok_eta:
        return _verdict(False, "", "η is right. The rate is |1 − η*λ| for either eigenvalue.")
    return _verdict(False, "", "the best η makes the slowest and the fastest direction contract equally: |1 − ηλ_min| = |1 − ηλ_max|.")


def check_steps_needed(answer):
    """Steps of GD at η* on κ = 100 until the distance to the minimum shrinks by 10⁻⁶."""
    expected = math.ceil(math.log(1e-6) / math.log(99 / 101))
    value = _as_number(answer)
    if value is not None and value == expected:
        return _verdict(True, f"({99}/{101})^k ≤ 10⁻⁶ first holds at k = {expected}: ill-conditioning costs steps ∝ κ.", "")
    hint = "solve ((κ − 1)/(κ + 1))^k ≤ 10⁻⁶ for the smallest whole k; take logarithms."
    if value is not None and abs(value - expected) <= 1:
        hint = "close: round up to the first whole k that reaches 10⁻⁶."
    return _verdict(False, "", hint)
