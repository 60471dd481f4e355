"""The checks of notebook 10 (hyperparameter search): right answers pass, wrong ones get a hint and never raise."""

import math

import numpy as np
import pytest

from helpers import exercises, search

NOT_NUMBERS = [None, "ten", [1, 2], float("nan"), float("inf")]


def halving_schedule(n, min_budget, r):
    rounds, budget = [(min_budget, n)], min_budget
    while n > 1:
        n, budget = max(1, n // r), budget * r
        rounds.append((budget, n))
    return rounds


def test_distinct_values(capsys):
    assert exercises.check_distinct_values(4, 16)
    assert capsys.readouterr().out.startswith("✓")
    for grid, random in [(16, 16), (4, 4), (2, 16), (4, 15), (16, 4)]:
        assert not exercises.check_distinct_values(grid, random)
        assert capsys.readouterr().out.startswith("✗ Not yet. Hint:")


def test_distinct_values_are_what_the_helpers_produce():
    grid = search.grid({"a": search.uniform(0, 1), "b": search.uniform(0, 1)}, 4)
    sample = search.sample({"a": search.uniform(0, 1), "b": search.uniform(0, 1)}, 16, seed=3)
    assert exercises.check_distinct_values(len({c["a"] for c in grid}), len({c["a"] for c in sample}))


def test_trials_for_top_fraction(capsys):
    assert exercises.check_trials_for_top_fraction(59)
    assert capsys.readouterr().out.startswith("✓")
    for answer in [58, 60, 20, 100, 58.4, 1]:
        assert not exercises.check_trials_for_top_fraction(answer)
        assert capsys.readouterr().out.startswith("✗ Not yet. Hint:")


def test_trials_for_top_fraction_is_the_smallest_n_of_equation_3():
    smallest = next(n for n in range(1, 1000) if 1 - 0.95**n >= 0.95)
    assert exercises.check_trials_for_top_fraction(smallest)


def test_halving_schedule_accepts_a_correct_function(capsys):
    assert exercises.check_halving_schedule(halving_schedule)
    assert capsys.readouterr().out.startswith("✓")


def test_halving_schedule_matches_the_race_the_helper_runs():
    for n, min_budget, r in [(27, 10, 3), (9, 2, 3), (50, 1, 2)]:
        trained = []
        search.successive_halving(list(range(n)), lambda config, budget: trained.append(budget) or config,
                                  min_budget, eta=r)
        assert sum(budget * count for budget, count in halving_schedule(n, min_budget, r)) == sum(trained)


@pytest.mark.parametrize("wrong, hint", [
    (lambda n, b, r: [], "empty"),
    (lambda n, b, r: [(b, count) for _, count in halving_schedule(n, b, r)], "budgets"),
    (lambda n, b, r: halving_schedule(n, b, r)[:-1], "too early"),
    (lambda n, b, r: halving_schedule(n, b, r) + [(b * 1000, 1)], "too many"),
    (lambda n, b, r: [(b * r**i, math.ceil(n / r**i)) for i in range(len(halving_schedule(n, b, r)))], "⌊nᵢ/r⌋"),
    (lambda n, b, r: 1 / 0, "ZeroDivisionError"),
    (lambda n, b, r: None, "TypeError"),
    ("not a function", "pass your function"),
])
def test_halving_schedule_rejects_wrong_functions_with_a_pointed_hint(wrong, hint, capsys):
    assert not exercises.check_halving_schedule(wrong)
    out = capsys.readouterr().out
    assert out.startswith("✗ Not yet. Hint:") and hint in out


def test_decade_fractions(capsys):
    assert exercises.check_decade_fractions(0.25, 0.009)
    assert exercises.check_decade_fractions(1 / 4, (1e-2 - 1e-3) / (1 - 1e-4))
    assert capsys.readouterr().out.count("✓") == 2
    for log_share, flat_share in [(0.2, 0.009), (0.25, 0.09), (0.25, 0.25), (25, 0.9), (0.009, 0.25)]:
        assert not exercises.check_decade_fractions(log_share, flat_share)
        assert capsys.readouterr().out.startswith("✗ Not yet. Hint:")


def test_decade_fractions_are_what_sampling_gives():
    samples = search.sample({"log": search.loguniform(1e-4, 1.0), "flat": search.uniform(1e-4, 1.0)}, 200_000, seed=0)
    shares = {name: np.mean([1e-3 <= s[name] <= 1e-2 for s in samples]) for name in ("log", "flat")}
    assert shares["log"] == pytest.approx(0.25, abs=0.005)
    assert shares["flat"] == pytest.approx(0.009, abs=0.001)


@pytest.mark.parametrize("answer", NOT_NUMBERS, ids=repr)
def test_answers_of_the_wrong_kind_get_a_hint(answer, capsys):
    assert not exercises.check_distinct_values(answer, 16)
    assert not exercises.check_distinct_values(4, answer)
    assert not exercises.check_trials_for_top_fraction(answer)
    assert not exercises.check_decade_fractions(answer, 0.009)
    assert not exercises.check_decade_fractions(0.25, answer)
    out = capsys.readouterr().out
    assert out.count("Hint:") == 5


def test_hints_never_give_the_answer(capsys):
    for grid, random in [(16, 16), (4, 4), (2, 3)]:
        exercises.check_distinct_values(grid, random)
    for answer in [58, 60, 20, 58.4]:
        exercises.check_trials_for_top_fraction(answer)
    for log_share, flat_share in [(0.2, 0.009), (0.25, 0.5), (3, 0.1)]:
        exercises.check_decade_fractions(log_share, flat_share)
    exercises.check_halving_schedule(lambda n, b, r: [])
    hints = capsys.readouterr().out
    assert "59" not in hints and "0.25" not in hints and "1080" not in hints
    assert "16" not in hints
