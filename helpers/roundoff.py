"""Numbers that print the same on every CPU.

float64 keeps about 16 significant digits. Another CPU's BLAS and SIMD kernels add and multiply in a
different order, so the last digit or two change: a difference that is 0 in exact arithmetic prints as
0.0e+00 on one machine and 4.4e-16 on another, and a loss at its minimum as 2.05e-30 here, 2.04e-30 there.
The notebooks therefore print a value below THRESHOLD as a bound, and call results that differ only
below it a tie:

    print(f"from scratch vs torch.optim.SGD: max |difference| {roundoff.equals(d)}")  # "< 1e-12" or "= 3.1e-05"
"""

from helpers._checks import positive

THRESHOLD = 1e-12
"""Below this a value is round-off: the bound every check cell of the course asserts and prints."""


def _threshold(threshold):
    return positive("threshold", threshold)


def _float(x):
    # A tensor that requires grad warns when converted as it is; its value is all that is printed.
    return float(x.detach()) if hasattr(x, "detach") else float(x)


def is_roundoff(x, threshold=THRESHOLD):
    """True when |x| < threshold: x is zero to machine precision."""
    return abs(_float(x)) < _threshold(threshold)


def fmt(x, spec=".1e", threshold=THRESHOLD):
    """x formatted with `spec`, or "< 1e-12" when |x| is below the threshold (round-off)."""
    if is_roundoff(x, threshold):
        return f"< {threshold:g}"
    return format(_float(x), spec)


def equals(x, spec=".1e", threshold=THRESHOLD):
    """For a line "name = value": "= 3.1e-05", or "< 1e-12" when x is round-off."""
    text = fmt(x, spec, threshold)
    return text if text.startswith("<") else f"= {text}"
