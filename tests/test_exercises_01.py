"""The checks of notebooks 00 and 01: a right answer passes, wrong ones get a hint and never the answer."""

import numpy as np

from helpers import exercises, optim


def passes(check, *answer):
    return bool(check(*answer))


def test_start_here_checks(capsys):
    assert passes(exercises.check_one_step, 2.4)
    assert not passes(exercises.check_one_step, 3.0)
    assert not passes(exercises.check_one_step, "2.4x")
    assert passes(exercises.check_torch_name_of_rho, "alpha")
    assert not passes(exercises.check_torch_name_of_rho, "rho")
    assert passes(exercises.check_adam_optimizer, optim.adam(lr=0.01, betas=(0.9, 0.99)))
    assert not passes(exercises.check_adam_optimizer, optim.adam(lr=0.01))
    assert not passes(exercises.check_adam_optimizer, optim.adamw(lr=0.01, betas=(0.9, 0.99)))
    assert not passes(exercises.check_adam_optimizer, None)
    assert capsys.readouterr().out.count("✗ Not yet. Hint:") == 6


def test_hints_never_give_the_answer(capsys):
    exercises.check_torch_name_of_rho("rho")
    exercises.check_steps_needed(600)
    exercises.check_max_stable_lr(1.0)
    hints = capsys.readouterr().out
    assert "alpha" not in hints and "691" not in hints and "0.04" not in hints


def test_mae_gradient_check():
    def right(w, b, x, y):
        s = np.sign(w * x + b - y)
        return np.mean(s * x), np.mean(s)

    def forgot_the_mean(w, b, x, y):
        s = np.sign(w * x + b - y)
        return np.sum(s * x), np.sum(s)

    def crashes(w, b, x, y):
        raise IndexError("oops")

    assert passes(exercises.check_mae_gradient, right)
    assert not passes(exercises.check_mae_gradient, forgot_the_mean)
    assert not passes(exercises.check_mae_gradient, crashes)
    assert not passes(exercises.check_mae_gradient, lambda w, b, x, y: 0.0)
    assert not passes(exercises.check_mae_gradient, 3)


def test_gradient_descent_checks():
    assert passes(exercises.check_max_stable_lr, 0.04)
    assert not passes(exercises.check_max_stable_lr, 2.0)
    assert passes(exercises.check_optimal_step, 0.2, 0.8)
    assert not passes(exercises.check_optimal_step, 0.2, 0.5)
    assert not passes(exercises.check_optimal_step, 0.1, 0.8)
    assert passes(exercises.check_steps_needed, 691)
    assert not passes(exercises.check_steps_needed, 690)
    assert not passes(exercises.check_steps_needed, None)


def test_verdict_is_silent_as_a_cell_value():
    verdict = exercises.check_one_step(2.4)
    assert bool(verdict) and repr(verdict) == "✓"
    assert verdict._ipython_display_() is None
