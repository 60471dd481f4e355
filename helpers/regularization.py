"""Regularization as small pure functions: penalties, their proximal steps, dropout, early stopping.

    X = polynomial_features(x, degree=15, basis="legendre")       # columns P₀(x) … P₁₅(x)
    theta = ridge(X, y, omega=1e-3)                                # argmin MSE + (ω₂/2)‖θ‖²
    optim.run(optim.sgd(lr=eta), grad, theta0, steps,
              project=l1_prox(lr=eta, omega=1e-2))                 # ISTA: GD step, then soft-threshold
    h = dropout(h, p=0.5, rng=np.random.default_rng(0))            # inverted dropout, E[h̃] = h
    best_epoch, stop_epoch, stopped = early_stopping(val_losses, patience=10)

Notation: ω₂ is the L2 (weight-decay) strength, ω₁ the L1 strength, η the learning rate, p the
dropout probability. The penalties are (ω₂/2)‖θ‖² — whose gradient ω₂θ is what torch's
`weight_decay` adds — and ω₁‖θ‖₁.
"""

import math
from typing import NamedTuple

import numpy as np

from helpers._checks import finite_array, integer, non_negative, unit_interval

BASES = ("monomial", "legendre")


# --------------------------------------------------------------------------- features and closed forms


def polynomial_features(x, degree, basis="monomial"):
    """The design matrix (N, degree + 1) of a polynomial in x: column k is xᵏ, or Pₖ(x) for "legendre".

    Both bases span the same polynomials. On x ∈ [−1, 1] the Legendre columns are nearly orthogonal,
    so least squares and gradient descent on them are well conditioned; monomials of high degree
    are nearly collinear there.
    """
    x = finite_array("x", x, ndim=1)
    degree = integer("degree", degree, 0)
    if basis == "monomial":
        return np.vander(x, degree + 1, increasing=True)
    if basis == "legendre":
        return np.polynomial.legendre.legvander(x, degree)
    raise ValueError(f"basis must be one of {', '.join(BASES)}, got {basis!r}")


def mse(features, targets, theta):
    """The mean squared error (1/N) ‖Xθ − y‖² of the linear model Xθ."""
    residual = np.asarray(features) @ np.asarray(theta) - np.asarray(targets)
    return float(np.mean(residual**2))


def ridge(features, targets, omega):
    """argmin_θ (1/N) ‖Xθ − y‖² + (ω₂/2) ‖θ‖², in closed form.

    The minimizer solves (2XᵀX/N + ω₂I) θ = 2Xᵀy/N. It is computed as the least-squares solution of
    the stacked system [√(2/N) X; √ω₂ I] θ = [√(2/N) y; 0], which stays accurate when XᵀX is nearly
    singular; ω₂ = 0 gives plain least squares (the minimum-norm solution if it is not unique).
    """
    X = finite_array("features", features, ndim=2)
    y = finite_array("targets", targets, ndim=1)
    if len(y) != len(X):
        raise ValueError(f"features has {len(X)} rows but targets has {len(y)} entries")
    if len(X) == 0:
        raise ValueError("features must have at least one row")
    omega = non_negative("omega (ω₂)", omega)
    scale = math.sqrt(2 / len(X))
    d = X.shape[1]
    A = np.vstack([scale * X, math.sqrt(omega) * np.eye(d)])
    b = np.concatenate([scale * y, np.zeros(d)])
    return np.linalg.lstsq(A, b, rcond=None)[0]


# --------------------------------------------------------------------------- L1: subgradient and proximal step


def soft_threshold(theta, threshold):
    """The proximal operator of threshold·‖·‖₁: sign(θ) · max(|θ| − threshold, 0), elementwise.

    It is argmin_u ½‖u − θ‖² + threshold·‖u‖₁: every coordinate moves `threshold` towards 0 and
    stops at exactly 0 (torch.nn.functional.softshrink with lambd=threshold).
    """
    theta = finite_array("theta", theta)
    threshold = non_negative("threshold", threshold)
    return np.sign(theta) * np.maximum(np.abs(theta) - threshold, 0.0)


def l1_prox(lr, omega):
    """A `project` for optim.run that turns a GD step on L into a proximal-gradient (ISTA) step on L + ω₁‖θ‖₁.

    After the step θ − ηg, the proximal step of η·ω₁‖·‖₁ is soft-thresholding at η·ω₁: the threshold
    is the learning rate times ω₁, so `lr` must be the η the optimizer uses (with a schedule, η
    changes per step and a fixed threshold no longer matches).
    """
    threshold = non_negative("lr (η)", lr) * non_negative("omega (ω₁)", omega)

    def project(theta):
        return soft_threshold(theta, threshold)

    return project


def l1_subgradient(theta, omega):
    """ω₁·sign(θ): a subgradient of ω₁‖θ‖₁ (0 where θᵢ = 0, as torch's autograd of abs gives)."""
    return non_negative("omega (ω₁)", omega) * np.sign(finite_array("theta", theta))


# --------------------------------------------------------------------------- constraint sets


def project_l2_ball(theta, radius):
    """The nearest point of the ball ‖θ‖₂ ≤ radius: θ scaled down onto the sphere if it lies outside.

    `theta` may be one point (d,) or a batch (..., d); the norm is taken over the last axis.
    """
    theta = finite_array("theta", theta)
    radius = non_negative("radius", radius)
    norm = np.linalg.norm(theta, axis=-1, keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        scale = np.where(norm > radius, radius / norm, 1.0)
    return theta * scale


def project_l1_ball(theta, radius):
    """The nearest point of the diamond ‖θ‖₁ ≤ radius (Duchi, Shalev-Shwartz, Singer & Chandra, 2008).

    Outside the ball the projection is a soft-threshold, soft_threshold(θ, τ), with the one τ ≥ 0
    that lands on the surface ‖·‖₁ = radius; it is found by sorting |θ|. Batches (..., d) project
    each row (last axis) separately, all at once.
    """
    theta = finite_array("theta", theta)
    radius = non_negative("radius", radius)
    if theta.ndim == 0:
        raise ValueError("theta must have at least one dimension (the coordinates)")
    if radius == 0:
        return np.zeros_like(theta)
    magnitude = np.abs(theta)
    descending = -np.sort(-magnitude, axis=-1)
    excess = np.cumsum(descending, axis=-1) - radius  # Σ of the k largest |θᵢ|, minus the radius
    k = np.arange(1, theta.shape[-1] + 1)
    kept = np.count_nonzero(descending - excess / k > 0, axis=-1, keepdims=True)  # how many stay non-zero (≥ 1)
    tau = np.take_along_axis(excess, kept - 1, axis=-1) / kept
    outside = magnitude.sum(axis=-1, keepdims=True) > radius
    return np.where(outside, np.sign(theta) * np.maximum(magnitude - tau, 0.0), theta)


# --------------------------------------------------------------------------- dropout


def dropout_mask(shape, p, rng):
    """A keep-mask of `shape`: each entry 1 with probability 1 − p, else 0, drawn from `rng`."""
    p = unit_interval("p (the dropout probability)", p, closed=True)
    if not isinstance(rng, np.random.Generator):
        raise ValueError(f"rng must be a numpy Generator (np.random.default_rng(seed)), got {type(rng).__name__}")
    return (rng.random(shape) >= p).astype(np.float64)


def dropout(x, p, rng, training=True):
    """Inverted dropout: x · m / (1 − p) with m ~ Bernoulli(1 − p) elementwise, so E[output] = x.

    Because the survivors are scaled up while training, evaluation (training=False) is the
    identity — the semantics of torch.nn.functional.dropout. p = 1 drops everything (zeros).
    """
    x = finite_array("x", x)
    p = unit_interval("p (the dropout probability)", p, closed=True)
    if not training or p == 0:
        return x.copy()
    if p == 1:
        return np.zeros_like(x)
    return x * dropout_mask(x.shape, p, rng) / (1 - p)  # E[m/(1 − p)] = (1 − p)/(1 − p) = 1


# --------------------------------------------------------------------------- augmentation


def jitter(x, y, copies, scale, rng):
    """Data augmentation for a 1-D regression: `copies` noisy copies of every input, targets unchanged.

    Returns (x̃, ỹ) of length N·copies with x̃ = x + scale·ξ, ξ ~ N(0, 1). Training on jittered inputs
    approximates a penalty on the fitted curve's slope (Bishop, 1995).
    """
    x = finite_array("x", x, ndim=1)
    y = finite_array("y", y, ndim=1)
    if len(x) != len(y):
        raise ValueError(f"x has {len(x)} entries but y has {len(y)}")
    copies = integer("copies", copies, 1)
    scale = non_negative("scale", scale)
    if not isinstance(rng, np.random.Generator):
        raise ValueError(f"rng must be a numpy Generator (np.random.default_rng(seed)), got {type(rng).__name__}")
    x_copies = np.tile(x, copies)
    return x_copies + scale * rng.standard_normal(x_copies.shape), np.tile(y, copies)


# --------------------------------------------------------------------------- early stopping


class EarlyStop(NamedTuple):
    """What early stopping decides for a sequence of validation losses; epochs count from 1."""

    best_epoch: int
    """The epoch with the lowest validation loss seen up to the stop: the weights to keep."""
    stop_epoch: int
    """The epoch after which training ends: `patience` epochs after the best, or the last epoch."""
    stopped: bool
    """True if patience ran out before the losses did."""


def early_stopping(val_losses, patience, min_delta=0.0):
    """Pick the epoch to keep and the epoch to stop from validation losses (val_losses[k] is epoch k + 1).

    An epoch improves if its loss is below the best so far by more than `min_delta`. Training stops
    after the first epoch that is `patience` epochs past the last improvement. Only the losses up to
    an epoch decide whether training stops there, so calling this after every epoch of a training
    loop gives the same answer as calling it once on the whole curve. A loss that is not finite
    (a diverged run) never improves.
    """
    try:
        losses = np.asarray(val_losses, dtype=np.float64)
    except (TypeError, ValueError):
        losses = None
    if losses is None or losses.ndim != 1 or len(losses) == 0:
        raise ValueError("val_losses must be a non-empty sequence of numbers, one per epoch")
    patience = integer("patience", patience, 1)
    min_delta = non_negative("min_delta", min_delta)
    best_epoch, best = 0, math.inf  # epoch 0: nothing finite seen yet
    for epoch, loss in enumerate(losses, start=1):
        if math.isfinite(loss) and loss < best - min_delta:
            best_epoch, best = epoch, loss
        elif epoch - best_epoch >= patience:
            return EarlyStop(max(best_epoch, 1), epoch, True)
    return EarlyStop(max(best_epoch, 1), len(losses), False)
