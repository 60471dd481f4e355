"""The checks of notebook 12 (tuning the CNN): right answers pass, wrong ones get a hint and never raise."""

import math

import pytest
import torch

from helpers import exercises

NUMBER_CHECKS = [
    (exercises.check_he_std, 0.05, [2 / 800, math.sqrt(1 / 800), 0.5, -0.05, 5.0]),
    (exercises.check_pytorch_default_variance, 1 / 900, [1 / math.sqrt(300), 1 / 300, 2 / 300, 1 / 3]),
]
PAIR_CHECKS = [
    (exercises.check_scaled_lrs, (0.04, 0.002),
     [(0.002, 0.04), (0.02, 0.002), (0.04, 0.004), (0.01, 0.001), (0.04, 0.02)]),
    (exercises.check_reported_accuracy, (0.99, 0.003),
     [(0.993, 0.0), (0.991, 0.002), (0.99, 0.0), (99.0, 0.3), (0.989, 0.004), (0.99, -0.003)]),
]
NOT_NUMBERS = [None, "ten", [1, 2], float("nan"), float("inf")]


@pytest.mark.parametrize("check, right, wrong", NUMBER_CHECKS, ids=lambda c: getattr(c, "__name__", ""))
def test_number_checks(check, right, wrong, capsys):
    assert check(right)
    assert capsys.readouterr().out.startswith("✓")
    for answer in [*wrong, *NOT_NUMBERS]:
        assert not check(answer)
        assert capsys.readouterr().out.startswith("✗ Not yet. Hint:")


@pytest.mark.parametrize("check, right, wrong", PAIR_CHECKS, ids=lambda c: getattr(c, "__name__", ""))
def test_pair_checks(check, right, wrong, capsys):
    assert check(*right)
    assert capsys.readouterr().out.startswith("✓")
    for answer in [*wrong, *[(bad, right[1]) for bad in NOT_NUMBERS], *[(right[0], bad) for bad in NOT_NUMBERS]]:
        assert not check(*answer)
        assert capsys.readouterr().out.startswith("✗ Not yet. Hint:")


def test_the_solutions_arithmetic_passes(capsys):
    assert exercises.check_he_std(math.sqrt(2 / 800))
    assert exercises.check_pytorch_default_variance((math.sqrt(2 / 6) * math.sqrt(3 / 300)) ** 2 / 3)
    assert exercises.check_scaled_lrs(0.01 * 400 / 100, 1e-3 * math.sqrt(400 / 100))
    assert exercises.check_reported_accuracy(0.990, 0.993 - 0.990)


def reference_filter_normalize(direction, weight):
    d = direction.reshape(len(direction), -1).norm(dim=1)
    w = weight.reshape(len(weight), -1).norm(dim=1)
    return direction * (w / d).view(-1, *[1] * (direction.dim() - 1))


def test_filter_normalize_check(capsys):
    assert exercises.check_filter_normalize(reference_filter_normalize)
    assert capsys.readouterr().out.startswith("✓")
    wrong = [
        lambda d, w: d,  # unchanged
        lambda d, w: d / d.norm() * w.norm(),  # the whole tensor at once
        lambda d, w: d * w,  # nonsense
        lambda d, w: d[0],  # the wrong shape
        lambda d, w: 1 / 0,  # a bug that raises
        lambda d, w: "a tensor",
    ]
    for function in wrong:
        assert not exercises.check_filter_normalize(function)
        assert "Hint:" in capsys.readouterr().out
    assert not exercises.check_filter_normalize("not a function")
    assert "Hint:" in capsys.readouterr().out


def test_filter_normalize_check_leaves_the_global_generator_alone():
    state = torch.get_rng_state()
    exercises.check_filter_normalize(reference_filter_normalize)
    assert torch.equal(state, torch.get_rng_state())


def test_hints_never_give_the_answer(capsys):
    for check, right, wrong in NUMBER_CHECKS:
        for answer in wrong:
            check(answer)
    for check, right, wrong in PAIR_CHECKS:
        for answer in wrong:
            check(*answer)
    hints = capsys.readouterr().out
    for answer in ("0.05", "0.00111", "1/900", "0.04", "0.002", "0.990", "0.003"):
        assert answer not in hints
