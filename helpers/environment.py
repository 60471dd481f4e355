"""The course's switches in the environment, read when asked (never at import), so a change takes effect at once.

DESCENT_QUICK=1 quick mode, DESCENT_MNIST_FULL=1 the full MNIST training set; "", "0", "false" and "no" mean off.
"""

import os

QUICK_ENV = "DESCENT_QUICK"
FULL_MNIST_ENV = "DESCENT_MNIST_FULL"


def flag(name):
    """Whether the environment variable `name` is set to something other than "", "0", "false" or "no"."""
    return os.environ.get(name, "").strip().lower() not in ("", "0", "false", "no")


def quick_mode():
    """True when DESCENT_QUICK is set (CI and the test command): fewer steps, epochs and seeds."""
    return flag(QUICK_ENV)
