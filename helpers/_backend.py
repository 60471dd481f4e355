"""Array-library dispatch: the same formula runs on numpy arrays and torch tensors.

torch is never imported here; a tensor brings its own module along.
"""

import sys

import numpy as np


def is_tensor(x):
    """True for a torch.Tensor (checked without importing torch)."""
    torch = sys.modules.get("torch")
    return torch is not None and isinstance(x, torch.Tensor)


def namespace(x):
    """The module whose functions (sqrt, exp, maximum, zeros_like, …) act on `x`."""
    return sys.modules["torch"] if is_tensor(x) else np


def as_array(x):
    """A tensor as it is; anything else as a float64 numpy array."""
    return x if is_tensor(x) else np.asarray(x, dtype=np.float64)


def stack_last(parts):
    """Stack arrays or tensors along a new last axis."""
    if is_tensor(parts[0]):
        return sys.modules["torch"].stack(parts, dim=-1)
    return np.stack(parts, axis=-1)
