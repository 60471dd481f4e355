"""Checks for notebook 07, The optimizer race: summarizing gaps, basins of attraction, saddles, and clipping."""

import functools
import math

import numpy as np

from helpers import optim, race, surfaces
from helpers.exercises._core import ANY, WRONG, above, not_yet, numeric, passed

RACE_GAPS = (3e-9, 4e-7, 2e-6, 8e-5, 1e-3, 0.3, math.inf, math.inf)
"""The eight final gaps of notebook 07's first exercise: six finished runs and two diverged ones."""

_GAPS = np.array(RACE_GAPS)


def _is_one_of_the_gaps(value):
    return value in RACE_GAPS


@numeric(
    expected=(float(np.median(_GAPS)), float(np.mean(_GAPS < 1e-6))),
    rel=1e-6,
    abs_=0,
    not_a_number="answer with two finite numbers: the median gap and the success rate as a fraction.",
    praise="the two diverged runs are the two worst, and they move the median up a place.",
    near_misses=[
        (
            (float(np.median(_GAPS[np.isfinite(_GAPS)])), ANY),
            "the diverged runs are results (the worst ones, f − f* = ∞), not missing values: keep all eight.",
        ),
        ((_is_one_of_the_gaps, ANY), "with an even number of runs the median is the mean of the two middle values."),
        ((WRONG, ANY), "sort the eight gaps (∞ last) and take the middle; np.median handles ∞."),
        ((ANY, above(1)), "give the success rate as a fraction, not a percentage."),
    ],
    hint="a success is f − f* < 10⁻⁶; count them and divide by all eight runs, diverged ones included.",
)
def check_gap_summary(median, success_rate):
    """Median and success rate (f − f* < 10⁻⁶) of RACE_GAPS; diverged runs count as the worst results."""


@functools.cache
def _basin_labels(momentum):
    """Which minimum each start of the 60 × 60 himmelblau grid reaches; the same every time, so computed once."""
    return race.basin_map(surfaces.himmelblau(), optim.sgd(lr=0.01, momentum=momentum), resolution=60, steps=300).labels


def _fraction_changed(momentum):
    return float(np.mean(_basin_labels(0.0) != _basin_labels(momentum)))


def _is_the_heavy_ball_fraction(value):
    return abs(value - _fraction_changed(0.9)) < 2e-3


@numeric(
    expected=functools.partial(_fraction_changed, 0.5),
    rel=0,
    abs_=math.nextafter(2e-3, 0),  # strictly within 2·10⁻³ of the measured fraction
    not_a_number="answer with a number between 0 and 1.",
    praise="even gentle momentum moves about a tenth of the starts to another minimum.",
    near_misses=[
        (above(1), "give a fraction between 0 and 1, not a percentage."),
        (_is_the_heavy_ball_fraction, "that is the fraction for μ = 0.9; build the momentum map with μ = 0.5."),
    ],
    hint="compute both maps with race.basin_map (η = 0.01, 300 steps, resolution 60) and "
    "take the mean of (labels of GD != labels of momentum).",
)
def check_basins_changed(fraction):
    """The fraction of the 60 × 60 himmelblau grid where momentum (η = 0.01, μ = 0.5) and GD end apart."""


def _measured_escape_step():
    path = optim.run(optim.sgd(lr=0.05), surfaces.saddle().grad, np.array([0.0, 1e-6]), 400).path
    return int(np.flatnonzero(np.abs(path[:, 1]) > 1)[0])


@numeric(
    expected=_measured_escape_step,
    rel=0,
    abs_=1,  # counting from 0 or from 1 both pass
    not_a_number="answer with a whole number of steps.",
    praise="a few steps more than the linear prediction (9): the −y³ term weakens the push once |y| nears 1.",
    near_misses=[
        (
            math.log(1e6) / math.log(1.1),  # (9)
            "that is the linear prediction (9); measure the run: the y³ term matters near |y| = 1.",
        )
    ],
    hint="run optim.sgd(lr=0.05) from (0, 1e-6) and find the first index t with |path[t, 1]| > 1.",
)
def check_saddle_escape(steps):
    """The first step t with |yₜ| > 1 for GD (η = 0.05) on surfaces.saddle() from θ₀ = (0, 10⁻⁶)."""


_TRACE, _MU = 1 + 0.5 + 2 * 0.05, 0.5  # z² − (1 + μ + 2η) z + μ = 0, equation (10)
_LARGER_ROOT = (_TRACE + math.sqrt(_TRACE**2 - 4 * _MU)) / 2


@numeric(
    expected=_LARGER_ROOT,
    rel=1e-3,
    abs_=0,
    not_a_number="answer with a number: |yₜ| grows by this factor per step.",
    praise="faster than GD's 1 + 2η = 1.1: momentum escapes saddles sooner.",
    near_misses=[
        (1.1, "1 + 2η is plain GD's factor; with momentum yₜ depends on yₜ₋₁ and yₜ₋₂ (10)."),
        (_TRACE, "1 + μ + 2η is the sum of the two roots of (10); you need the larger root alone."),
        (_TRACE - _LARGER_ROOT, "that is the smaller root of (10), the mode that dies out; take the larger one."),
    ],
    hint="solve z² − (1 + μ + 2η) z + μ = 0 (10) and take the larger root.",
)
def check_momentum_escape_factor(factor):
    """The growth factor per step of y near the saddle for the heavy ball with η = 0.05, μ = 0.5."""


def check_clipped_gradients(by_norm, by_value):
    """g = (12, −5) clipped with c = 1: by norm (direction kept) and by value (each coordinate clamped)."""
    # Not a `vector` check: a vector of the wrong length and one that is no vector at all get different hints.
    g = np.array([12.0, -5.0])
    try:
        norm_answer = np.asarray(by_norm, dtype=np.float64).reshape(-1)
        value_answer = np.asarray(by_value, dtype=np.float64).reshape(-1)
    except (TypeError, ValueError):
        return not_yet("answer with two vectors of two numbers each, e.g. np.array([a, b]).")
    if norm_answer.shape != (2,) or value_answer.shape != (2,):
        return not_yet("each answer is a vector of two numbers, like g.")
    expected_norm = g / np.linalg.norm(g)  # (6), ignoring torch's 10⁻⁶
    expected_value = np.clip(g, -1.0, 1.0)  # (7)
    norm_ok = np.allclose(norm_answer, expected_norm, rtol=1e-5, atol=1e-9)
    value_ok = np.allclose(value_answer, expected_value, rtol=1e-9, atol=1e-9)
    if norm_ok and value_ok:
        return passed("by norm keeps the direction of g; by value turns it towards the diagonal.")
    if np.allclose(norm_answer, expected_value) and np.allclose(value_answer, expected_norm, rtol=1e-5):
        return not_yet("the two answers are swapped.")
    if not norm_ok:
        return not_yet("by norm: g · c/‖g‖ when ‖g‖ > c (6); what is ‖(12, −5)‖?")
    return not_yet("by value: clamp each coordinate to [−c, c] on its own (7), signs kept.")
