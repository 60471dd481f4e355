"""The shared argument checks: what each accepts, what it returns, and the one form of its messages."""

import math

import numpy as np
import pytest

from helpers import _checks


@pytest.mark.parametrize(
    "call, expected",
    [
        (lambda: _checks.real("x", 3), 3.0),
        (lambda: _checks.real("x", np.float32(0.5), 0.0, 1.0), 0.5),
        (lambda: _checks.non_negative("x", 0), 0.0),
        (lambda: _checks.positive("x", 1e-300), 1e-300),
        (lambda: _checks.unit_interval("x", 0.0), 0.0),
        (lambda: _checks.unit_interval("x", 1.0, closed=True), 1.0),
        (lambda: _checks.integer("x", np.int64(4), 1, 4), 4),
        (lambda: _checks.integers("x", [np.int32(1), 2], 1, length=2), (1, 2)),
        (lambda: _checks.integers("x", (), min_length=0), ()),
        (lambda: _checks.flag("x", np.bool_(True)), True),
        (lambda: _checks.choice("x", "b", ("a", "b")), "b"),
    ],
)
def test_a_good_value_comes_back_in_its_plain_python_type(call, expected):
    got = call()
    assert got == expected and type(got) is type(expected)


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: _checks.real("x", "1"), "x must be a real number, got '1'"),
        (lambda: _checks.real("x", True), "x must be a real number, got True"),
        (lambda: _checks.real("x", math.nan), "x must be finite, got nan"),
        (lambda: _checks.real("x", 10**400), "x must be finite, got an integer of 401 digits"),
        (lambda: _checks.real("x", 2.0, 0.0, 1.0), "x must be in [0, 1], got 2.0"),
        (lambda: _checks.non_negative("x", -1), "x must be ≥ 0, got -1"),
        (lambda: _checks.positive("x", 0.0), "x must be > 0, got 0.0"),
        (lambda: _checks.unit_interval("x", 1.0), "x must be in [0, 1), got 1.0"),
        (lambda: _checks.integer("x", 2.0), "x must be an integer, got 2.0"),
        (lambda: _checks.integer("x", False, 0), "x must be an integer ≥ 0, got False"),
        (lambda: _checks.integer("x", 5, 1, 4), "x must be an integer in [1, 4], got 5"),
        (lambda: _checks.integer("x", 5, high=4), "x must be an integer ≤ 4, got 5"),
        (lambda: _checks.flag("x", 1), "x must be True or False, got 1"),
        (lambda: _checks.choice("x", "c", ("a", "b")), "x must be one of 'a', 'b', got 'c'"),
        (lambda: _checks.choice("x", 1.0, (1, 2)), "x must be one of 1, 2, got 1.0"),
        (lambda: _checks.finite_array("x", ["a"]), "x must be an array of real numbers, got ['a']"),
        (lambda: _checks.finite_array("x", [[1.0]], ndim=1), "x must have 1 dimension, got shape (1, 1)"),
        (lambda: _checks.finite_array("x", [], non_empty=True), "x must hold at least one number, got []"),
        (lambda: _checks.finite_array("x", [1.0, math.inf]), "x must be finite (no NaN or inf)"),
    ],
)
def test_a_bad_value_is_named_with_its_range(call, message):
    with pytest.raises(ValueError) as error:
        call()
    assert str(error.value) == message


@pytest.mark.parametrize(
    "value, kw, message",
    [
        ((1, 0), dict(low=1), "x must be a tuple or list of any number of integers ≥ 1, got (1, 0)"),
        ((1, True), dict(low=1), "x must be a tuple or list of any number of integers ≥ 1, got (1, True)"),
        ((1, 1.5), dict(), "x must be a tuple or list of any number of integers, got (1, 1.5)"),
        ((1,), dict(low=1, min_length=2), "x must be a tuple or list of at least 2 integers ≥ 1, got (1,)"),
        ((3, 8, 1), dict(low=0, high=9, length=2), "x must be a tuple or list of 2 integers in [0, 9], got (3, 8, 1)"),
        ((3, 10), dict(low=0, high=9, length=2), "x must be a tuple or list of 2 integers in [0, 9], got (3, 10)"),
        ("12", dict(), "x must be a tuple or list of any number of integers, got '12'"),
        (np.array([1, 2]), dict(), "x must be a tuple or list of any number of integers, got array([1, 2])"),
    ],
)
def test_integers_names_the_count_and_the_range(value, kw, message):
    with pytest.raises(ValueError) as error:
        _checks.integers("x", value, **kw)
    assert str(error.value) == message


def test_finite_array_accepts_an_empty_array_unless_told_not_to():
    assert _checks.finite_array("x", [], ndim=1).shape == (0,)
    np.testing.assert_array_equal(_checks.finite_array("x", [1, 2], non_empty=True), [1.0, 2.0])
