"""What every notebook's checks share: the verdict, reading an answer, and the two shapes most checks take.

A check prints ✓ with praise or ✗ with a hint (never the answer) and returns a Verdict. It never raises on a
wrong answer: a learner's mistake, or an answer of the wrong kind, is a hint, not a traceback.

Most checks are built by decorating a stub: the stub gives the check its name, its parameters and its docstring
(what `help()` and tab completion show), and its body is never run.

- `numeric` (and `vector` for answers that are short vectors): compare the answers with the expected ones within a
  tolerance, and read a table of near misses, recognisable mistakes each with its pointed hint.
- `function_check`: run the learner's function on cases and compare it with a reference, case by case.
"""

import copy
import functools
import inspect
import math
from dataclasses import dataclass

import numpy as np


class Verdict:
    """A check's result: true when the answer passed. It shows nothing as a cell's value."""

    def __init__(self, passed):
        self.passed = bool(passed)

    def __bool__(self):
        return self.passed

    def __repr__(self):
        return "✓" if self.passed else "✗"

    def _ipython_display_(self):
        pass  # the check already printed its verdict


def passed(praise):
    print(f"✓ {praise}")
    return Verdict(True)


def not_yet(hint):
    print(f"✗ Not yet. Hint: {hint}")
    return Verdict(False)


def verdict(ok, praise, hint):
    return passed(praise) if ok else not_yet(hint)


# --------------------------------------------------------------------------- reading answers


def as_number(answer):
    """The answer as a finite float, or None when it is not one (a string, a list, nan, ∞)."""
    try:
        value = float(answer)
    except (TypeError, ValueError):
        return None
    return value if math.isfinite(value) else None


def as_whole_number(answer):
    """The answer as an int when it is a finite whole number (7 or 7.0), else None."""
    value = as_number(answer)
    return int(value) if value is not None and value == int(value) else None


def as_vector(answer, shape):
    """The answer as a flat float array of the given shape with finite entries, or None."""
    try:
        vector = np.asarray(answer, dtype=np.float64).ravel()
    except (TypeError, ValueError):
        return None
    return vector if vector.shape == shape and np.isfinite(vector).all() else None


def as_float_array(result):
    return np.asarray(result, dtype=np.float64)


# --------------------------------------------------------------------------- what an answer is compared with


class _Marker:
    def __init__(self, name):
        self.name = name

    def __repr__(self):
        return self.name


ANY = _Marker("ANY")
"""In a near miss: this answer may be anything, even of the wrong kind."""

WRONG = _Marker("WRONG")
"""In a near miss: this answer is not the expected one (or not a number at all)."""


@dataclass(frozen=True)
class Near:
    """A value with its own tolerance: `math.isclose` semantics for numbers, `np.allclose` for vectors."""

    value: object
    rel: float
    abs_: float


def near(value, rel=1e-6, abs_=1e-12):
    return Near(value, rel, abs_)


def within(value, distance):
    """|answer − value| ≤ distance."""
    return Near(value, 0.0, distance)


class OneOf(tuple):
    """In a near miss: the answer matches any one of these."""


def one_of(*matchers):
    return OneOf(matchers)


def above(bound):
    """In a near miss: the answer is larger than bound (a percentage where a fraction belongs, say)."""
    return lambda value: value > bound


def _numbers_agree(value, target, rel, abs_):
    return math.isclose(value, target, rel_tol=rel, abs_tol=abs_)


def _vectors_agree(value, target, rel, abs_):
    return np.allclose(value, target, rtol=rel, atol=abs_)


@dataclass(frozen=True)
class _Comparison:
    """How a check reads its answers and when a read answer counts as equal to a target."""

    parse: object
    agree: object
    rel: float
    abs_: float

    def hits(self, target, value):
        if value is None:
            return False
        target = target if isinstance(target, Near) else Near(target, self.rel, self.abs_)
        return bool(self.agree(value, target.value, target.rel, target.abs_))

    def matches(self, matcher, value, target):
        """Does one answer fit one place of a near miss? `target` is the expected answer at that place."""
        if matcher is ANY:
            return True
        if matcher is WRONG:
            return not self.hits(target, value)
        if value is None:
            return False
        if isinstance(matcher, OneOf):
            return any(self.matches(alternative, value, target) for alternative in matcher)
        if callable(matcher):
            return bool(matcher(value))
        return self.hits(matcher, value)


# --------------------------------------------------------------------------- the shapes of check


def _answers(signature, args, kwargs):
    return signature.bind(*args, **kwargs).args


def _one_per_answer(pattern, arity):
    """A check with one answer writes its expected value and near misses bare; with several, as tuples."""
    if arity == 1:
        return (pattern,)
    if not isinstance(pattern, tuple) or isinstance(pattern, OneOf) or len(pattern) != arity:
        raise ValueError(f"expected a tuple of {arity} entries, one per answer, got {pattern!r}")
    return pattern


def _hint_text(hint, values):
    return hint if isinstance(hint, str) else hint(*values)


def _answer_check(comparison, expected, praise, hint, near_misses, not_a_number):
    def decorate(stub):
        signature = inspect.signature(stub)
        arity = len(signature.parameters)
        rows = [(_one_per_answer(pattern, arity), row_hint) for pattern, row_hint in near_misses]

        @functools.wraps(stub)
        def check(*args, **kwargs):
            values = [comparison.parse(answer) for answer in _answers(signature, args, kwargs)]
            if not_a_number is not None and any(value is None for value in values):
                return not_yet(not_a_number)
            # Some expected answers come from running a helper: they are computed when a check runs, not on import.
            targets = _one_per_answer(expected() if callable(expected) else expected, arity)
            if all(comparison.hits(target, value) for target, value in zip(targets, values)):
                return passed(praise)
            for pattern, row_hint in rows:
                if all(map(comparison.matches, pattern, values, targets)):
                    return not_yet(_hint_text(row_hint, values))
            return not_yet(_hint_text(hint, values))

        return check

    return decorate


def numeric(expected, praise, hint, near_misses=(), rel=1e-6, abs_=1e-12, not_a_number=None, whole=False):
    """Decorate a stub into a check whose answers are numbers.

    expected: the right answer, a tuple of them for a check with several answers, or a function computing either;
        a plain number is compared with math.isclose(rel, abs_), a `near(…)` one with its own tolerance.
    near_misses: (pattern, hint) rows tried in order once the answers are not all right. A pattern holds one entry
        per answer: a number (the check's tolerance), near(…), within(…), one_of(…), a predicate, ANY or WRONG.
    hint: for any other wrong answer; a hint may be a function of the answers.
    not_a_number: the hint when an answer is not a finite number; without it such answers fall through the table.
    whole: only whole numbers count as numbers (a count of parameters, a side length).
    """
    comparison = _Comparison(as_whole_number if whole else as_number, _numbers_agree, rel, abs_)
    return _answer_check(comparison, expected, praise, hint, near_misses, not_a_number)


def vector(expected, praise, hint, not_a_number, near_misses=(), rel=1e-5, abs_=1e-8):
    """Decorate a stub into a check whose one answer is a vector of expected's shape, compared with np.allclose.

    Near misses work as in `numeric`, each entry compared (or tested, for a predicate) as a whole vector.
    """
    parse = functools.partial(as_vector, shape=np.shape(expected))
    comparison = _Comparison(parse, _vectors_agree, rel, abs_)
    return _answer_check(comparison, expected, praise, hint, near_misses, not_a_number)


# --------------------------------------------------------------------------- checks that take the learner's function


class _LearnerRaised(Exception):
    """The learner's function raised: its error is this exception's cause."""


def run_learner(function, arguments, convert=lambda result: result):
    """function(*arguments), given copies (a learner's function may change its inputs in place), then converted.

    Whatever the function or the conversion of its result raises comes out as a hint (see `learner_function`).
    """
    try:
        return convert(function(*copy.deepcopy(arguments)))
    except Exception as error:  # a learner's bug is a hint, not a traceback
        raise _LearnerRaised from error


def learner_function(raised_advice=""):
    """Decorate a check whose answer is a function: anything else, or an error it raises, gets a hint."""

    def decorate(body):
        signature = inspect.signature(body)
        (parameter,) = signature.parameters

        @functools.wraps(body)
        def check(*args, **kwargs):
            (function,) = _answers(signature, args, kwargs)
            if not callable(function):
                return not_yet(f"pass your function itself, e.g. {body.__name__}({parameter}).")
            try:
                return body(function)
            except _LearnerRaised as raised:
                error = raised.__cause__
                return not_yet(f"your function raised {type(error).__name__}: {error}{raised_advice}")

        return check

    return decorate


def function_check(cases, reference, diagnose, praise, convert=as_float_array, raised_advice=""):
    """Decorate a stub into a check that runs the learner's function on cases and compares it with a reference.

    cases(): the argument tuples, made afresh for every run; reference(*case): the right result.
    convert(result): the learner's result in the reference's form (raising counts as the learner's error).
    diagnose(got, expected, *case): None when got is right, else the hint; the first wrong case gives the verdict.
    """

    def decorate(stub):
        def check(function):
            for case in cases():
                expected = reference(*case)
                hint = diagnose(run_learner(function, case, convert), expected, *case)
                if hint is not None:
                    return not_yet(hint)
            return passed(praise)

        return learner_function(raised_advice)(functools.wraps(stub)(check))

    return decorate
