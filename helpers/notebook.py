"""The one setup cell's helpers: quick mode, seeding, plotting defaults, device choice."""

import platform
import random

import numpy as np

from helpers.environment import QUICK_ENV, quick_mode  # noqa: F401 (part of this module's interface)


def __getattr__(name):
    # `QUICK` is read when asked for (`from helpers.notebook import QUICK` in a notebook's setup cell),
    # so setting DESCENT_QUICK later in a session takes effect without reloading anything.
    if name == "QUICK":
        return quick_mode()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def quick(quick_value, full_value):
    """`quick_value` in quick mode, else `full_value` (e.g. ``epochs = quick(1, 10)``)."""
    return quick_value if quick_mode() else full_value


def device():
    """The torch device to train on: DESCENT_DEVICE if set, else cuda, then mps, then cpu."""
    from helpers.devices import default_device

    return default_device()


def seed_everything(seed=0):
    """Seed Python, numpy and torch (if imported) so reruns print the same numbers."""
    random.seed(seed)
    np.random.seed(seed)
    import torch

    torch.manual_seed(seed)


def setup_notebook(seed=0):
    """Seed everything, set matplotlib defaults and print one line of versions and device."""
    import matplotlib
    import matplotlib.pyplot as plt
    import torch

    seed_everything(seed)
    plt.rcParams.update(
        {
            "figure.figsize": (7, 4.5),
            "figure.dpi": 80,
            "savefig.dpi": 80,
            "axes.grid": True,
            "grid.alpha": 0.3,
            "axes.spines.top": False,
            "axes.spines.right": False,
            "image.cmap": "viridis",
        }
    )
    np.set_printoptions(precision=4, suppress=True)
    mode = "quick" if quick_mode() else "full"
    print(
        f"Python {platform.python_version()} · numpy {np.__version__} · torch {torch.__version__} · "
        f"matplotlib {matplotlib.__version__} · device {device()} · {mode} mode · seed {seed}"
    )
