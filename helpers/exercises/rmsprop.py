"""Checks for notebook 05, RMSprop: the moving average's memory, torch's first step, and its warm-up."""

import math

from helpers.exercises._core import numeric, within


@numeric(
    expected=1 / (1 - 0.9),
    praise="1/(1 − ρ) = 10 steps: a gradient 10 steps old weighs ρ¹⁰ ≈ 1/e of the newest one.",
    near_misses=[
        (
            0.9 / (1 - 0.9),
            "that is the mean age ρ/(1 − ρ) of the averaged gradients; the effective memory is 1/(1 − ρ).",
        )
    ],
    hint="the newest gradient gets weight 1 − ρ; a plain average over n steps gives it 1/n. Which n matches?",
)
def check_rmsprop_memory(answer):
    """The effective memory 1/(1 − ρ), in steps, of RMSprop's moving average for ρ = 0.9."""


@numeric(
    expected=1 / math.sqrt(1 - 0.96),
    rel=1e-4,
    praise="v₁ = (1 − ρ)g₁², so |Δθ₁| = η|g₁|/(√(1 − ρ)|g₁|) = η/√0.04 = 5η.",
    near_misses=[(1 / (1 - 0.96), "close: the denominator is the square root of v₁.")],
    hint="after one step v₁ = (1 − ρ)g₁² (v₀ = 0). Divide |g₁| by √v₁.",
)
def check_rmsprop_first_step(answer):
    """|Δθ₁| / η under torch's RMSprop (no bias correction) for ρ = 0.96, ε negligible."""


@numeric(
    expected=0.3**2,
    praise="vₜ = (1 − ρᵗ)g² → g² = 0.09: the weights (1 − ρ)ρᵏ sum to 1, so the steps tend to η·sign(g).",
    near_misses=[(0.3, "v averages squared gradients, not gradients.")],
    hint="unroll vₜ = ρvₜ₋₁ + (1 − ρ)g² into a geometric series. What does it average: g or g²?",
)
def check_rmsprop_constant_gradient(answer):
    """The limit of vₜ when every gradient equals g = 0.3."""


_WARMUP_STEPS = math.ceil(math.log(1 - 1 / 1.1**2) / math.log(0.99))


@numeric(
    expected=_WARMUP_STEPS,
    rel=0,
    abs_=0,
    praise=f"0.99ᵗ ≤ 1 − 1/1.1² first holds at t = {_WARMUP_STEPS}: the inflation outlasts 1/(1 − ρ) = 100 steps.",
    near_misses=[(within(_WARMUP_STEPS, 1), "close: round up to the first whole t that satisfies the inequality.")],
    hint="solve 1/√(1 − ρᵗ) ≤ 1.1 for t: square both sides, isolate ρᵗ, take logarithms, round up.",
)
def check_rmsprop_warmup_steps(answer):
    """The first step t at which torch's inflation 1/√(1 − ρᵗ) is at most 1.1, for ρ = 0.99."""
