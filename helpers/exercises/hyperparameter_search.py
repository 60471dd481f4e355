"""Checks for notebook 10, Hyperparameter search: grid against random, trials for the top 5%, successive halving."""

import math

from helpers import search
from helpers.exercises._core import ANY, WRONG, above, as_number, function_check, near, numeric


@numeric(
    expected=(4, 16),
    rel=0,
    abs_=0,
    not_a_number="answer with two whole numbers: the grid's count, then random search's.",
    praise="the grid's 16 points stand in 4 columns of 4; each random trial draws a new value.",
    near_misses=[
        (
            (WRONG, ANY),
            "count the values along one axis, not the points: the grid's points share their "
            "values column by column (equation (2)).",
        )
    ],
    hint="random trials draw every hyperparameter afresh from a continuous range: can two of them share a value?",
)
def check_distinct_values(grid_count, random_count):
    """Distinct values of one hyperparameter: a 4×4 grid tries 4, 16 random trials try 16."""


_FEWEST_TRIALS = math.ceil(math.log(0.05) / math.log(0.95))


def _is_fractional(trials):
    return trials != int(trials)


def _too_few(trials):
    return trials < _FEWEST_TRIALS and 1 - 0.95**trials < 0.95


@numeric(
    expected=_FEWEST_TRIALS,
    rel=0,
    abs_=0,
    not_a_number="answer with a whole number of trials.",
    praise=f"1 − 0.95ⁿ first reaches 95% at this n: {1 - 0.95**_FEWEST_TRIALS:.4f}.",
    near_misses=[
        (_is_fractional, "a number of trials is a whole number: round the solution of 1 − 0.95ⁿ = 0.95 the safe way."),
        (
            _too_few,
            lambda trials: (
                f"with {int(trials)} trials the chance is only {1 - 0.95**trials:.3f}; solve 1 − 0.95ⁿ ≥ 0.95 for n."
            ),
        ),
    ],
    hint="enough trials, but not the fewest: solve 1 − 0.95ⁿ ≥ 0.95 for n with logarithms.",
)
def check_trials_for_top_fraction(answer):
    """The smallest n with 1 − 0.95ⁿ ≥ 0.95 (equation (3) with q = 5%): 59."""


def _halving_cases():
    return [(27, 10, 3), (81, 1, 3), (10, 5, 2), (8, 1, 3), (100, 2, 4), (1, 7, 3), (5, 3, 5)]


def _rounds_of_the_helper(n, min_budget, r):
    rounds = search.successive_halving(list(range(n)), lambda config, budget: config, min_budget, eta=r).rounds
    return [(rnd.budget, len(rnd.configs)) for rnd in rounds]


def _as_budget_count_pairs(result):
    return [(as_number(budget), as_number(count)) for budget, count in result]


def _diagnose_halving_schedule(got, expected, n, min_budget, r):
    if got == expected:
        return None
    case = f"for n = {n}, min_budget = {min_budget}, r = {r}"
    if not got:
        return f"{case} the list is empty; round 0 trains all n configurations with min_budget each."
    if [count for _, count in got] == [count for _, count in expected]:
        return f"{case} the counts are right but the budgets are not: bᵢ = b₀·rⁱ (6)."
    if len(got) < len(expected):
        return f"{case} the race stops too early: it ends with a round in which one configuration trains."
    if len(got) > len(expected):
        return f"{case} there are too many rounds: once a single configuration has trained, the race is over."
    return f"{case} the survivors are ⌊nᵢ/r⌋, but never fewer than one (6)."


@function_check(
    cases=_halving_cases,
    reference=_rounds_of_the_helper,
    diagnose=_diagnose_halving_schedule,
    convert=_as_budget_count_pairs,
    raised_advice="; it should return a list of (budget, configurations) pairs.",
    praise="every round costs about n₀·b₀: the whole race ⌊log_r n₀⌋ + 1 times that.",
)
def check_halving_schedule(halving_schedule):
    """`halving_schedule(n, min_budget, r)` → [(budget, configurations), …] of every round of successive halving."""


_PERCENTAGES = "give fractions, not percentages."


@numeric(
    expected=(near(1 / math.log10(0.5 / 1e-4), rel=1e-3, abs_=0), near((1e-2 - 1e-3) / (0.5 - 1e-4), rel=2e-3, abs_=0)),
    not_a_number="answer with two fractions between 0 and 1, e.g. 0.5 for a half.",
    praise="log-uniform gives every decade the same share: 1/log₁₀(5000) ≈ 0.27, as the range spans 3.7 decades; "
    "uniform gives this one under 2%.",
    near_misses=[
        ((above(1), ANY), _PERCENTAGES),
        ((ANY, above(1)), _PERCENTAGES),
        (
            (WRONG, ANY),
            "log-uniform: the logarithm is uniform, so count decades — how many does [1e-4, 0.5] span? (equation (4))",
        ),
    ],
    hint="uniform: the share is the interval's length divided by the range's length.",
)
def check_decade_fractions(loguniform_fraction, uniform_fraction):
    """η in [1e-4, 0.5], the share in [1e-3, 1e-2]: 1/log₁₀(5000) log-uniform, (1e-2 − 1e-3)/(0.5 − 1e-4) uniform."""
