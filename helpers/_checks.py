"""Argument checks shared by every helper: a bad argument fails early, naming the parameter and its range.

One behaviour everywhere: bools are not numbers, strings are not numbers, a number is finite, an
integer is an int (or numpy integer), and every message reads "<name> must be <what>, got <value>".
"""

import math

import numpy as np

BOOLS = (bool, np.bool_)
INTEGERS = (int, np.integer)
REALS = (int, float, np.integer, np.floating)


def real(name, value, low=-math.inf, high=math.inf, *, low_open=False, high_open=False):
    """`value` as a float, finite and within the bounds (closed unless `low_open`/`high_open`)."""
    if isinstance(value, BOOLS) or not isinstance(value, REALS):
        raise ValueError(f"{name} must be a real number, got {value!r}")
    try:
        number = float(value)
    except OverflowError:  # an int too large for a float, such as 10**400
        raise ValueError(f"{name} must be finite, got an integer of {len(str(abs(value)))} digits") from None
    if not math.isfinite(number):
        raise ValueError(f"{name} must be finite, got {value!r}")
    below = number < low or (low_open and number == low)
    above = number > high or (high_open and number == high)
    if below or above:
        raise ValueError(f"{name} must be {_interval(low, high, low_open, high_open)}, got {value!r}")
    return number


def non_negative(name, value):
    return real(name, value, 0.0)


def positive(name, value):
    return real(name, value, 0.0, low_open=True)


def unit_interval(name, value, closed=False):
    """0 ≤ value < 1, or 0 ≤ value ≤ 1 when `closed` (a decay rate, a probability)."""
    return real(name, value, 0.0, 1.0, high_open=not closed)


def integer(name, value, low=None, high=None):
    """`value` as an int, within [low, high] where given."""
    if not _is_integer(value, low, high):
        raise ValueError(f"{name} must be an integer{_integer_bounds(low, high)}, got {value!r}")
    return int(value)


def integers(name, value, low=None, high=None, *, length=None, min_length=0):
    """`value`, a tuple or list of integers each within [low, high] where given, as a tuple of ints.

    `length`: exactly that many integers; otherwise at least `min_length` (a shape, a pair of labels).
    """
    if (
        not isinstance(value, (tuple, list))
        or (len(value) != length if length is not None else len(value) < min_length)
        or not all(_is_integer(n, low, high) for n in value)
    ):
        count = length if length is not None else f"at least {min_length}" if min_length else "any number of"
        raise ValueError(
            f"{name} must be a tuple or list of {count} integers{_integer_bounds(low, high)}, got {value!r}"
        )
    return tuple(int(n) for n in value)


def flag(name, value):
    """`value` as a bool; ValueError unless it is True or False."""
    if not isinstance(value, BOOLS):
        raise ValueError(f"{name} must be True or False, got {value!r}")
    return bool(value)


def choice(name, value, options):
    """`value`, which must be one of `options`."""
    if not any(value == option and type(value) is type(option) for option in options):
        raise ValueError(f"{name} must be one of {', '.join(map(repr, options))}, got {value!r}")
    return value


def finite_array(name, value, ndim=None, *, non_empty=False):
    """`value` as a float64 numpy array of finite numbers (with `ndim` dimensions where given, and at
    least one number when `non_empty`)."""
    try:
        array = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be an array of real numbers, got {value!r}") from None
    if ndim is not None and array.ndim != ndim:
        raise ValueError(f"{name} must have {ndim} dimension{'s' * (ndim != 1)}, got shape {array.shape}")
    if non_empty and array.size == 0:
        raise ValueError(f"{name} must hold at least one number, got {value!r}")
    if not np.isfinite(array).all():
        raise ValueError(f"{name} must be finite (no NaN or inf)")
    return array


def _is_integer(value, low, high):
    return (
        not isinstance(value, BOOLS)
        and isinstance(value, INTEGERS)
        and (low is None or value >= low)
        and (high is None or value <= high)
    )


def _integer_bounds(low, high):
    """An integer's bounds for a message: " ≥ low", " ≤ high", " in [low, high]", or "" for none."""
    if low is None and high is None:
        return ""
    return " " + _interval(-math.inf if low is None else low, math.inf if high is None else high, False, False)


def _interval(low, high, low_open, high_open):
    if high == math.inf:
        return f"{'>' if low_open else '≥'} {low:g}"
    if low == -math.inf:
        return f"{'<' if high_open else '≤'} {high:g}"
    return f"in {'(' if low_open else '['}{low:g}, {high:g}{')' if high_open else ']'}"
