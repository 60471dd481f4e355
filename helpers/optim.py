"""Optimizers as pure (init, update) pairs, with PyTorch's exact semantics.

    opt = sgd(lr=0.1, momentum=0.9)
    state = opt.init(params)
    params, state = opt.update(params, grad, state)           # inputs are never mutated
    params, state = opt.update(params, grad, state, lr=0.05)  # a per-step override (schedules)

`torch.optim.<Class>([p], **opt.hparams)` is each optimizer's exact twin
(`opt.torch_class`), so the tests compare every step and every state buffer with it.
The rules run on numpy arrays and on torch tensors alike.

Notation (the table in notebook 00): θ parameters, gₜ gradient at step t, η learning
rate, μ momentum, τ dampening, ω weight decay, ρ RMSprop's decay (torch's `alpha`),
β₁ β₂ Adam's decay rates, mₜ vₜ first and second moment estimates, ε the term that
keeps a denominator away from zero (always outside the square root, as in torch).
"""

import math
from collections.abc import Callable
from functools import partial
from typing import Any, NamedTuple

import numpy as np

from helpers._backend import as_array, is_tensor, namespace
from helpers._checks import flag, integer, non_negative, positive, unit_interval

# Hyperparameters a schedule may change from one step to the next.
SCHEDULABLE = ("lr", "momentum", "dampening", "weight_decay", "betas", "eps", "alpha", "lr_decay")


class Hyperparameters(dict):
    """An optimizer's hyperparameters, read-only: its rule closed over these values when it was built,
    so an edited copy here would print one η while the rule steps with another."""

    def _read_only(self, *args, **kwargs):
        raise TypeError(
            "an optimizer's hyperparameters are read-only: build a new optimizer (e.g. optim.sgd(lr=1.0)) "
            "or override one per step (update(params, grad, state, lr=1.0))"
        )

    __setitem__ = __delitem__ = __ior__ = clear = pop = popitem = setdefault = update = _read_only

    def __reduce__(self):  # copy and pickle rebuild it whole instead of item by item
        return type(self), (dict(self),)


class Optimizer(NamedTuple):
    """An optimizer: a name, a pure (init, update) pair and torch's keyword arguments."""

    name: str
    init: Callable
    update: Callable
    hparams: Hyperparameters  # exactly the keyword arguments of the torch twin
    torch_name: Any  # the torch.optim class name, or None where torch has no twin
    bias_correction: bool = True  # Adam's 1/(1 − βᵗ) factors; False only for the variant without them

    @property
    def torch_class(self):
        """The torch.optim class that `hparams` configure, or None (imports torch on first use)."""
        if self.torch_name is None:
            return None
        import torch

        return getattr(torch.optim, self.torch_name)

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in self.hparams.items())
        return f"{self.name}({args})"


class SGDState(NamedTuple):
    momentum_buffer: Any  # b; None until the first step taken with μ > 0, as in torch


class AdagradState(NamedTuple):
    step: int
    sum: Any  # Gₜ, the running sum of squared gradients


class RMSpropState(NamedTuple):
    step: int
    square_avg: Any  # vₜ, the moving average of gₜ²
    momentum_buffer: Any  # b, only with μ > 0
    grad_avg: Any  # ḡₜ, the moving average of gₜ, only when centered


class AdamState(NamedTuple):
    step: int
    exp_avg: Any  # mₜ
    exp_avg_sq: Any  # vₜ
    max_exp_avg_sq: Any  # max over s ≤ t of v_s, only with AMSGrad


# --------------------------------------------------------------------------- checks


def _betas(betas):
    if not isinstance(betas, (tuple, list)) or len(betas) != 2:
        raise ValueError(f"betas must be a pair (β₁, β₂), got {betas!r}")
    unit_interval("betas[0] (β₁)", betas[0])
    unit_interval("betas[1] (β₂)", betas[1])
    return (float(betas[0]), float(betas[1]))


# Each hyperparameter's range, the same in every optimizer that has it.
_HYPERPARAMETER_CHECKS = {
    "lr": partial(non_negative, "lr (η)"),
    "lr_decay": partial(non_negative, "lr_decay"),
    "momentum": partial(unit_interval, "momentum (μ)"),
    "dampening": partial(unit_interval, "dampening (τ)", closed=True),
    "nesterov": partial(flag, "nesterov"),
    "alpha": partial(unit_interval, "alpha (ρ)"),
    "centered": partial(flag, "centered"),
    "betas": _betas,
    "amsgrad": partial(flag, "amsgrad"),
    "eps": partial(positive, "eps (ε)"),
    "weight_decay": partial(non_negative, "weight_decay (ω)"),
    "initial_accumulator_value": partial(non_negative, "initial_accumulator_value"),
}


def _optimizer(name, torch_name, hparams, init, step, state_type, joint_check=None, bias_correction=True):
    """The Optimizer of the rule `step`, its hyperparameters checked now and whenever a step overrides them.

    Each hyperparameter is checked against its range, in the order of `hparams`; `joint_check(h)` adds
    what ties several together. The betas are kept as a pair of floats, as torch keeps them.
    """

    def validate(h):
        for key, value in h.items():
            _HYPERPARAMETER_CHECKS[key](value)
        if joint_check is not None:
            joint_check(h)

    validate(hparams)
    flag("bias_correction", bias_correction)
    if "betas" in hparams:
        hparams = {**hparams, "betas": _betas(hparams["betas"])}
    update = _pure_update(hparams, validate, step, state_type)
    return Optimizer(name, init, update, Hyperparameters(hparams), torch_name, bias_correction)


def _pure_update(hparams, validate, step, state_type):
    """Wrap `step(params, grad, state, h)` with override handling and checks of what it is given."""

    def update(params, grad, state, **overrides):
        if not isinstance(state, state_type):
            raise ValueError(f"state must be the {state_type.__name__} that init(params) returns, got {state!r}")
        if is_tensor(params) != is_tensor(grad):
            kinds = {True: "a torch tensor", False: "a numpy array"}
            raise ValueError(
                f"params and grad must both be numpy arrays or both torch tensors; got params as "
                f"{kinds[is_tensor(params)]} and grad as {kinds[is_tensor(grad)]}"
            )
        if is_tensor(params) and grad.dtype != params.dtype:
            raise ValueError(
                f"grad has dtype {grad.dtype} but params have dtype {params.dtype}; convert the grad "
                f"to the params' dtype"
            )
        h = hparams
        if overrides:
            unknown = sorted(set(overrides) - (set(hparams) & set(SCHEDULABLE)))
            if unknown:
                allowed = ", ".join(k for k in SCHEDULABLE if k in hparams)
                raise ValueError(f"cannot override {', '.join(unknown)} per step; allowed: {allowed}")
            h = {**hparams, **overrides}
            validate(h)
        params, grad = as_array(params), as_array(grad)
        if tuple(grad.shape) != tuple(params.shape):
            raise ValueError(
                f"grad has shape {tuple(grad.shape)} but params have shape {tuple(params.shape)}; they must match"
            )
        return step(params, grad, state, h)

    return update


def _initial_state(state_type, params, **buffers):
    """`state_type` at step 0: each buffer shaped like `params` and filled with its value, or None where its
    value is None (a buffer the options leave out)."""
    params = as_array(params)
    xp = namespace(params)
    filled = {name: None if value is None else xp.full_like(params, float(value)) for name, value in buffers.items()}
    return state_type(step=0, **filled)


def _copy(x):
    return x.clone() if is_tensor(x) else np.array(x, copy=True)


# --------------------------------------------------------------------------- SGD


def sgd(lr=0.1, momentum=0.0, dampening=0.0, nesterov=False, weight_decay=0.0):
    """Gradient descent with optional heavy-ball or Nesterov momentum (torch.optim.SGD)."""
    hparams = dict(lr=lr, momentum=momentum, dampening=dampening, weight_decay=weight_decay, nesterov=nesterov)

    def nesterov_check(h):
        if h["nesterov"] and (h["momentum"] <= 0 or h["dampening"] != 0):
            raise ValueError("nesterov=True needs momentum (μ) > 0 and dampening (τ) = 0")

    def init(params):
        return SGDState(momentum_buffer=None)

    def step(params, grad, state, h):
        lr, mu, tau, omega = h["lr"], h["momentum"], h["dampening"], h["weight_decay"]
        g = grad
        if omega != 0:
            g = g + omega * params  # gₜ ← gₜ + ωθₜ₋₁  (L2 penalty ½ω‖θ‖² folded into the gradient)
        buf = state.momentum_buffer
        if mu != 0:
            if buf is None:
                buf = _copy(g)  # b₁ = g₁: the first buffer is the gradient itself
            else:
                buf = mu * buf + (1 - tau) * g  # bₜ = μbₜ₋₁ + (1 − τ)gₜ
            g = g + mu * buf if h["nesterov"] else buf  # Nesterov: gₜ + μbₜ; heavy ball: bₜ
        return params - lr * g, SGDState(momentum_buffer=buf)  # θₜ = θₜ₋₁ − η·(direction)

    return _optimizer("sgd", "SGD", hparams, init, step, SGDState, joint_check=nesterov_check)


# --------------------------------------------------------------------------- AdaGrad


def adagrad(lr=0.01, lr_decay=0.0, weight_decay=0.0, initial_accumulator_value=0.0, eps=1e-10):
    """Per-coordinate steps η/√(sum of past gₜ²) (Duchi et al. 2011; torch.optim.Adagrad)."""
    hparams = dict(
        lr=lr,
        lr_decay=lr_decay,
        weight_decay=weight_decay,
        initial_accumulator_value=initial_accumulator_value,
        eps=eps,
    )

    def init(params):
        return _initial_state(AdagradState, params, sum=initial_accumulator_value)  # G₀

    def step(params, grad, state, h):
        xp = namespace(params)
        t = state.step + 1
        g = grad + h["weight_decay"] * params if h["weight_decay"] != 0 else grad  # gₜ ← gₜ + ωθₜ₋₁
        lr_t = h["lr"] / (1 + (t - 1) * h["lr_decay"])  # ηₜ = η / (1 + (t − 1)·decay)
        total = state.sum + g * g  # Gₜ = Gₜ₋₁ + gₜ²
        params = params - lr_t * (g / (xp.sqrt(total) + h["eps"]))  # θₜ = θₜ₋₁ − ηₜ gₜ / (√Gₜ + ε)
        return params, AdagradState(step=t, sum=total)

    return _optimizer("adagrad", "Adagrad", hparams, init, step, AdagradState)


# --------------------------------------------------------------------------- RMSprop


def rmsprop(lr=0.01, alpha=0.99, eps=1e-8, weight_decay=0.0, momentum=0.0, centered=False):
    """Divide by a moving root-mean-square of the gradient (Hinton 2012; torch.optim.RMSprop).

    torch calls the decay rate ρ `alpha`. There is no bias correction: v₁ = (1 − ρ)g₁²,
    so the first steps are larger than later ones (about 10× at t = 1 for ρ = 0.99).
    """
    hparams = dict(lr=lr, alpha=alpha, eps=eps, weight_decay=weight_decay, momentum=momentum, centered=centered)

    def init(params):
        return _initial_state(
            RMSpropState,
            params,
            square_avg=0,
            momentum_buffer=0 if momentum > 0 else None,
            grad_avg=0 if centered else None,
        )

    def step(params, grad, state, h):
        xp = namespace(params)
        rho, mu, eps = h["alpha"], h["momentum"], h["eps"]
        g = grad + h["weight_decay"] * params if h["weight_decay"] != 0 else grad  # gₜ ← gₜ + ωθₜ₋₁
        v = rho * state.square_avg + (1 - rho) * g * g  # vₜ = ρvₜ₋₁ + (1 − ρ)gₜ²
        grad_avg = state.grad_avg
        if h["centered"]:
            grad_avg = rho * grad_avg + (1 - rho) * g  # ḡₜ = ρḡₜ₋₁ + (1 − ρ)gₜ
            denom = xp.sqrt(v - grad_avg * grad_avg) + eps  # √(vₜ − ḡₜ²) + ε: a variance estimate
        else:
            denom = xp.sqrt(v) + eps  # √vₜ + ε
        buf = state.momentum_buffer
        if mu > 0:
            if buf is None:
                buf = xp.zeros_like(params)
            buf = mu * buf + g / denom  # bₜ = μbₜ₋₁ + gₜ/(√vₜ + ε)
            params = params - h["lr"] * buf  # θₜ = θₜ₋₁ − ηbₜ
        else:
            params = params - h["lr"] * (g / denom)  # θₜ = θₜ₋₁ − η gₜ/(√vₜ + ε)
        return params, RMSpropState(step=state.step + 1, square_avg=v, momentum_buffer=buf, grad_avg=grad_avg)

    return _optimizer("rmsprop", "RMSprop", hparams, init, step, RMSpropState)


# --------------------------------------------------------------------------- Adam, AdamW


def _adam_family(name, torch_name, lr, betas, eps, weight_decay, amsgrad, decoupled, bias_correction):
    hparams = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, amsgrad=amsgrad)

    def init(params):
        return _initial_state(AdamState, params, exp_avg=0, exp_avg_sq=0, max_exp_avg_sq=0 if amsgrad else None)

    def step(params, grad, state, h):
        xp = namespace(params)
        lr, omega, eps = h["lr"], h["weight_decay"], h["eps"]
        beta1, beta2 = h["betas"]
        t = state.step + 1
        g = grad
        if decoupled:
            params = params * (1 - lr * omega)  # θ ← θ(1 − ηω): decay the weights, not the gradient
        elif omega != 0:
            g = g + omega * params  # gₜ ← gₜ + ωθₜ₋₁: L2, which then gets divided by √v̂ₜ
        m = beta1 * state.exp_avg + (1 - beta1) * g  # mₜ = β₁mₜ₋₁ + (1 − β₁)gₜ
        v = beta2 * state.exp_avg_sq + (1 - beta2) * g * g  # vₜ = β₂vₜ₋₁ + (1 − β₂)gₜ²
        v_max = state.max_exp_avg_sq
        if h["amsgrad"]:
            v_max = xp.maximum(v_max, v)  # v_maxₜ = max(v_maxₜ₋₁, vₜ), taken before the correction
        v_used = v_max if h["amsgrad"] else v
        if bias_correction:
            correction1, correction2 = 1 - beta1**t, 1 - beta2**t
        else:
            correction1 = correction2 = 1.0
        m_hat = m / correction1  # m̂ₜ = mₜ / (1 − β₁ᵗ)
        denom = xp.sqrt(v_used) / math.sqrt(correction2) + eps  # √v̂ₜ + ε, with v̂ₜ = vₜ / (1 − β₂ᵗ)
        params = params - lr * (m_hat / denom)  # θₜ = θₜ₋₁ − η m̂ₜ / (√v̂ₜ + ε)
        return params, AdamState(step=t, exp_avg=m, exp_avg_sq=v, max_exp_avg_sq=v_max)

    return _optimizer(name, torch_name, hparams, init, step, AdamState, bias_correction=bias_correction)


def adam(lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, amsgrad=False, bias_correction=True):
    """Adam (Kingma & Ba 2015; torch.optim.Adam); weight_decay is the coupled L2 penalty.

    `bias_correction=False` drops the 1/(1 − βᵗ) factors, as some write-ups do; that variant
    has no torch twin (`torch_class` is None) and takes steps ≈ 3.2× too large at t = 1.
    """
    return _adam_family(
        "adam",
        "Adam" if bias_correction else None,
        lr,
        betas,
        eps,
        weight_decay,
        amsgrad,
        decoupled=False,
        bias_correction=bias_correction,
    )


def adamw(lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2, amsgrad=False):
    """Adam with decoupled weight decay θ ← θ(1 − ηω) (Loshchilov & Hutter 2019; torch.optim.AdamW)."""
    return _adam_family("adamw", "AdamW", lr, betas, eps, weight_decay, amsgrad, decoupled=True, bias_correction=True)


FACTORIES = {"sgd": sgd, "adagrad": adagrad, "rmsprop": rmsprop, "adam": adam, "adamw": adamw}


def get(name, **hparams):
    """Build an optimizer by name, e.g. ``get("adam", lr=0.1)``."""
    if name not in FACTORIES:
        raise ValueError(f"unknown optimizer {name!r}; choose one of {', '.join(FACTORIES)}")
    return FACTORIES[name](**hparams)


# --------------------------------------------------------------------------- trajectories


class Trajectory(NamedTuple):
    """The points an optimizer visited.

    path: (k + 1, d) for one start, path[0] the start; or (steps + 1, N, d) for N starts.
    diverged_at: the step whose result was non-finite or beyond the bound, else -1;
    an int array of shape (N,) for N starts.
    """

    path: np.ndarray
    diverged_at: Any

    @property
    def diverged(self):
        return np.asarray(self.diverged_at) >= 0

    @property
    def final(self):
        return self.path[-1]


def run(opt, grad_fn, start, steps, schedule=None, project=None, bound=1e6):
    """Run `opt` from `start` for `steps` steps of `grad_fn(θ) -> g`.

    start: one point (d,) or a batch (N, d) of starts, updated in one vectorized call.
    schedule(t) -> dict of per-step overrides (η, μ, betas, …) for step t = 0, 1, …
    project(θ) -> θ runs after every step (a constraint set, or a proximal step).
    A `grad_fn` with a `reset()` method (a stochastic gradient) is reset first, so every
    run replays the same noise.

    Divergence is a result, not an error: a step that leaves the finite numbers or the box
    |θᵢ| ≤ bound ends a single run (the path keeps the finite prefix); in a batch each
    diverged row freezes at its last finite point. `diverged_at` says at which step.
    """
    if not isinstance(opt, Optimizer):
        raise ValueError(f"opt must be an Optimizer (e.g. optim.sgd(lr=0.1)), got {type(opt).__name__}")
    steps = integer("steps", steps, 0)
    positive("bound", bound)
    theta = np.array(start, dtype=np.float64)
    if theta.ndim not in (1, 2) or theta.shape[-1] == 0:
        raise ValueError(f"start must have shape (d,) or (N, d), got {theta.shape}")
    if not np.isfinite(theta).all():
        raise ValueError("start must be finite")
    reset = getattr(grad_fn, "reset", None)
    if callable(reset):
        reset()
    state = opt.init(theta)
    with np.errstate(all="ignore"):  # overflow on the way to divergence is expected, not a warning
        if theta.ndim == 1:
            return _run_single(opt, grad_fn, theta, state, steps, schedule, project, bound)
        return _run_batch(opt, grad_fn, theta, state, steps, schedule, project, bound)


def _step(opt, grad_fn, theta, state, t, schedule, project):
    overrides = schedule(t) if schedule is not None else {}
    if not isinstance(overrides, dict):
        raise ValueError(
            f"schedule(t) must return a dict of per-step overrides such as {{'lr': 0.1}}; "
            f"at t = {t} it returned {overrides!r}"
        )
    theta, state = opt.update(theta, np.asarray(grad_fn(theta), dtype=np.float64), state, **overrides)
    if project is not None:
        projected = np.asarray(project(theta), dtype=np.float64)
        if projected.shape != theta.shape:
            raise ValueError(
                f"project(θ) must return an array of θ's shape {theta.shape}; at step {t} it "
                f"returned shape {projected.shape}"
            )
        theta = projected
    return theta, state


def _run_single(opt, grad_fn, theta, state, steps, schedule, project, bound):
    path = [theta]
    for t in range(steps):
        theta, state = _step(opt, grad_fn, theta, state, t, schedule, project)
        if not (np.isfinite(theta).all() and np.abs(theta).max() <= bound):
            return Trajectory(np.array(path), t + 1)
        path.append(theta)
    return Trajectory(np.array(path), -1)


def _run_batch(opt, grad_fn, theta, state, steps, schedule, project, bound):
    path = np.empty((steps + 1, *theta.shape))
    path[0] = theta
    diverged_at = np.full(theta.shape[0], -1)
    for t in range(steps):
        new, state = _step(opt, grad_fn, theta, state, t, schedule, project)
        bad = ~(np.isfinite(new).all(axis=-1) & (np.abs(new) <= bound).all(axis=-1))
        diverged_at[bad & (diverged_at < 0)] = t + 1
        frozen = diverged_at >= 0
        new[frozen] = theta[frozen]
        theta = path[t + 1] = new
    return Trajectory(path, diverged_at)
