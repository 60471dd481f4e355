"""The checks of notebook 07: a right answer passes, wrong ones get a hint and never the answer."""

import math

import numpy as np

from helpers import exercises, optim, race, surfaces


def passes(check, *answer):
    return bool(check(*answer))


def hints(out):
    """The printed hints, without the praise of right answers."""
    return "\n".join(line for line in out.splitlines() if line.startswith("✗"))


def test_gap_summary(capsys):
    gaps = np.array(exercises.RACE_GAPS)
    assert passes(exercises.check_gap_summary, np.median(gaps), np.mean(gaps < 1e-6))
    assert passes(exercises.check_gap_summary, race.summarize(gaps).median, race.summarize(gaps).success_rate)
    finite = gaps[np.isfinite(gaps)]
    assert not passes(exercises.check_gap_summary, np.median(finite), 0.25)  # diverged runs dropped
    assert not passes(exercises.check_gap_summary, 1e-3, 0.25)  # one of the middle two
    assert not passes(exercises.check_gap_summary, np.median(gaps), 25)  # a percentage
    assert not passes(exercises.check_gap_summary, np.median(gaps), 2 / 6)  # success among finished runs only
    assert not passes(exercises.check_gap_summary, np.mean(gaps), 0.25)  # the mean is ∞
    assert not passes(exercises.check_gap_summary, None, None)
    out = capsys.readouterr().out
    assert out.count("✗ Not yet. Hint:") == 6
    assert "not missing values" in out and "mean of the two middle" in out and "fraction, not a percentage" in out
    assert "5.4e-04" not in hints(out) and "0.00054" not in hints(out)


def test_basins_changed(capsys):
    surface = surfaces.himmelblau()
    gd = race.basin_map(surface, optim.sgd(lr=0.01), resolution=60, steps=300)
    half = race.basin_map(surface, optim.sgd(lr=0.01, momentum=0.5), resolution=60, steps=300)
    heavy = race.basin_map(surface, optim.sgd(lr=0.01, momentum=0.9), resolution=60, steps=300)
    right = np.mean(gd.labels != half.labels)
    assert 0.05 < right < 0.2
    assert passes(exercises.check_basins_changed, right)
    assert passes(exercises.check_basins_changed, round(right, 3))
    assert not passes(exercises.check_basins_changed, np.mean(gd.labels != heavy.labels))  # μ = 0.9's
    assert not passes(exercises.check_basins_changed, 100 * right)
    assert not passes(exercises.check_basins_changed, 1 - right)
    assert not passes(exercises.check_basins_changed, "a tenth")
    out = capsys.readouterr().out
    assert out.count("✗ Not yet. Hint:") == 4 and "μ = 0.9" in out and "not a percentage" in out
    assert f"{right:.3f}" not in hints(out) and f"{right:.2f}" not in hints(out)


def test_saddle_escape(capsys):
    saddle = surfaces.saddle()
    path = optim.run(optim.sgd(lr=0.05), saddle.grad, np.array([0.0, 1e-6]), 400).path
    measured = int(np.flatnonzero(np.abs(path[:, 1]) > 1)[0])
    linear = math.log(1e6) / math.log(1.1)
    assert measured - linear > 2  # the linear prediction is off by a few steps: the check can tell them apart
    assert passes(exercises.check_saddle_escape, measured)
    assert passes(exercises.check_saddle_escape, measured + 1)  # counting from 1
    assert not passes(exercises.check_saddle_escape, round(linear))
    assert not passes(exercises.check_saddle_escape, math.log(1e6) / math.log(1.05))  # forgot the factor 2
    assert not passes(exercises.check_saddle_escape, None)
    out = capsys.readouterr().out
    assert out.count("✗ Not yet. Hint:") == 3 and "linear prediction" in out and str(measured) not in hints(out)


def test_momentum_escape_factor(capsys):
    trace = 1 + 0.5 + 2 * 0.05
    larger = (trace + math.sqrt(trace**2 - 2)) / 2
    assert passes(exercises.check_momentum_escape_factor, larger)
    assert passes(exercises.check_momentum_escape_factor, 1.1742)
    assert not passes(exercises.check_momentum_escape_factor, 1.1)  # GD's 1 + 2η
    assert not passes(exercises.check_momentum_escape_factor, trace)
    assert not passes(exercises.check_momentum_escape_factor, trace - larger)  # the smaller root
    assert not passes(exercises.check_momentum_escape_factor, 1.5)  # μ = 0.9, η = 0.1 from the text
    assert not passes(exercises.check_momentum_escape_factor, [1.17])
    out = capsys.readouterr().out
    assert out.count("✗ Not yet. Hint:") == 5
    assert "plain GD" in out and "sum of the two roots" in out and "smaller root" in out
    assert "1.174" not in hints(out)


def test_clipped_gradients(capsys):
    g = np.array([12.0, -5.0])
    assert passes(exercises.check_clipped_gradients, g / 13, [1.0, -1.0])
    assert passes(exercises.check_clipped_gradients, race.clip_by_norm(g, 1.0), race.clip_by_value(g, 1.0))
    assert not passes(exercises.check_clipped_gradients, [1.0, -1.0], g / 13)  # swapped
    assert not passes(exercises.check_clipped_gradients, g / 17, [1.0, -1.0])  # ‖g‖₁ instead of ‖g‖₂
    assert not passes(exercises.check_clipped_gradients, g / 13, [1.0, 1.0])  # lost the sign
    assert not passes(exercises.check_clipped_gradients, g / 13, [1.0, -5.0 / 12])  # scaled like the norm
    assert not passes(exercises.check_clipped_gradients, [1.0], [1.0, -1.0])
    assert not passes(exercises.check_clipped_gradients, None, None)
    out = capsys.readouterr().out
    assert out.count("✗ Not yet. Hint:") == 6 and "swapped" in out and "‖(12, −5)‖" in out
    assert "0.923" not in hints(out) and "13" not in hints(out)
