"""Stochastic gradients: callables θ ↦ gₜ whose `reset()` replays the same noise.

    g = minibatch_gradient(problem, batch_size=10, seed=0)                # shuffle each epoch, no replacement
    g = minibatch_gradient(problem, batch_size=10, seed=0, replace=True)  # B i.i.d. draws per step
    g = noisy(surface.grad, sigma=0.5, seed=0)                            # ∇f(θ) + σξ, ξ ~ N(0, I)
    optim.run(optim.sgd(lr=0.1), g, start, steps)                         # run() calls g.reset() first

A stochastic gradient owns its random generator, seeded once: `reset()` rewinds it, so two runs
(and two positions of a slider) see the same mini-batches. Notation: N examples, batch size B,
σ² = (1/N) Σᵢ ‖∇ℓᵢ(θ) − ∇L(θ)‖² the per-example gradient variance.
"""

import math

import numpy as np

from helpers._checks import flag, integer, non_negative


class MinibatchGradient:
    """gₜ = (1/B) Σ_{i ∈ Sₜ} ∇ℓᵢ(θ): the mean per-example gradient over a mini-batch Sₜ.

    Without replacement (the default, like torch's DataLoader with shuffle=True): each epoch walks
    through `rng.permutation(N)` of `np.random.default_rng(seed)` in consecutive slices of B; when B
    does not divide N the last batch of an epoch is smaller, or, with drop_last=True, skipped (so
    every batch holds exactly B examples, as with DataLoader's drop_last=True). With replacement:
    each step draws B indices i.i.d. uniform from 0..N−1 (`rng.integers(0, N, B)`).

    Called at K points θ (K, d) — K independent chains, e.g. `optim.run` from a batch of starts —
    each chain gets its own batch: i.i.d. draws of shape (K, B), or its own permutation per epoch.
    """

    def __init__(self, per_example_grad, n, batch_size, seed=0, replace=False, drop_last=False):
        if not callable(per_example_grad):
            raise ValueError("per_example_grad must be callable as per_example_grad(θ, idx) -> (len(idx), d)")
        self.per_example_grad = per_example_grad
        self.n = integer("n (N, the number of examples)", n, 1)
        self.batch_size = integer("batch_size (B)", batch_size, 1, self.n)
        self.seed = integer("seed", seed, 0)
        self.replace = flag("replace", replace)
        self.drop_last = flag("drop_last", drop_last)
        self.reset()

    def reset(self):
        """Rewind: the next calls replay the mini-batches drawn since construction."""
        self._rng = np.random.default_rng(self.seed)
        self._order = None
        self._position = self.n  # past the end: the first call shuffles
        self._started = False
        self._chains = None
        self.examples_seen = 0  # per chain: Σ of the batch sizes drawn, the per-example gradients computed
        self.last_batch = None  # the indices of the latest mini-batch

    @property
    def steps_per_epoch(self):
        """⌈N/B⌉ (⌊N/B⌋ with drop_last): the steps of one pass over the data without replacement."""
        if self.drop_last:
            return self.n // self.batch_size
        return math.ceil(self.n / self.batch_size)

    @property
    def epochs(self):
        """Examples seen so far (per chain), in units of N."""
        return self.examples_seen / self.n

    def next_batch(self, chains=None):
        """The indices of the next mini-batch, (B,); or (K, B), an independent one per chain, for chains=K.

        The number of chains is fixed by the first call after a reset.
        """
        if chains is not None:
            chains = integer("chains (K)", chains, 1)
        if not self._started:
            self._started, self._chains = True, chains
        elif chains != self._chains:
            raise ValueError(f"this stream draws for chains = {self._chains}, not {chains}; call reset() to change K")
        shape = (self.batch_size,) if chains is None else (chains, self.batch_size)
        if self.replace:
            idx = self._rng.integers(0, self.n, shape)
        else:
            if self._position >= self.n or (self.drop_last and self._position + self.batch_size > self.n):
                self._position = 0
                if chains is None:
                    self._order = self._rng.permutation(self.n)
                else:
                    self._order = self._rng.permuted(np.tile(np.arange(self.n), (chains, 1)), axis=1)
            idx = self._order[..., self._position : self._position + self.batch_size]
            self._position += idx.shape[-1]
        self.examples_seen += idx.shape[-1]
        self.last_batch = idx
        return idx

    def __call__(self, theta):
        """gₜ at θ (d,), or at K chains θ (K, d), each with its own mini-batch."""
        theta = np.asarray(theta, dtype=np.float64)
        if theta.ndim not in (1, 2):
            raise ValueError(f"θ must have shape (d,), or (K, d) for K chains, got {theta.shape}")
        idx = self.next_batch(None if theta.ndim == 1 else theta.shape[0])
        return np.asarray(self.per_example_grad(theta, idx)).mean(axis=-2)  # gₜ = (1/B) Σ_{i∈Sₜ} ∇ℓᵢ

    def __repr__(self):
        sampling = "with replacement" if self.replace else "without replacement"
        return f"MinibatchGradient(N={self.n}, B={self.batch_size}, {sampling}, seed={self.seed})"


def minibatch_gradient(source, batch_size, seed=0, replace=False, n=None, drop_last=False):
    """A `MinibatchGradient` over a problem's examples.

    source: a `problems.Problem` (anything with `per_example_grad(θ, idx)` and `n`), or a function
        per_example_grad(θ, idx) -> (len(idx), d) together with `n`, the number of examples.
    """
    if hasattr(source, "per_example_grad") and hasattr(source, "n"):
        if n is not None and n != source.n:
            raise ValueError(f"n = {n!r} contradicts the problem's N = {source.n}; leave n out for a problem")
        return MinibatchGradient(source.per_example_grad, source.n, batch_size, seed, replace, drop_last)
    if not callable(source):
        raise ValueError(
            f"source must be a Problem or a function per_example_grad(θ, idx), got {type(source).__name__}"
        )
    if n is None:
        raise ValueError("n (the number of examples) is needed when source is a function")
    return MinibatchGradient(source, n, batch_size, seed, replace, drop_last)


class NoisyGradient:
    """gₜ = ∇f(θ) + σξₜ with ξₜ ~ N(0, I) of θ's shape: additive Gaussian gradient noise."""

    def __init__(self, grad, sigma, seed=0):
        if not callable(grad):
            raise ValueError("grad must be callable as grad(θ) -> ∇f(θ)")
        self.grad = grad
        self.sigma = non_negative("sigma (σ)", sigma)
        self.seed = integer("seed", seed, 0)
        self.reset()

    def reset(self):
        """Rewind: the next calls replay the same noise."""
        self._rng = np.random.default_rng(self.seed)

    def __call__(self, theta):
        g = np.asarray(self.grad(theta), dtype=np.float64)
        return g + self.sigma * self._rng.standard_normal(g.shape)  # gₜ = ∇f(θ) + σξₜ

    def __repr__(self):
        return f"NoisyGradient(σ={self.sigma:g}, seed={self.seed})"


def noisy(grad, sigma, seed=0):
    """`grad` plus isotropic Gaussian noise of standard deviation σ per coordinate (for 2-D surfaces)."""
    return NoisyGradient(grad, sigma, seed)


def minibatch_variance(sigma2, batch_size, n, replace=False):
    """E‖gₜ − ∇L‖², the variance of a mini-batch gradient of B out of N examples.

    With replacement σ²/B; without replacement σ²/B · (N − B)/(N − 1), the finite-population
    correction, which is 0 at B = N.
    """
    sigma2 = non_negative("sigma2 (σ²)", sigma2)
    n = integer("n (N, the number of examples)", n, 1)
    replace = flag("replace", replace)
    batch_size = integer("batch_size (B)", batch_size, 1, None if replace else n)
    if replace:
        return sigma2 / batch_size  # σ²/B
    if n == 1:
        return 0.0
    return sigma2 / batch_size * (n - batch_size) / (n - 1)  # σ²/B · (N − B)/(N − 1)
