"""Learning-rate schedules as pure functions of the step, with PyTorch's exact values.

    sched = schedules.cosine_annealing_lr(lr=0.1, T_max=100)
    sched(t)        # {"lr": ηₜ}: the overrides for step t = 0, 1, …
    sched.lr(t)     # ηₜ alone
    sched.lrs(200)  # η₀ … η₁₉₉ as an array, for plots
    optim.run(opt, grad_fn, start, steps=200, schedule=sched)

Step t is the t-th optimizer step, counted from 0: `sched(t)` holds the hyperparameters that torch's
param_groups hold during the (t + 1)-th `optimizer.step()` when `scheduler.step()` follows each one.
`one_cycle_lr` also cycles μ (SGD, RMSprop) or β₁ (Adam, AdamW): its overrides carry "momentum" or
"betas". `reduce_on_plateau` depends on the metrics seen so far rather than on t, so it is a function of
that history instead.

Closed forms versus torch's recursions. Several torch schedulers update the lr multiplicatively from the
value in the param group (ExponentialLR multiplies by γ at each step, LinearLR and CosineAnnealingLR by a
ratio of consecutive factors), and only use the closed form when `step(epoch)` is called with an epoch.
In exact arithmetic the recursions telescope to the closed forms used here, so the two differ only by
rounding, which the tests bound at 1e-12 relative over hundreds of steps.

CosineAnnealingLR beyond T_max deserves a closer look. Its recursion divides by 1 + cos(π(t − 1)/T), which
is zero at t − 1 = T, 3T, 5T, …; at those steps torch adds ½(η₀ − η_min)(1 − cos(π/T)) instead, and
1 − cos(π/T) = 1 + cos(π(T + 1)/T), so this too equals the closed form: the lr climbs back to η₀ at t = 2T
and keeps oscillating with period 2T (no clamping at η_min). What differs is rounding: the value stored at
t = T + 1 is η_min plus a tiny increment, and the rounding of that sum becomes a relative error of about
u·η_min / (½(η₀ − η_min)(1 − cos(π/T))) ≈ u·(2T²/π²)·η_min/(η₀ − η_min) in ηₜ − η_min, u = 2⁻⁵³, which the
recursion then carries through the whole rising half-cycle. Measured with η_min = η₀/2, the worst relative
difference between torch's lr and the closed form is 3e-14 at T = 100, 1e-12 at T = 300 and 4e-12 at
T = 1000; with η_min = 0 it stays below 1e-14. The closed form is the schedule; torch's values drift from it
by that much, and the tests check both the 1e-12 agreement and the size of the drift.
"""

import inspect
import math
from collections.abc import Callable
from typing import NamedTuple

import numpy as np

from helpers._checks import choice, flag, integer, real


class Schedule(NamedTuple):
    """A hyperparameter schedule: `schedule(t)` is the dict of overrides for step t = 0, 1, …

    It plugs into `optim.run(..., schedule=schedule)`; `lr(t)` gives ηₜ alone.
    """

    name: str
    lr: Callable
    """lr(t) → ηₜ, the learning rate used at step t."""
    overrides: Callable
    """overrides(t) → {"lr": ηₜ, …}, what `optim.run` passes to `opt.update` at step t."""
    hparams: dict

    def __call__(self, t):
        return self.overrides(t)

    def lrs(self, steps):
        """η₀, …, η_{steps−1} as a float64 array."""
        return np.array([self.lr(t) for t in range(integer("steps", steps, 0))], dtype=np.float64)

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in self.hparams.items())
        return f"{self.name}({args})"


# --------------------------------------------------------------------------- checks


def _increasing(name, values, minimum):
    """A strictly increasing list of integers ≥ `minimum`."""
    if isinstance(values, (str, bytes)) or not hasattr(values, "__iter__"):
        raise ValueError(f"{name} must be a list of integers, got {values!r}")
    values = [integer(f"{name}[{i}]", v, minimum) for i, v in enumerate(values)]
    if any(b <= a for a, b in zip(values, values[1:])):
        raise ValueError(f"{name} must be strictly increasing, got {values!r}")
    return values


def _lr_only(name, hparams, lr_at):
    """A Schedule whose overrides are just {"lr": ηₜ}; t is checked once, here."""

    def lr(t):
        return lr_at(integer("t (the step)", t, 0))

    return Schedule(name, lr, lambda t: {"lr": lr(t)}, hparams)


# --------------------------------------------------------------------------- decays


def constant(lr):
    """ηₜ = η₀: the baseline every schedule is compared with."""
    lr = real("lr (η)", lr, 0.0)
    return _lr_only("constant", dict(lr=lr), lambda t: lr)


def step_lr(lr, step_size, gamma=0.1):
    """Multiply η by γ every `step_size` steps (torch StepLR)."""
    lr = real("lr (η)", lr, 0.0)
    step_size = integer("step_size", step_size, 1)
    gamma = real("gamma (γ)", gamma, 0.0, low_open=True)
    return _lr_only(
        "step_lr",
        dict(lr=lr, step_size=step_size, gamma=gamma),
        lambda t: lr * gamma ** (t // step_size),  # ηₜ = η₀ γ^⌊t/s⌋
    )


def multi_step_lr(lr, milestones, gamma=0.1):
    """Multiply η by γ at each milestone step (torch MultiStepLR)."""
    lr = real("lr (η)", lr, 0.0)
    milestones = _increasing("milestones", milestones, 1)
    gamma = real("gamma (γ)", gamma, 0.0, low_open=True)

    def lr_at(t):
        passed = int(np.searchsorted(milestones, t, side="right"))  # #{m ∈ milestones : m ≤ t}
        return lr * gamma**passed  # ηₜ = η₀ γ^#{m ≤ t}

    return _lr_only("multi_step_lr", dict(lr=lr, milestones=milestones, gamma=gamma), lr_at)


def exponential_lr(lr, gamma):
    """Multiply η by γ at every step (torch ExponentialLR)."""
    lr = real("lr (η)", lr, 0.0)
    gamma = real("gamma (γ)", gamma, 0.0, low_open=True)
    return _lr_only("exponential_lr", dict(lr=lr, gamma=gamma), lambda t: lr * gamma**t)  # ηₜ = η₀ γᵗ


def cosine_annealing_lr(lr, T_max, eta_min=0.0):
    """Half a cosine from η₀ down to η_min over T_max steps (torch CosineAnnealingLR, SGDR without restarts).

    Past T_max the cosine goes on: η climbs back to η₀ at 2·T_max, as torch's does (see the module notes
    on how torch's recursion rounds).
    """
    lr = real("lr (η)", lr, 0.0)
    T_max = integer("T_max", T_max, 1)
    eta_min = real("eta_min (η_min)", eta_min, 0.0)

    def lr_at(t):
        cosine = 1 + math.cos(math.pi * t / T_max)  # 1 + cos(πt/T)
        return eta_min + (lr - eta_min) * cosine / 2  # ηₜ = η_min + ½(η₀ − η_min)(1 + cos(πt/T))

    return _lr_only("cosine_annealing_lr", dict(lr=lr, T_max=T_max, eta_min=eta_min), lr_at)


def linear_lr(lr, start_factor=1.0 / 3, end_factor=1.0, total_iters=5):
    """Scale η by a factor going linearly from `start_factor` to `end_factor` in `total_iters` steps (torch LinearLR).

    With start_factor < end_factor = 1 this is linear warm-up: a small η while Adam's second moments
    and the momentum buffers are still unreliable.
    """
    lr = real("lr (η)", lr, 0.0)
    start_factor = real("start_factor", start_factor, 0.0, 1.0, low_open=True)
    end_factor = real("end_factor", end_factor, 0.0, 1.0)
    total_iters = integer("total_iters", total_iters, 1)

    def lr_at(t):
        factor = start_factor + (end_factor - start_factor) * min(total_iters, t) / total_iters  # fₜ, linear to t = T
        return lr * factor  # ηₜ = η₀·fₜ, fₜ = f₀ + (f₁ − f₀)·min(t, T)/T

    hparams = dict(lr=lr, start_factor=start_factor, end_factor=end_factor, total_iters=total_iters)
    return _lr_only("linear_lr", hparams, lr_at)


# --------------------------------------------------------------------------- composition


def sequential_lr(schedules, milestones):
    """Run `schedules[i]` from step milestones[i − 1] on, each restarted at its own t = 0 (torch SequentialLR).

    torch's twin gives every scheduler the optimizer's initial lr; give every schedule the same `lr` to
    match it. Overrides other than the lr (a cycled momentum) pass through.
    """
    if not isinstance(schedules, (list, tuple)) or not schedules or not all(isinstance(s, Schedule) for s in schedules):
        raise ValueError(f"schedules must be a non-empty list of Schedule, got {schedules!r}")
    milestones = _increasing("milestones", milestones, 1)
    if len(milestones) != len(schedules) - 1:
        raise ValueError(
            f"milestones must have one entry fewer than schedules: got {len(milestones)} milestones "
            f"for {len(schedules)} schedules"
        )
    schedules, starts = list(schedules), [0, *milestones]

    def active(t):
        t = integer("t (the step)", t, 0)
        i = int(np.searchsorted(milestones, t, side="right"))  # the schedule whose segment holds t
        return schedules[i], t - starts[i]

    def lr(t):
        schedule, local = active(t)
        return schedule.lr(local)

    def overrides(t):
        schedule, local = active(t)
        return schedule(local)

    return Schedule("sequential_lr", lr, overrides, dict(schedules=schedules, milestones=milestones))


def warmup_cosine(lr, warmup_steps, total_steps, start_factor=0.1, eta_min=0.0):
    """Linear warm-up from start_factor·η₀ to η₀ in `warmup_steps`, then cosine annealing to η_min at `total_steps`.

    torch's twin: SequentialLR([LinearLR(start_factor, 1.0, warmup_steps),
    CosineAnnealingLR(T_max=total_steps − warmup_steps, eta_min)], milestones=[warmup_steps]).
    """
    warmup_steps = integer("warmup_steps", warmup_steps, 1)
    total_steps = integer("total_steps", total_steps, 1)
    if total_steps <= warmup_steps:
        raise ValueError(f"total_steps must exceed warmup_steps ({warmup_steps}), got {total_steps}")
    warmup = linear_lr(lr, start_factor, 1.0, warmup_steps)
    anneal = cosine_annealing_lr(lr, total_steps - warmup_steps, eta_min)
    combined = sequential_lr([warmup, anneal], [warmup_steps])
    hparams = dict(
        lr=warmup.hparams["lr"],
        warmup_steps=warmup_steps,
        total_steps=total_steps,
        start_factor=warmup.hparams["start_factor"],
        eta_min=anneal.hparams["eta_min"],
    )
    return combined._replace(name="warmup_cosine", hparams=hparams)


# --------------------------------------------------------------------------- 1cycle


def _anneal_cos(start, end, pct):
    return end + (start - end) / 2.0 * (math.cos(math.pi * pct) + 1)  # end + ½(start − end)(1 + cos πp)


def _anneal_linear(start, end, pct):
    return (end - start) * pct + start  # start + (end − start)·p


def one_cycle_lr(
    max_lr,
    total_steps,
    pct_start=0.3,
    anneal_strategy="cos",
    cycle_momentum=True,
    base_momentum=0.85,
    max_momentum=0.95,
    div_factor=25.0,
    final_div_factor=1e4,
    three_phase=False,
    momentum_key="momentum",
    beta2=0.999,
):
    """The 1cycle policy (Smith & Topin 2017; torch OneCycleLR): η up to max_lr, then far below where it began.

    Two phases (fastai's default): η rises from η_max/div_factor to η_max over the first pct_start of the
    steps, then anneals to η_max/(div_factor·final_div_factor). With three_phase, η comes back down to
    its start symmetrically before the final annealing (the original paper).

    With cycle_momentum, μ moves the opposite way between max_momentum and base_momentum: large steps
    get less momentum. `momentum_key` says where μ goes: "momentum" for SGD and RMSprop, or "betas" for
    Adam and AdamW, as (β₁ = μₜ, beta2), which is what torch does to an optimizer with `betas`.

    The schedule is defined for t = 0 … total_steps (torch raises beyond that, and so does this). Steps
    0 … total_steps − 1 match torch exactly. At t = total_steps, one step past the end of the last phase,
    torch extrapolates that phase (with linear annealing, to a negative η); here the phase's fraction is
    clamped to 1, so η and μ stay at their final values.
    """
    max_lr = real("max_lr", max_lr, 0.0)
    total_steps = integer("total_steps", total_steps, 1)
    pct_start = real("pct_start", pct_start, 0.0, 1.0, low_open=True, high_open=True)
    anneal = {"cos": _anneal_cos, "linear": _anneal_linear}[
        choice("anneal_strategy", anneal_strategy, ("cos", "linear"))
    ]
    cycle_momentum = flag("cycle_momentum", cycle_momentum)
    three_phase = flag("three_phase", three_phase)
    base_momentum = real("base_momentum", base_momentum, 0.0, 1.0, high_open=True)
    max_momentum = real("max_momentum", max_momentum, 0.0, 1.0, high_open=True)
    div_factor = real("div_factor", div_factor, 0.0, low_open=True)
    final_div_factor = real("final_div_factor", final_div_factor, 0.0, low_open=True)
    choice("momentum_key", momentum_key, ("momentum", "betas"))
    beta2 = real("beta2 (β₂)", beta2, 0.0, 1.0, high_open=True)

    initial_lr = max_lr / div_factor  # η_start = η_max / div_factor
    min_lr = initial_lr / final_div_factor  # η_end = η_start / final_div_factor
    warm_end = float(pct_start * total_steps) - 1  # the last step of the rise (fractional, as in torch)
    if warm_end <= 0:
        raise ValueError(
            f"pct_start · total_steps must exceed 1 so that η has a step to rise in; got "
            f"{pct_start} · {total_steps} = {pct_start * total_steps:g}"
        )
    if three_phase:
        phases = [
            (warm_end, initial_lr, max_lr, max_momentum, base_momentum),
            (float(2 * pct_start * total_steps) - 2, max_lr, initial_lr, base_momentum, max_momentum),
            (total_steps - 1, initial_lr, min_lr, max_momentum, max_momentum),
        ]
    else:
        phases = [
            (warm_end, initial_lr, max_lr, max_momentum, base_momentum),
            (total_steps - 1, max_lr, min_lr, base_momentum, max_momentum),
        ]
    if three_phase and phases[2][0] <= phases[1][0]:
        raise ValueError(
            f"with three_phase, pct_start must be below (total_steps + 1) / (2 · total_steps) = "
            f"{(total_steps + 1) / (2 * total_steps):g} so that the last phase has a step; got {pct_start}"
        )

    def position(t):
        """(phase, fraction p of it done) at step t, as torch finds them."""
        t = integer("t (the step)", t, 0)
        if t > total_steps:
            raise ValueError(f"t (the step) must be ≤ total_steps = {total_steps}, got {t}")
        phase_start = 0.0
        for i, phase in enumerate(phases):
            if t <= phase[0] or i == len(phases) - 1:
                return phase, min((t - phase_start) / (phase[0] - phase_start), 1.0)  # p = (t − start)/(end − start)
            phase_start = phase[0]

    def lr(t):
        (_, lr_from, lr_to, _, _), pct = position(t)
        return anneal(lr_from, lr_to, pct)

    def momentum(t):
        (_, _, _, mu_from, mu_to), pct = position(t)
        return anneal(mu_from, mu_to, pct)

    def overrides(t):
        values = {"lr": lr(t)}
        if cycle_momentum:
            mu = momentum(t)
            values[momentum_key] = (mu, beta2) if momentum_key == "betas" else mu  # β₁ = μₜ
        return values

    hparams = dict(
        max_lr=max_lr,
        total_steps=total_steps,
        pct_start=pct_start,
        anneal_strategy=anneal_strategy,
        cycle_momentum=bool(cycle_momentum),
        base_momentum=base_momentum,
        max_momentum=max_momentum,
        div_factor=div_factor,
        final_div_factor=final_div_factor,
        three_phase=bool(three_phase),
        momentum_key=momentum_key,
        beta2=beta2,
    )
    return Schedule("one_cycle_lr", lr, overrides, hparams)


# --------------------------------------------------------------------------- plateau


def reduce_on_plateau_lrs(
    metrics,
    lr,
    mode="min",
    factor=0.1,
    patience=10,
    threshold=1e-4,
    threshold_mode="rel",
    cooldown=0,
    min_lr=0.0,
    eps=1e-8,
):
    """The lr after each metric in `metrics` (torch ReduceLROnPlateau, one `step(metric)` per entry).

    A metric is an improvement when it beats the best so far by the threshold: in "min" mode
    m < best·(1 − threshold) ("rel") or m < best − threshold ("abs"); "max" mode mirrors it. After more
    than `patience` metrics in a row without one, η ← max(η·factor, min_lr), skipped when that changes η
    by eps or less; then `cooldown` metrics pass in which bad ones are not counted. A NaN metric is never
    an improvement.
    """
    lr = real("lr (η)", lr, 0.0)
    choice("mode", mode, ("min", "max"))
    factor = real("factor", factor, 0.0, 1.0, low_open=True, high_open=True)
    patience = integer("patience", patience, 0)
    threshold = real("threshold", threshold, 0.0)
    choice("threshold_mode", threshold_mode, ("rel", "abs"))
    cooldown = integer("cooldown", cooldown, 0)
    min_lr = real("min_lr", min_lr, 0.0)
    eps = real("eps", eps, 0.0)
    try:
        values = [float(m) for m in metrics]
    except (TypeError, ValueError):
        raise ValueError(f"metrics must be a sequence of real numbers, got {metrics!r}") from None

    def is_better(m, best):
        if mode == "min":
            return m < best * (1.0 - threshold) if threshold_mode == "rel" else m < best - threshold
        return m > best * (threshold + 1.0) if threshold_mode == "rel" else m > best + threshold

    best = math.inf if mode == "min" else -math.inf
    bad_epochs = cooldown_left = 0
    lrs = []
    for m in values:
        if is_better(m, best):
            best, bad_epochs = m, 0
        else:
            bad_epochs += 1
        if cooldown_left > 0:
            cooldown_left -= 1
            bad_epochs = 0  # bad metrics during the cooldown do not count
        if bad_epochs > patience:
            reduced = max(lr * factor, min_lr)  # η ← max(η·factor, η_min)
            if lr - reduced > eps:
                lr = reduced
            cooldown_left, bad_epochs = cooldown, 0
        lrs.append(lr)
    return np.array(lrs, dtype=np.float64)


def reduce_on_plateau(metrics, lr, *args, **kwargs):
    """The lr after the metrics seen so far (torch ReduceLROnPlateau); `lr` itself for no metrics.

    Use it in a training loop as  η = reduce_on_plateau(validation_losses, η₀, patience=3). It takes the
    arguments of `reduce_on_plateau_lrs` (mode, factor, patience, threshold, threshold_mode, cooldown,
    min_lr, eps), with the same defaults.
    """
    lrs = reduce_on_plateau_lrs(metrics, lr, *args, **kwargs)
    return float(lrs[-1]) if len(lrs) else float(lr)


reduce_on_plateau.__signature__ = inspect.signature(reduce_on_plateau_lrs)  # help() shows every option
