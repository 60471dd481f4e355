"""The checks of notebook 05 (RMSprop): right answers pass, wrong ones get a hint and never raise."""

import math

import pytest

from helpers import exercises

CHECKS = [
    (exercises.check_rmsprop_memory, 10, [9, 0.1, 100]),
    (exercises.check_rmsprop_first_step, 1 / math.sqrt(1 - 0.99), [100, 1, math.sqrt(0.01)]),
    (exercises.check_rmsprop_constant_gradient, 0.09, [0.3, 0.009, 0.0]),
    (exercises.check_rmsprop_warmup_steps, 175, [174, 100, 176]),
]
NOT_NUMBERS = [None, "ten", [1, 2], float("nan"), float("inf")]


@pytest.mark.parametrize("check, right, wrong", CHECKS, ids=lambda c: getattr(c, "__name__", ""))
def test_right_answer_passes_and_wrong_answers_fail(check, right, wrong, capsys):
    assert check(right)
    assert capsys.readouterr().out.startswith("✓")
    for answer in wrong:
        assert not check(answer)
        assert capsys.readouterr().out.startswith("✗ Not yet. Hint:")


@pytest.mark.parametrize("check", [c for c, _, _ in CHECKS], ids=lambda c: c.__name__)
@pytest.mark.parametrize("answer", NOT_NUMBERS, ids=repr)
def test_answers_of_the_wrong_kind_get_a_hint(check, answer, capsys):
    assert not check(answer)
    assert "Hint:" in capsys.readouterr().out


def test_hints_never_give_the_answer(capsys):
    for check, right, wrong in CHECKS:
        for answer in wrong:
            check(answer)
        hints = capsys.readouterr().out
        assert f"{right:g}" not in hints


def test_a_near_miss_gets_a_pointed_hint(capsys):
    exercises.check_rmsprop_memory(9)
    assert "mean age" in capsys.readouterr().out
    exercises.check_rmsprop_first_step(100)
    assert "square root" in capsys.readouterr().out
    exercises.check_rmsprop_constant_gradient(0.3)
    assert "squared" in capsys.readouterr().out
    exercises.check_rmsprop_warmup_steps(174)
    assert "round up" in capsys.readouterr().out
