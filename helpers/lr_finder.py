"""The learning-rate range test (Smith 2017, "Cyclical Learning Rates", §3.3): sweep η upwards, watch the loss.

    result = lr_finder.lr_range_test(optim.sgd(), surface.f, surface.grad, surface.start)
    result.lrs, result.losses, result.suggested_lr

One short run takes a step at each of `steps` learning rates spaced geometrically from lr_min to lr_max.
The loss falls once η is large enough to make progress, bottoms out, and explodes once η passes the
stability limit (2/λ_max for gradient descent on a quadratic). The run stops at that explosion.
"""

import math
from typing import NamedTuple

import numpy as np

from helpers._checks import choice, integer, positive, real, unit_interval
from helpers.optim import Optimizer


class RangeTest(NamedTuple):
    """What a range test saw: `losses[i]` is the smoothed loss after the step taken with `lrs[i]`."""

    lrs: np.ndarray
    losses: np.ndarray
    suggested_lr: float


SUGGESTION_RULES = ("steepest", "min_over_10")


def _suggest(lrs, losses, rule):
    """The suggested η.

    "steepest" (the default): the η where the smoothed loss falls fastest per decade of η,
    argmin dL/d(log η) over the points up to the lowest loss: the loss is still falling there, and
    quickly, so η makes progress yet sits well below the blow-up. How far below depends on the sweep:
    a slower sweep (more steps) reaches the same loss at a smaller η.
    "min_over_10": a tenth of the η at the lowest loss, a common rule of thumb: the lowest loss usually
    sits just below the blow-up, and ten is the safety margin. It can mislead: on a quadratic whose
    stiff direction has already converged, the loss keeps falling past 2/λ_max until that direction's
    tiny error has regrown, so the minimum lands beyond the limit.
    """
    best = int(np.argmin(losses))
    if rule == "min_over_10":
        return float(lrs[best] / 10)
    if best < 2:
        return float(lrs[0])  # no descent to measure: the smallest η tried is the safe answer
    slopes = np.gradient(losses[: best + 1], np.log(lrs[: best + 1]))  # dL/d(log η)
    return float(lrs[int(np.argmin(slopes))])


def lr_range_test(
    opt,
    loss_fn,
    grad_fn,
    start,
    lr_min=1e-5,
    lr_max=10.0,
    steps=100,
    smoothing=0.5,
    divergence_factor=4.0,
    rule="steepest",
):
    """Sweep η geometrically from lr_min to lr_max, one step each, and suggest a learning rate.

    opt: an optim.Optimizer; its η is overridden at every step, its other hyperparameters stay.
    loss_fn(θ) → loss and grad_fn(θ) → gradient; start: θ₀, shape (d,).
    ηᵢ = lr_min·(lr_max/lr_min)^(i/(steps − 1)) for i = 0 … steps − 1.
    The recorded loss is an exponential moving average, sᵢ = β sᵢ₋₁ + (1 − β) Lᵢ with β = smoothing,
    bias-corrected as sᵢ/(1 − β^(i+1)) like Adam's moments: it tames noisy (mini-batch) losses but
    lags by about β/(1 − β) steps. The default suits the deterministic 2-D surfaces; for mini-batch
    losses take β ≈ 0.9–0.98 (fastai uses 0.98).
    The run stops after the first smoothed loss above divergence_factor × the lowest so far, or before
    a non-finite loss: divergence is the expected end, not an error. `rule` picks the suggestion
    ("steepest" or "min_over_10", see `_suggest`).
    """
    if not isinstance(opt, Optimizer):
        raise ValueError(f"opt must be an Optimizer (e.g. optim.sgd()), got {type(opt).__name__}")
    lr_min = positive("lr_min", lr_min)
    lr_max = positive("lr_max", lr_max)
    if lr_max <= lr_min:
        raise ValueError(f"lr_max must exceed lr_min ({lr_min:g}), got {lr_max!r}")
    steps = integer("steps", steps, 2)
    smoothing = unit_interval("smoothing (β)", smoothing)
    divergence_factor = real("divergence_factor", divergence_factor, 1.0, low_open=True)
    choice("rule", rule, SUGGESTION_RULES)
    theta = np.array(start, dtype=np.float64)
    if theta.ndim != 1 or theta.size == 0 or not np.isfinite(theta).all():
        raise ValueError(f"start must be a finite point of shape (d,), got shape {theta.shape}")

    lrs = lr_min * (lr_max / lr_min) ** (np.arange(steps) / (steps - 1))  # ηᵢ = η_min (η_max/η_min)^(i/(n−1))
    state = opt.init(theta)
    average, best = 0.0, math.inf
    tried, smoothed = [], []
    with np.errstate(all="ignore"):  # overflow on the way to divergence is expected
        for i, lr in enumerate(lrs):
            theta, state = opt.update(theta, np.asarray(grad_fn(theta), dtype=np.float64), state, lr=float(lr))
            loss = float(loss_fn(theta))
            if not math.isfinite(loss):
                break
            average = smoothing * average + (1 - smoothing) * loss  # sᵢ = β sᵢ₋₁ + (1 − β) Lᵢ
            corrected = average / (1 - smoothing ** (i + 1))  # ŝᵢ = sᵢ / (1 − βⁱ⁺¹)
            tried.append(lr)
            smoothed.append(corrected)
            best = min(best, corrected)
            if corrected > divergence_factor * best:
                break
    if not tried:
        raise ValueError(f"the loss was not finite even after one step at lr_min = {lr_min:g}; lower lr_min")
    tried, smoothed = np.array(tried), np.array(smoothed)
    return RangeTest(tried, smoothed, _suggest(tried, smoothed, rule))
