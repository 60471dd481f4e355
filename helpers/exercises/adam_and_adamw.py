"""Checks for notebook 06, Adam and AdamW: bias correction, the first moment, decoupled decay, a huge ε."""

import math

from helpers.exercises._core import ANY, near, numeric

_UNCORRECTED_OVER_CORRECTED = (1 - 0.9) / math.sqrt(1 - 0.98)


@numeric(
    expected=_UNCORRECTED_OVER_CORRECTED,
    rel=1e-3,
    praise="0.1/√0.02 ≈ 0.707: with β₂ = 0.98 the uncorrected first step is *shorter* than Adam's.",
    near_misses=[
        (
            1 / _UNCORRECTED_OVER_CORRECTED,
            "that is corrected/uncorrected; the question asks for uncorrected/corrected.",
        ),
        ((1 - 0.9) / (1 - 0.98), "the step divides by √v₁, the square root of (1 − β₂)g₁²."),
    ],
    hint="at t = 1, m₁ = (1 − β₁)g₁ and v₁ = (1 − β₂)g₁²; divide m₁/√v₁ by the corrected step g₁/|g₁|.",
)
def check_uncorrected_first_step(answer):
    """Uncorrected/corrected first Adam step for β = (0.9, 0.98): (1 − β₁)/√(1 − β₂)."""


@numeric(
    expected=(0.2 * -2.0, -2.0),
    praise="m₁ = (1 − β₁)g₁ = −0.4, and m̂₁ = m₁/(1 − β₁) = g₁: the first corrected estimate is the gradient itself.",
    near_misses=[
        ((0.2 * -2.0, ANY), "m₁ is right. Divide it by 1 − β₁ᵗ with t = 1."),
        ((ANY, -2.0), "m̂₁ is right. m₁ comes from (1) with m₀ = 0, before any correction."),
    ],
    hint="start from m₀ = 0 in mₜ = β₁mₜ₋₁ + (1 − β₁)gₜ, then divide by 1 − β₁ᵗ.",
)
def check_first_moment(m_1, m_hat_1):
    """m₁ and m̂₁ for β₁ = 0.8 and g₁ = −2."""


@numeric(
    expected=(1 - 1e-3 * 0.1) ** 1000,
    rel=1e-4,
    praise="(1 − ηω)¹⁰⁰⁰ = 0.9999¹⁰⁰⁰ ≈ 0.905 ≈ e^(−ηωk): with a zero gradient Adam's own step is 0.",
    near_misses=[
        # 0.9¹⁰⁰⁰ ≈ 10⁻⁴⁶: only a tiny absolute tolerance tells it from 0.
        (near((1 - 0.1) ** 1000, rel=1e-3, abs_=1e-30), "the factor per step is 1 − ηω, with η = 10⁻³, not 1 − ω."),
        (near(1 - 1000 * 1e-3 * 0.1, rel=1e-3), "the factors multiply: (1 − ηω)ᵏ, not 1 − kηω."),
    ],
    hint="each AdamW step multiplies θ by (1 − ηω) before the Adam step, and with g = 0 that Adam step is 0.",
)
def check_adamw_decay(answer):
    """θ₁₀₀₀/θ₀ for AdamW with η = 10⁻³, ω = 0.1 and a zero gradient: (1 − ηω)¹⁰⁰⁰."""


@numeric(
    expected=0.5 / 100 * (1 - 0.9),
    praise="(η/ε)(1 − β₁) = 5·10⁻⁴: SGD's undampened buffer Σ β₁^(t−s) gₛ is 1/(1 − β₁) times Adam's m̂ for large t.",
    near_misses=[
        (
            0.5 / 100,
            "η/ε is the rate for SGD with dampening τ = β₁; with dampening 0 the buffer is 1/(1 − β₁) times larger.",
        )
    ],
    hint="with ε ≫ √v̂ the step is (η/ε)m̂ₜ; compare m̂ₜ with torch's buffer bₜ = μbₜ₋₁ + gₜ for large t.",
)
def check_large_eps_lr(answer):
    """The SGD (μ = 0.9, τ = 0) learning rate that Adam with η = 0.5, ε = 100 approaches: (η/ε)(1 − β₁)."""
