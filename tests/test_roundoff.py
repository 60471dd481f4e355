"""Values at round-off scale print as a bound, and results that differ only by round-off tie."""

import math

import numpy as np
import pytest

from helpers import descent, optim, race, roundoff, surfaces


def test_round_off_prints_as_a_bound_and_the_rest_as_formatted():
    for tiny in (0.0, -0.0, 4.4e-16, -4.4e-16, 2.05e-30, 9.99e-13):
        assert roundoff.fmt(tiny) == "< 1e-12" and roundoff.equals(tiny) == "< 1e-12"
        assert roundoff.is_roundoff(tiny)
    assert roundoff.fmt(1.5e-12) == "1.5e-12" and roundoff.equals(1.5e-12) == "= 1.5e-12"
    assert roundoff.fmt(-3.1e-5) == "-3.1e-05" and roundoff.equals(0.0312, ".4f") == "= 0.0312"
    assert roundoff.fmt(math.inf) == "inf" and roundoff.fmt(math.nan) == "nan"
    assert roundoff.fmt(np.float64(1e-20)) == "< 1e-12"


def test_another_threshold_for_a_result_with_a_larger_round_off():
    assert roundoff.equals(1.5e-12, threshold=1e-9) == "< 1e-09"
    assert roundoff.equals(2e-9, threshold=1e-9) == "= 2.0e-09"
    with pytest.raises(ValueError, match="threshold"):
        roundoff.fmt(1.0, threshold=0)


def test_the_race_table_prints_round_off_gaps_as_a_bound():
    summaries = {
        "SGD": race.summarize([7.9e-31, 3.2e-30, 1.6e-29]),
        "RMSprop": race.summarize([7.9e-31, 5.3e-23, 5.2e-2]),
        "AdamW": race.summarize([7.6e-4, 1.6e-3, 3.0e-3]),
    }
    lines = race.table(summaries).splitlines()
    assert not any(digits in "\n".join(lines) for digits in ("e-31", "e-30", "e-29", "e-23"))
    assert lines[1].split()[:2] == ["SGD", "<"] and "both < 1e-12" in lines[1]
    assert "< 1e-12–2.6e-02" in lines[2] and "1.6e-03" in lines[3]


def test_medians_that_differ_only_by_round_off_tie():
    ranked = race.ranking(
        {
            "momentum": race.summarize([7.9e-31]),
            "SGD": race.summarize([3.2e-30]),
            "Adam": race.summarize([6.0e-15]),
            "AdamW": race.summarize([1e-3]),
        }
    )
    assert ranked == [["momentum", "SGD", "Adam"], ["AdamW"]]
    # a tie on the median is broken by the success rate, to the whole percent the table prints
    ranked = race.ranking(
        {
            "a": race.summarize([1e-30] * 99 + [1.0]),
            "b": race.summarize([1e-29] * 98 + [1.0] * 2),
            "c": race.summarize([1e-30] * 981 + [1.0] * 19),
        }
    )
    assert ranked == [["a"], ["b", "c"]]


def test_a_run_that_reaches_the_minimum_summarizes_as_a_bound():
    bowl = surfaces.quadratic(kappa=10.0)
    run = optim.run(optim.sgd(lr=2 / 11), bowl.grad, bowl.start, 300)
    assert descent.summary(bowl, run).startswith("final f − f* < 1e-12 · f − f* < 1e-06 at step")
    slow = optim.run(optim.sgd(lr=1e-3), bowl.grad, bowl.start, 3)
    assert descent.summary(bowl, slow).startswith("final f − f* = ")
