"""Finite-sum problems L(θ) = (1/N) Σᵢ ℓᵢ(θ) whose minimizer θ* is known, for stochastic gradients.

    problem = least_squares(n=1000, d=2, noise=0.5, kappa=10.0, seed=0)
    problem.loss(θ), problem.grad(θ)          # the full objective and its gradient
    problem.per_example_grad(θ, idx)          # rows ∇ℓᵢ(θ) for i in idx: shape (len(idx), d)
    problem.per_example_grad(θs, idxs)        # K chains θs (K, d), one batch each idxs (K, B) → (K, B, d)
    problem.theta_star                        # the exact minimizer: problem.grad(θ*) = 0

    data = mnist.load()
    problem = logistic_regression(data.train_images, data.train_labels, digits=(3, 8))

`loss` and `grad` read θ along the last axis, so one call evaluates a point (d,), a batch (k, d)
or, for least squares, a whole plotting grid (H, W, d).
"""

from collections.abc import Callable
from typing import NamedTuple

import numpy as np

from helpers._checks import finite_array, integer, integers, positive, real


class Problem(NamedTuple):
    """A finite sum L(θ) = (1/N) Σᵢ ℓᵢ(θ) over N examples, with its exact minimizer."""

    name: str
    X: np.ndarray
    """(N, d) float64: one row of features per example."""
    y: np.ndarray
    """(N,) float64: the targets (least squares) or labels 0/1 (logistic regression)."""
    theta_star: np.ndarray
    """(d,) float64: the minimizer θ* of L."""
    loss: Callable
    """loss(θ) → L(θ) of shape θ.shape[:-1]."""
    grad: Callable
    """grad(θ) → ∇L(θ) of shape θ.shape."""
    per_example_grad: Callable
    """per_example_grad(θ, idx) → (B, d): row k is ∇ℓ_{idx[k]}(θ) for θ (d,) and idx (B,).

    K chains at once: θ (K, d) and idx (K, B) → (K, B, d), chain j's batch idx[j] at θ[j]."""

    @property
    def n(self):
        """N, the number of examples."""
        return self.X.shape[0]

    @property
    def d(self):
        """d, the number of parameters."""
        return self.X.shape[1]


# --------------------------------------------------------------------------- checks


def _theta(theta, d):
    theta = np.asarray(theta, dtype=np.float64)
    if theta.ndim == 0 or theta.shape[-1] != d:
        raise ValueError(f"θ must have shape (..., {d}) — the {d} parameters along the last axis; got {theta.shape}")
    return theta


def _point_and_indices(theta, idx, n, d):
    """θ (d,) with idx (B,), or K chains θ (K, d) with one batch each, idx (K, B)."""
    theta = np.asarray(theta, dtype=np.float64)
    if theta.ndim not in (1, 2) or theta.shape[-1] != d:
        raise ValueError(f"θ must have shape ({d},), or (K, {d}) for K chains, got {theta.shape}")
    idx = np.asarray(idx)
    if idx.ndim != theta.ndim or not np.issubdtype(idx.dtype, np.integer) or idx.shape[:-1] != theta.shape[:-1]:
        want = "(B,)" if theta.ndim == 1 else f"({theta.shape[0]}, B), one batch per chain"
        raise ValueError(f"idx must be integer example indices of shape {want}; got {idx.dtype} {idx.shape}")
    if idx.size and (idx.min() < 0 or idx.max() >= n):
        raise ValueError(f"idx must hold indices in 0..{n - 1} (N = {n}), got values {idx.min()}..{idx.max()}")
    return theta, idx


# --------------------------------------------------------------------------- least squares


def least_squares(n=1000, d=2, noise=0.5, kappa=10.0, seed=0, theta_star=None):
    """Linear least squares ℓᵢ(θ) = ½ (xᵢᵀθ − yᵢ)² built so that θ* and the Hessian are exact.

    The features are whitened and rescaled so that H = XᵀX/N has eigenvalues exactly geomspace(1, κ, d)
    in a random eigenbasis; the targets are y = Xθ* + r with Gaussian residuals r of scale `noise`,
    projected orthogonal to the columns of X, so that ∇L(θ*) = Xᵀr/N = 0 holds exactly: θ* is the
    chosen `theta_star` (default: drawn from N(0, I)), not an estimate of it.
    """
    n = integer("n (N, the number of examples)", n, 1)
    d = integer("d (the number of parameters)", d, 1)
    if n <= d:
        raise ValueError(f"n (N) must exceed d so that the optimum is unique; got n = {n}, d = {d}")
    noise = real("noise", noise, 0.0)
    kappa = real("kappa (κ)", kappa, 1.0)
    seed = integer("seed", seed, 0)
    rng = np.random.default_rng(seed)
    if theta_star is None:
        theta_star = rng.normal(size=d)
    theta_star = finite_array("theta_star", theta_star, ndim=1).copy()  # the caller's array may change later
    if theta_star.shape != (d,):
        raise ValueError(f"theta_star must hold d = {d} numbers, one per parameter, got shape {theta_star.shape}")

    Z = rng.normal(size=(n, d))
    Z -= Z.mean(axis=0)
    eigenvalues, vectors = np.linalg.eigh(Z.T @ Z / n)
    Z = Z @ vectors / np.sqrt(eigenvalues)  # now ZᵀZ/N = I exactly (up to round-off)
    rotation, _ = np.linalg.qr(rng.normal(size=(d, d)))
    lambdas = np.geomspace(1.0, kappa, d)
    X = Z * np.sqrt(lambdas) @ rotation.T  # H = XᵀX/N = Q diag(λ) Qᵀ
    r = noise * rng.normal(size=n)
    r -= X @ np.linalg.solve(X.T @ X, X.T @ r)  # r ⟂ columns of X, so ∇L(θ*) = −Xᵀr/N = 0
    y = X @ theta_star + r
    H = X.T @ X / n
    loss_star = r @ r / (2 * n)

    def loss(theta):
        delta = _theta(theta, d) - theta_star
        return loss_star + 0.5 * np.einsum("...i,ij,...j->...", delta, H, delta)  # L* + ½ δᵀHδ, exact for r ⟂ X

    def grad(theta):
        residual = _theta(theta, d) @ X.T - y  # xᵢᵀθ − yᵢ
        return residual @ X / n  # ∇L = Xᵀ(Xθ − y)/N

    def per_example_grad(theta, idx):
        theta, idx = _point_and_indices(theta, idx, n, d)
        rows = X[idx]
        residual = np.einsum("...bd,...d->...b", rows, theta) - y[idx]  # xᵢᵀθ − yᵢ
        return rows * residual[..., None]  # ∇ℓᵢ = xᵢ (xᵢᵀθ − yᵢ)

    name = f"least squares (N = {n}, d = {d}, κ = {kappa:g})"
    return Problem(name, X, y, theta_star, loss, grad, per_example_grad)


# --------------------------------------------------------------------------- logistic regression


def digit_features(images, labels, digits=(3, 8)):
    """Features and 0/1 labels for telling two MNIST digits apart.

    images: uint8 (M, 28, 28) pixel values; labels: (M,) digits. Keeps the images of `digits`;
    each becomes its 784 pixels scaled to [0, 1] plus a constant 1 (the bias), so X is (N, 785).
    y is 1 for digits[1] and 0 for digits[0].
    """
    images, labels = np.asarray(images), np.asarray(labels)
    if images.dtype != np.uint8 or images.ndim != 3:
        raise ValueError(
            f"images must be uint8 pixel values of shape (M, height, width), got {images.dtype} {images.shape}"
        )
    if labels.ndim != 1 or len(labels) != len(images):
        raise ValueError(f"labels must have shape ({len(images)},), one per image, got {labels.shape}")
    digits = integers("digits", digits, 0, 9, length=2)
    if digits[0] == digits[1]:
        raise ValueError(f"digits must be two different digits, e.g. (3, 8), got {digits!r}")
    keep = (labels == digits[0]) | (labels == digits[1])
    for k in digits:
        if not (labels == k).any():
            raise ValueError(f"no image has label {k}; digits must be labels present in the data")
    pixels = images[keep].reshape(int(keep.sum()), -1).astype(np.float64) / 255.0  # x / 255 ∈ [0, 1]
    X = np.concatenate([pixels, np.ones((len(pixels), 1))], axis=1)
    y = (labels[keep] == digits[1]).astype(np.float64)
    return X, y


def _sigmoid(z):
    return 0.5 * (1.0 + np.tanh(0.5 * z))  # σ(z) = 1/(1 + e^{−z}), without overflow


def logistic_regression(images, labels, digits=(3, 8), weight_decay=1e-3, tol=1e-12, max_newton_steps=50):
    """Logistic regression telling digits[0] (y = 0) from digits[1] (y = 1), with an L2 penalty.

    ℓᵢ(θ) = log(1 + e^{zᵢ}) − yᵢ zᵢ + (ω/2)‖θ‖² with zᵢ = xᵢᵀθ, ω = `weight_decay` > 0 (the penalty
    makes θ* exist and unique even when the two digits are linearly separable). θ* is found by
    Newton's method with backtracking until ‖∇L(θ*)‖ ≤ tol.
    """
    X, y = digit_features(images, labels, digits)
    omega = positive("weight_decay (ω)", weight_decay)
    tol = positive("tol", tol)
    max_newton_steps = integer("max_newton_steps", max_newton_steps, 1)
    n, d = X.shape

    def loss(theta):
        theta = _theta(theta, d)
        z = theta @ X.T
        penalty = 0.5 * omega * np.sum(theta * theta, axis=-1)
        return np.mean(np.logaddexp(0.0, z) - y * z, axis=-1) + penalty  # (1/N) Σ log(1 + e^z) − yz + (ω/2)‖θ‖²

    def grad(theta):
        theta = _theta(theta, d)
        return (_sigmoid(theta @ X.T) - y) @ X / n + omega * theta  # Xᵀ(σ(Xθ) − y)/N + ωθ

    def per_example_grad(theta, idx):
        theta, idx = _point_and_indices(theta, idx, n, d)
        rows = X[idx]
        z = np.einsum("...bd,...d->...b", rows, theta)  # zᵢ = xᵢᵀθ
        return rows * (_sigmoid(z) - y[idx])[..., None] + omega * theta[..., None, :]  # (σ(zᵢ) − yᵢ) xᵢ + ωθ

    theta_star = _newton(loss, grad, X, omega, tol, max_newton_steps)
    name = f"logistic regression, MNIST {digits[0]} vs {digits[1]} (N = {n}, ω = {omega:g})"
    return Problem(name, X, y, theta_star, loss, grad, per_example_grad)


def _newton(loss, grad, X, omega, tol, max_steps):
    """The minimizer of the (strongly convex) regularized logistic loss by damped Newton steps."""
    n, d = X.shape
    theta = np.zeros(d)
    for _ in range(max_steps):
        g = grad(theta)
        if np.linalg.norm(g) <= tol:
            return theta
        p = _sigmoid(X @ theta)
        hessian = (X.T * (p * (1 - p))) @ X / n + omega * np.eye(d)  # H = Xᵀ diag(σ(1 − σ)) X / N + ωI
        step = np.linalg.solve(hessian, g)
        t, current = 1.0, loss(theta)
        slack = 1e-14 * abs(current)  # near θ* the decrease falls below L's round-off
        while loss(theta - t * step) > current - 0.25 * t * (g @ step) + slack and t > 1e-10:
            t *= 0.5  # backtrack until L decreases enough (Armijo)
        theta = theta - t * step
    raise RuntimeError(
        f"Newton's method did not reach ‖∇L‖ ≤ {tol:g} in {max_steps} steps; raise tol or max_newton_steps"
    )
