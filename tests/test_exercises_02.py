"""Notebook 02's exercise checks: right answers pass, wrong ones get a hint (and never the answer), nothing raises."""

import math

import numpy as np
import pytest

from helpers import exercises


def passes(capsys, verdict):
    out = capsys.readouterr().out
    assert out.startswith("✓") and bool(verdict) is True
    return out


def fails(capsys, verdict):
    out = capsys.readouterr().out
    assert out.startswith("✗ Not yet. Hint:") and bool(verdict) is False
    return out


# --------------------------------------------------------------------------- epoch cost


def test_epoch_cost_right(capsys):
    passes(capsys, exercises.check_epoch_cost(469, 600_000))
    passes(capsys, exercises.check_epoch_cost(469.0, np.int64(600_000)))


@pytest.mark.parametrize(
    "steps, examples, words",
    [
        (468, 600_000, "smaller batch"),
        (60_000 / 128, 600_000, "whole number"),
        (None, None, "count the slices"),
        (469, 600_320, "only 60,000 − 468·128 = 96"),
        (469, 4690, "counts steps"),
        (469, "many", "per-example gradients"),
    ],
)
def test_epoch_cost_wrong(capsys, steps, examples, words):
    out = fails(capsys, exercises.check_epoch_cost(steps, examples))
    assert words in out and "469 " not in out.split("Hint:")[1]


# --------------------------------------------------------------------------- minibatch std


def right_std(sigma, B, N, replace):
    return sigma / math.sqrt(B) * (1.0 if replace else math.sqrt((N - B) / (N - 1)))


def test_minibatch_std_right(capsys):
    passes(capsys, exercises.check_minibatch_std(right_std))
    passes(capsys, exercises.check_minibatch_std(lambda s, B, N, r: np.float64(right_std(s, B, N, r))))


@pytest.mark.parametrize(
    "fn, words",
    [
        (lambda s, B, N, r: s / np.sqrt(B), "finite-population correction"),
        (lambda s, B, N, r: right_std(s, B, N, r) ** 2, "variance"),
        (lambda s, B, N, r: s / B, "σ/√B"),
        (lambda s, B, N, r: s / np.sqrt(B) * (1 if r else np.sqrt((N - B) / N)), "finite-population correction"),
        (lambda s, B, N, r: 1 / 0, "raised ZeroDivisionError"),
        (lambda s, B, N, r: "small", "σ/√B"),
        ("not a function", "pass your function"),
    ],
)
def test_minibatch_std_wrong(capsys, fn, words):
    assert words in fails(capsys, exercises.check_minibatch_std(fn))


# --------------------------------------------------------------------------- Robbins–Monro


def test_robbins_monro_right(capsys):
    passes(capsys, exercises.check_robbins_monro({"b", "e", "f"}))
    passes(capsys, exercises.check_robbins_monro(["B", " e", "f"]))


@pytest.mark.parametrize(
    "answer, words",
    [
        ({"a", "b", "e", "f"}, "constant step"),
        ({"b", "c", "e", "f"}, "harmonic"),
        ({"b", "d", "e", "f"}, "bounded distance"),
        ({"b", "f"}, "p > 1"),
        (set(), "p > 1"),
        ({"b", "e", "f", "z"}, "letters a to f"),
        (3, "set of letters"),
    ],
)
def test_robbins_monro_wrong(capsys, answer, words):
    out = fails(capsys, exercises.check_robbins_monro(answer))
    assert words in out and "b, e and f" not in out


# --------------------------------------------------------------------------- running average


def right_average(path):
    return np.cumsum(path, axis=0) / np.arange(1, len(path) + 1)[:, None]


def test_running_average_right(capsys):
    passes(capsys, exercises.check_running_average(right_average))


@pytest.mark.parametrize(
    "fn, words",
    [
        (lambda path: path, "iterates themselves"),
        (lambda path: np.cumsum(path, axis=0) / np.maximum(np.arange(len(path)), 1)[:, None], "divide the running sum by t + 1"),
        (lambda path: path.mean(axis=0), "one average per iterate"),
        (lambda path: np.cumsum(path, axis=0), "running sum"),
        (lambda path: path[30], "raised IndexError"),
        (None, "pass your function"),
    ],
)
def test_running_average_wrong(capsys, fn, words):
    assert words in fails(capsys, exercises.check_running_average(fn))
