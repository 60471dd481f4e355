"""Argument checks shared by the helpers: a bad number fails early, naming the parameter and its range."""

import math

import numpy as np


def real(name, value):
    """`value` as a float; ValueError unless it is a finite real number (bools are not numbers here)."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise ValueError(f"{name} must be a real number, got {value!r}")
    try:
        value = float(value)
    except OverflowError:  # an int too large for a float, such as 10**400
        raise ValueError(f"{name} must be finite, got an integer of {len(str(abs(value)))} digits") from None
    if not math.isfinite(value):
        raise ValueError(f"{name} must be finite, got {value!r}")
    return value


def non_negative(name, value):
    value = real(name, value)
    if value < 0:
        raise ValueError(f"{name} must be ≥ 0, got {value!r}")
    return value


def positive(name, value):
    value = real(name, value)
    if value <= 0:
        raise ValueError(f"{name} must be > 0, got {value!r}")
    return value
