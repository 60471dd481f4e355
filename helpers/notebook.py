"""The one setup cell's helpers: quick mode, seeding, plotting defaults, device choice."""

import os
import platform
import random

import numpy as np

QUICK = os.environ.get("DESCENT_QUICK", "").strip().lower() not in ("", "0", "false", "no")
"""True when DESCENT_QUICK is set (CI and the test command): fewer steps, epochs and seeds."""

DEVICES = ("cpu", "cuda", "mps")


def quick(quick_value, full_value):
    """`quick_value` in quick mode, else `full_value` (e.g. ``epochs = quick(1, 10)``)."""
    return quick_value if QUICK else full_value


def device():
    """The torch device to train on: DESCENT_DEVICE if set, else cuda, then mps, then cpu."""
    import torch

    wanted = os.environ.get("DESCENT_DEVICE", "").strip().lower()
    if wanted:
        if wanted not in DEVICES:
            raise ValueError(f"DESCENT_DEVICE={wanted!r} is not a known device; use one of {', '.join(DEVICES)}")
        available = {
            "cpu": True,
            "cuda": torch.cuda.is_available(),
            "mps": getattr(torch.backends, "mps", None) is not None and torch.backends.mps.is_available(),
        }
        if not available[wanted]:
            raise ValueError(f"DESCENT_DEVICE={wanted!r} was asked for, but this machine has no {wanted} device")
        return torch.device(wanted)
    if torch.cuda.is_available():
        return torch.device("cuda")
    mps = getattr(torch.backends, "mps", None)
    if mps is not None and mps.is_available():
        return torch.device("mps")
    return torch.device("cpu")


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
    plt.rcParams.update({
        "figure.figsize": (7, 4.5),
        "figure.dpi": 80,
        "savefig.dpi": 80,
        "axes.grid": True,
        "grid.alpha": 0.3,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "image.cmap": "viridis",
    })
    np.set_printoptions(precision=4, suppress=True)
    mode = "quick" if QUICK else "full"
    print(
        f"Python {platform.python_version()} · numpy {np.__version__} · torch {torch.__version__} · "
        f"matplotlib {matplotlib.__version__} · device {device()} · {mode} mode · seed {seed}"
    )
