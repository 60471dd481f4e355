"""Online problems: the loss changes from step to step, so the gradient depends on the step count.

    problem = reddi(C=3.0)                                  # Reddi, Kale & Kumar (2018), Theorem 1
    run = optim.run(optim.adam(lr=0.5, betas=(0.0, problem.beta2)), problem.grad, problem.start, 3000,
                    schedule=lambda t: {"lr": 0.5 / math.sqrt(t + 1)}, project=problem.project)
    average_regret(problem, run.path)                       # Rₜ/t: stays away from 0 for Adam

`optim.run` calls its gradient once per step with the current θ; `CyclicGradient` counts those
calls to know which loss of the sequence is being played, and `optim.run` calls its `reset()`
first, so every run starts at t = 1.
"""

from typing import NamedTuple

import numpy as np

from helpers._checks import integer, real


class CyclicGradient:
    """gₜ = gradients[(t − 1) mod period] at the t-th call, whatever θ is (linear losses gₜ·θ).

    gradients: a sequence of gradient vectors (or numbers, for one-dimensional θ), played in turn.
    The returned gradient has the shape of θ: a single point (d,) or a batch of points (N, d).
    """

    def __init__(self, gradients):
        try:
            table = np.array(gradients, dtype=np.float64)
        except (TypeError, ValueError):
            raise ValueError(
                f"gradients must be a sequence of numbers or of equal-length vectors, got {gradients!r}"
            ) from None
        if table.ndim == 1:
            table = table[:, None]
        if table.ndim != 2 or table.shape[0] == 0 or table.shape[1] == 0:
            raise ValueError(f"gradients must be a non-empty sequence of vectors, got shape {table.shape}")
        if not np.isfinite(table).all():
            raise ValueError("gradients must be finite")
        self.table = table
        self.step = 0  # how many gradients were handed out since the last reset

    @property
    def period(self):
        return self.table.shape[0]

    def at(self, t):
        """gₜ, the gradient of step t = 1, 2, … (without counting a call)."""
        t = integer("t", t, 1)
        return self.table[(t - 1) % self.period].copy()

    def __call__(self, theta):
        theta = np.asarray(theta, dtype=np.float64)
        if theta.ndim == 0 or theta.shape[-1] != self.table.shape[1]:
            raise ValueError(
                f"θ must have {self.table.shape[1]} coordinate(s) along its last axis, got shape {theta.shape}"
            )
        self.step += 1
        return np.broadcast_to(self.at(self.step), theta.shape).copy()

    def reset(self):
        """Start the sequence again at t = 1 (`optim.run` calls this before every run)."""
        self.step = 0

    def __repr__(self):
        return f"CyclicGradient(period={self.period}, step={self.step})"


class OnlineProblem(NamedTuple):
    """A sequence of linear losses fₜ(θ) = gₜ·θ on a box, and what is needed to run and judge it."""

    name: str
    grad: CyclicGradient
    """grad(θ) → gₜ, counting the steps; reset() starts again."""
    lower: float
    upper: float
    """The feasible box lower ≤ θᵢ ≤ upper."""
    minimizer: np.ndarray
    """θ* minimizing the summed losses over whole periods."""
    start: np.ndarray
    """θ₀, the point played at step 1."""
    beta2: float
    """The β₂ at which the problem defeats Adam (Theorem 1 of Reddi et al.)."""

    def project(self, theta):
        """The closest feasible point: clip every coordinate into [lower, upper]."""
        return np.clip(theta, self.lower, self.upper)

    def loss(self, theta, t):
        """fₜ(θ) = gₜ·θ, the loss revealed at step t = 1, 2, …"""
        return np.asarray(theta, dtype=np.float64) @ self.grad.at(t)


def reddi(C=3.0):
    """The counterexample of Reddi, Kale & Kumar (2018), Theorem 1: f_t(x) = Cx if t mod 3 = 1, else −x.

    x ∈ [−1, 1]. Over a period the losses sum to (C − 2)x, so for C > 2 the best point is x* = −1,
    and +1 is the worst. Each large gradient C comes once every three steps; with β₁ = 0 and
    β₂ = 1/(1 + C²) Adam's moving average forgets it too quickly and drifts to +1.
    """
    C = real("C", C, 2.0, low_open=True)  # C > 2, else x = −1 is not the unique best point
    return OnlineProblem(
        name=f"Reddi et al. (2018), C = {C:g}",
        grad=CyclicGradient([C, -1.0, -1.0]),
        lower=-1.0,
        upper=1.0,
        minimizer=np.array([-1.0]),
        start=np.array([1.0]),
        beta2=1 / (1 + C * C),
    )


def average_regret(problem, path):
    """Rₜ/t = (1/t) Σₛ [fₛ(θₛ₋₁) − fₛ(θ*)] for t = 1 … len(path) − 1.

    path[s − 1] is the point played at step s (the one whose gradient gave step s), as in
    `optim.run`'s Trajectory.path; the last point was never played.
    """
    path = np.asarray(path, dtype=np.float64)
    if path.ndim != 2 or path.shape[0] < 2 or path.shape[1] != problem.grad.table.shape[1]:
        raise ValueError(f"path must have shape (t + 1, {problem.grad.table.shape[1]}) with t ≥ 1, got {path.shape}")
    t = np.arange(1, path.shape[0])
    gradients = np.stack([problem.grad.at(int(s)) for s in t])
    # fₛ(θₛ₋₁) − fₛ(θ*) = gₛ·(θₛ₋₁ − θ*), the losses being linear
    regret = np.einsum("td,td->t", path[:-1] - problem.minimizer, gradients)
    return np.cumsum(regret) / t
