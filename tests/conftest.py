"""Test-session defaults: quick mode, and the offline MNIST folder when it sits beside the project.

Notebooks run by nbval inherit this environment (`--nbval-current-env`).
"""

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OFFLINE_MNIST = ROOT.parent / "shared" / "data" / "mnist"

os.environ.setdefault("DESCENT_QUICK", "1")
if OFFLINE_MNIST.is_dir():
    os.environ.setdefault("DESCENT_DATA", str(OFFLINE_MNIST))
