"""The checks of notebook 04 (AdaGrad): a right answer passes, wrong ones get a hint and never the answer."""

import math

import numpy as np
import pytest

from helpers import exercises, optim


def passes(check, *answer):
    return bool(check(*answer))


def right_first_step():
    g = np.array([3.0, 0.01])
    return -0.1 * g / (np.sqrt(1.0 + g * g) + 1e-10)


def test_first_step_matches_torch_and_hints_on_common_mistakes(capsys):
    run = optim.run(optim.adagrad(lr=0.1, initial_accumulator_value=1.0), lambda theta: np.array([3.0, 0.01]),
                    np.zeros(2), steps=1)
    np.testing.assert_allclose(run.final, right_first_step(), rtol=1e-14)
    assert passes(exercises.check_adagrad_first_step, right_first_step())
    assert passes(exercises.check_adagrad_first_step, list(right_first_step()))
    wrong = {
        "sign": -right_first_step(),
        "G₀ = initial_accumulator_value": [-0.1, -0.1],
        "square root": -0.1 * np.array([3.0, 0.01]) / (1 + np.array([9.0, 1e-4])),
        "G₁ = G₀ + g₁²": [0.0, 0.0],
    }
    for mistake, answer in wrong.items():
        capsys.readouterr()
        assert not passes(exercises.check_adagrad_first_step, answer)
        assert mistake in capsys.readouterr().out
    for shapeless in (None, "θ", 0.3, [1.0, 2.0, 3.0], [np.nan, 0.0]):
        assert not passes(exercises.check_adagrad_first_step, shapeless)


def right_adagrad_norm(grad, theta0, lr, steps, eps=1e-10):
    theta, total = np.array(theta0, dtype=float), 0.0
    path = [theta]
    for _ in range(steps):
        g = grad(theta)
        total += g @ g
        theta = theta - lr * g / (np.sqrt(total) + eps)
        path.append(theta)
    return np.array(path)


def per_coordinate(grad, theta0, lr, steps, eps=1e-10):
    theta = np.array(theta0, dtype=float)
    total = np.zeros_like(theta)
    path = [theta]
    for _ in range(steps):
        g = grad(theta)
        total = total + g * g
        theta = theta - lr * g / (np.sqrt(total) + eps)
        path.append(theta)
    return np.array(path)


def eps_inside(grad, theta0, lr, steps, eps=1e-10):
    theta, total = np.array(theta0, dtype=float), 0.0
    path = [theta]
    for _ in range(steps):
        g = grad(theta)
        total += g @ g
        theta = theta - lr * g / np.sqrt(total + 1e-2)
        path.append(theta)
    return np.array(path)


def test_adagrad_norm_check(capsys):
    assert passes(exercises.check_adagrad_norm, right_adagrad_norm)
    capsys.readouterr()
    assert not passes(exercises.check_adagrad_norm, per_coordinate)
    assert "per-coordinate AdaGrad" in capsys.readouterr().out
    assert not passes(exercises.check_adagrad_norm, eps_inside)
    assert not passes(exercises.check_adagrad_norm, lambda grad, theta0, lr, steps, eps=1e-10: right_adagrad_norm(
        grad, theta0, lr, steps)[1:])
    assert not passes(exercises.check_adagrad_norm, lambda grad, theta0, lr, steps, eps=1e-10: 1 / 0)
    assert not passes(exercises.check_adagrad_norm, "adagrad_norm")
    assert "ZeroDivisionError" in capsys.readouterr().out


def test_ramp_steps_check(capsys):
    travelled = 0.0
    for t in range(1, 10_000):  # the loop the question describes, step by step
        travelled += 0.1 * 5.0 / (math.sqrt(25.0 * t) + 1e-10)
        if travelled >= 10:
            break
    run = optim.run(optim.adagrad(lr=0.1), lambda theta: np.full_like(theta, 5.0), np.zeros(1), steps=t)
    assert run.path[-1, 0] <= -10 < run.path[-2, 0]
    assert passes(exercises.check_ramp_steps, t)
    assert passes(exercises.check_ramp_steps, float(t))
    capsys.readouterr()
    assert not passes(exercises.check_ramp_steps, 2500)  # (D/2η)², the approximation of (7)
    assert "close" in capsys.readouterr().out
    for wrong in (t - 1, t + 1, 100, None, "many"):
        assert not passes(exercises.check_ramp_steps, wrong)
    assert str(t) not in capsys.readouterr().out


@pytest.mark.parametrize("answer", [math.pi / 2, 1.5708])
def test_aligned_angle_passes(answer):
    assert passes(exercises.check_aligned_angle, answer)


def test_aligned_angle_hints(capsys):
    for wrong, hint in ((90, "radians"), (math.pi / 4, "worst"), (0.0, "strictly"), (math.pi, "strictly"), (1.0, "hessian")):
        assert not passes(exercises.check_aligned_angle, wrong)
        assert hint in capsys.readouterr().out
    assert not passes(exercises.check_aligned_angle, None)
    assert "1.57" not in capsys.readouterr().out
