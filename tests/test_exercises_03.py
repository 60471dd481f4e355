"""The checks of notebook 03: a right answer passes, wrong ones get a hint and never the answer."""

import numpy as np

from helpers import exercises, rates


def passes(check, *answer):
    return bool(check(*answer))


def hints(capsys):
    """What the failed checks printed (the praise of a passed check may state the answer)."""
    return "\n".join(line for line in capsys.readouterr().out.splitlines() if line.startswith("✗"))


def test_optimal_momentum_check(capsys):
    eta, mu, rate = rates.optimal_heavy_ball(1.0, 100.0)
    assert passes(exercises.check_optimal_momentum, mu, eta)
    assert passes(exercises.check_optimal_momentum, (9 / 11) ** 2, 4 / 121)
    assert not passes(exercises.check_optimal_momentum, rate, eta)  # the rate, not μ*
    assert not passes(exercises.check_optimal_momentum, mu, 2 / 101)  # GD's η*
    assert not passes(exercises.check_optimal_momentum, (99 / 101) ** 2, eta)
    assert not passes(exercises.check_optimal_momentum, None, None)
    assert not passes(exercises.check_optimal_momentum, "0.67", "fast")
    printed = hints(capsys)
    assert printed.count("✗ Not yet. Hint:") == 5
    assert "0.669" not in printed and "0.033" not in printed


def test_stability_rule_check():
    def right(eta, mu, eigenvalues):
        return all(0 < eta * lam < 2 * (1 + mu) for lam in eigenvalues)

    def gradient_descent_rule(eta, mu, eigenvalues):
        return all(0 < eta * lam < 2 for lam in eigenvalues)

    def only_the_smallest(eta, mu, eigenvalues):
        return eta * min(eigenvalues) < 2 * (1 + mu)

    def crashes(eta, mu, eigenvalues):
        raise KeyError("oops")

    assert passes(exercises.check_stability_rule, right)
    assert not passes(exercises.check_stability_rule, gradient_descent_rule)
    assert not passes(exercises.check_stability_rule, only_the_smallest)
    assert not passes(exercises.check_stability_rule, crashes)
    assert not passes(exercises.check_stability_rule, lambda eta, mu, eigenvalues: "yes")
    assert not passes(exercises.check_stability_rule, lambda eta, mu, eigenvalues: True)
    assert not passes(exercises.check_stability_rule, 3)


def test_velocity_from_buffer_check(capsys):
    assert passes(exercises.check_velocity_from_buffer, (-0.2, 0.1))
    assert passes(exercises.check_velocity_from_buffer, np.array([-0.2, 0.1]))
    assert not passes(exercises.check_velocity_from_buffer, (0.2, -0.1))  # sign
    assert not passes(exercises.check_velocity_from_buffer, (2.0, -1.0))  # the buffer itself
    assert not passes(exercises.check_velocity_from_buffer, (-0.18, 0.09))  # μηb
    assert not passes(exercises.check_velocity_from_buffer, None)
    assert not passes(exercises.check_velocity_from_buffer, "v")
    assert not passes(exercises.check_velocity_from_buffer, (1.0, 2.0, 3.0))
    printed = hints(capsys)
    assert "-0.2," not in printed and "−0.2" not in printed and "0.1)" not in printed


def test_momentum_speedup_check(capsys):
    gd = rates.steps_to(rates.optimal_gd(1.0, 1e4)[1])
    hb = rates.steps_to(rates.optimal_heavy_ball(1.0, 1e4)[2])
    assert passes(exercises.check_momentum_speedup, gd / hb)
    assert passes(exercises.check_momentum_speedup, 100)
    assert not passes(exercises.check_momentum_speedup, 1e4)  # κ, not √κ
    assert not passes(exercises.check_momentum_speedup, 50)
    assert not passes(exercises.check_momentum_speedup, None)
    printed = hints(capsys)
    assert "100" not in printed and "69078" not in printed
