"""Checks for notebook 08, Learning-rate schedules: StepLR, cosine annealing, OneCycle, and ReduceLROnPlateau."""

from helpers import schedules
from helpers.exercises._core import ANY, numeric, one_of


@numeric(
    expected=0.1 * 0.1 ** (75 // 30),
    praise="⌊75/30⌋ = 2 drops have happened, at t = 30 and t = 60: η₇₅ = 0.1·0.1² = 10⁻³.",
    near_misses=[
        (one_of(0.1 * 0.1**3, 0.1 * 0.1**2.5), "the exponent is ⌊t/s⌋, rounded down: the third drop comes at t = 90."),
        (0.1 * 0.1, "a drop happens at every multiple of step_size, t = 30 and t = 60 both."),
    ],
    hint="count the drops that have happened by step 75: ηₜ = η₀ γ^⌊t/s⌋, and ⌊·⌋ rounds down.",
)
def check_step_lr_value(answer):
    """η at step t = 75 of StepLR with η₀ = 0.1, step_size = 30, γ = 0.1: η₀γ^⌊75/30⌋."""


@numeric(
    expected=0.001 + 0.5 * (0.1 - 0.001),
    praise="cos(π/2) = 0, so η_{T/2} = η_min + ½(η₀ − η_min) = (η₀ + η_min)/2 = 0.0505.",
    near_misses=[(0.05, "close: that ignores η_min; the cosine runs between η₀ and η_min, not 0.")],
    hint="put t = T/2 into ηₜ = η_min + ½(η₀ − η_min)(1 + cos(πt/T)); what is cos(π/2)?",
)
def check_cosine_midpoint(answer):
    """η at t = T/2 of CosineAnnealingLR with η₀ = 0.1, η_min = 0.001."""


@numeric(
    expected=(0.4 / 25, 0.4 / 25 / 1e4),
    praise="η starts at max_lr/div_factor = 0.016 and ends 10⁴ times lower still, at 1.6·10⁻⁶.",
    near_misses=[
        ((0.4 / 25, ANY), "the first one is right. final_div_factor divides the *initial* η, not max_lr."),
        ((ANY, 0.4 / 25 / 1e4), "the last one is right. Where does the rise start? Look at div_factor."),
    ],
    hint="η rises from max_lr/div_factor to max_lr, then falls to (max_lr/div_factor)/final_div_factor.",
)
def check_one_cycle_ends(initial, final):
    """OneCycleLR(max_lr = 0.4) with the default div_factor = 25 and final_div_factor = 10⁴: its first and last η."""


PLATEAU_EXERCISE_METRICS = (1.0, 0.8, 0.8, 0.79, 0.81, 0.80, 0.82, 0.85)


def _plateau_lr():
    return schedules.reduce_on_plateau(PLATEAU_EXERCISE_METRICS, 0.1, factor=0.5, patience=2)


@numeric(
    expected=_plateau_lr,
    praise="0.79 is the last improvement; 0.81, 0.80, 0.82 make three bad metrics in a row, more "
    "than patience = 2, so η halves once, and the count starts again.",
    near_misses=[
        (0.1, "η does drop once: find the first run of more than `patience` metrics in a row that miss the best."),
        (
            one_of(0.025, 0.0125),
            "after a reduction the count of bad metrics starts again from 0; a single drop fits here.",
        ),
    ],
    hint="walk through the metrics keeping the best so far and a count of metrics in a row that did not beat it; "
    "η is multiplied by factor when that count exceeds patience, and the count restarts.",
)
def check_plateau_lr(answer):
    """η after ReduceLROnPlateau(lr = 0.1, factor = 0.5, patience = 2) has seen PLATEAU_EXERCISE_METRICS."""
