"""The checks of notebook 06: a right answer passes, wrong ones get a hint and never the answer."""

import math

import numpy as np

from helpers import exercises, optim


def passes(check, *answer):
    return bool(check(*answer))


def test_uncorrected_first_step(capsys):
    assert passes(exercises.check_uncorrected_first_step, 0.1 / math.sqrt(0.02))
    assert passes(exercises.check_uncorrected_first_step, 0.7071)  # rounded to four places
    assert not passes(exercises.check_uncorrected_first_step, math.sqrt(0.02) / 0.1)  # inverted
    assert not passes(exercises.check_uncorrected_first_step, 0.1 / 0.02)  # forgot the root
    assert not passes(exercises.check_uncorrected_first_step, 0.1 / math.sqrt(0.001))  # the default betas
    assert not passes(exercises.check_uncorrected_first_step, None)
    assert not passes(exercises.check_uncorrected_first_step, "0.7")
    out = capsys.readouterr().out
    assert out.count("✗ Not yet. Hint:") == 5 and "0.707" not in out.split("✓")[-1].split("\n", 1)[1]
    assert "corrected/uncorrected" in out and "square root" in out


def test_first_moment(capsys):
    assert passes(exercises.check_first_moment, -0.4, -2.0)
    assert not passes(exercises.check_first_moment, -2.0, -2.0)
    assert not passes(exercises.check_first_moment, -0.4, -0.4)
    assert not passes(exercises.check_first_moment, 0.4, 2.0)
    assert not passes(exercises.check_first_moment, None, None)
    out = capsys.readouterr().out
    assert out.count("✗ Not yet. Hint:") == 4
    hints = out.split("\n", 2)[2]  # after the praise of the right answer
    assert "−0.4" not in hints and "-0.4" not in hints and "−2" not in hints


def test_adamw_decay(capsys):
    factor = (1 - 1e-4) ** 1000
    assert passes(exercises.check_adamw_decay, factor)
    assert passes(exercises.check_adamw_decay, math.exp(-0.1))  # e^(−ηωk), equal to four decimals
    run = optim.run(optim.adamw(lr=1e-3, weight_decay=0.1), lambda theta: np.zeros_like(theta), np.ones(1), 1000)
    assert passes(exercises.check_adamw_decay, run.final[0])
    assert not passes(exercises.check_adamw_decay, 0.9**1000)  # forgot η
    assert not passes(exercises.check_adamw_decay, 0.9)  # 1 − kηω
    assert not passes(exercises.check_adamw_decay, 1.0)
    assert not passes(exercises.check_adamw_decay, [0.9])
    out = capsys.readouterr().out
    assert out.count("✗ Not yet. Hint:") == 4
    assert "not 1 − ω" in out and "not 1 − kηω" in out and "0.905" not in out.split("\n", 3)[3]


def test_large_eps_lr(capsys):
    assert passes(exercises.check_large_eps_lr, 5e-4)
    assert not passes(exercises.check_large_eps_lr, 5e-3)  # η/ε: the dampened buffer's rate
    assert not passes(exercises.check_large_eps_lr, 50.0)
    assert not passes(exercises.check_large_eps_lr, math.nan)
    out = capsys.readouterr().out
    assert out.count("✗ Not yet. Hint:") == 3 and "dampening τ = β₁" in out
    assert "5·10⁻⁴" not in out.split("\n", 1)[1]
