"""Test-session defaults, for `pytest` and for `pytest notebooks/NN_name.ipynb` alike: quick mode, and the
MNIST data that ships with the course (the stored notebooks were run on it, so the full-set opt-in is off).

Notebooks run by nbval inherit this environment (`--nbval-current-env`).
"""

import os

os.environ.setdefault("DESCENT_QUICK", "1")
os.environ.pop("DESCENT_MNIST_FULL", None)
