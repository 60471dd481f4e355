"""helpers.schedules against torch.optim.lr_scheduler, value by value on random configurations, in float64."""

import math

import numpy as np
import pytest
import torch
from torch.optim import lr_scheduler

from helpers import lr_finder, optim, schedules, surfaces

CONFIGS_PER_SCHEDULE = 20
RTOL = 1e-12


def loguniform(rng, low, high):
    return float(np.exp(rng.uniform(np.log(low), np.log(high))))


def torch_trace(make_scheduler, steps, optimizer="sgd", lr=1.0, **optimizer_kw):
    """What torch's param group holds during each of `steps` optimizer steps: (lrs, momenta, β₁s).

    The scheduler steps after each optimizer step, the documented order.
    """
    p = torch.zeros(1, requires_grad=True)
    opt = {"sgd": torch.optim.SGD, "adam": torch.optim.Adam}[optimizer]([p], lr=lr, **optimizer_kw)
    scheduler = make_scheduler(opt)
    lrs, momenta, beta1s = [], [], []
    group = opt.param_groups[0]
    for t in range(steps):
        lrs.append(float(group["lr"]))
        momenta.append(group.get("momentum", math.nan))
        beta1s.append(group["betas"][0] if "betas" in group else math.nan)
        opt.step()  # no gradient: nothing moves, but torch sees the documented call order
        if t < steps - 1:
            scheduler.step()
    return np.array(lrs), np.array(momenta), np.array(beta1s)


def assert_lrs_match(schedule, expected):
    np.testing.assert_allclose(schedule.lrs(len(expected)), expected, rtol=RTOL, atol=0)


# --------------------------------------------------------------------------- random configurations


def random_step_lr(rng):
    return dict(lr=loguniform(rng, 1e-4, 1.0), step_size=int(rng.integers(1, 60)), gamma=float(rng.uniform(0.05, 1.2)))


def random_multi_step_lr(rng):
    milestones = sorted(rng.choice(np.arange(1, 400), size=int(rng.integers(1, 7)), replace=False).tolist())
    return dict(lr=loguniform(rng, 1e-4, 1.0), milestones=milestones, gamma=float(rng.uniform(0.05, 1.2)))


def random_exponential_lr(rng):
    return dict(lr=loguniform(rng, 1e-4, 1.0), gamma=float(rng.uniform(0.9, 1.01)))


def random_cosine_annealing_lr(rng):
    lr = loguniform(rng, 1e-4, 1.0)
    eta_min = 0.0 if rng.random() < 0.3 else lr * float(rng.uniform(0.0, 0.5))
    return dict(lr=lr, T_max=int(rng.integers(1, 150)), eta_min=eta_min)


def random_linear_lr(rng):
    return dict(
        lr=loguniform(rng, 1e-4, 1.0),
        start_factor=float(rng.uniform(0.01, 1.0)),
        end_factor=float(rng.uniform(0.0, 1.0)),
        total_iters=int(rng.integers(1, 100)),
    )


TORCH_TWINS = {
    "step_lr": (random_step_lr, lambda opt, kw: lr_scheduler.StepLR(opt, kw["step_size"], kw["gamma"])),
    "multi_step_lr": (
        random_multi_step_lr,
        lambda opt, kw: lr_scheduler.MultiStepLR(opt, kw["milestones"], kw["gamma"]),
    ),
    "exponential_lr": (random_exponential_lr, lambda opt, kw: lr_scheduler.ExponentialLR(opt, kw["gamma"])),
    "cosine_annealing_lr": (
        random_cosine_annealing_lr,
        lambda opt, kw: lr_scheduler.CosineAnnealingLR(opt, kw["T_max"], kw["eta_min"]),
    ),
    "linear_lr": (
        random_linear_lr,
        lambda opt, kw: lr_scheduler.LinearLR(opt, kw["start_factor"], kw["end_factor"], kw["total_iters"]),
    ),
}


def steps_for(name, kw):
    """Hundreds of steps; for the cosine, well past T_max (three half-cycles and more)."""
    return 3 * kw["T_max"] + 50 if name == "cosine_annealing_lr" else 400


@pytest.mark.parametrize("name", sorted(TORCH_TWINS))
def test_lr_schedules_match_torch_on_random_configurations(name):
    draw, make_twin = TORCH_TWINS[name]
    rng = np.random.default_rng(sorted(TORCH_TWINS).index(name))
    for _ in range(CONFIGS_PER_SCHEDULE):
        kw = draw(rng)
        schedule = getattr(schedules, name)(**kw)
        lrs, _, _ = torch_trace(lambda opt: make_twin(opt, kw), steps_for(name, kw), lr=kw["lr"])
        assert_lrs_match(schedule, lrs)


def test_cosine_annealing_goes_on_past_T_max_as_torch_does():
    """Past T_max the lr climbs back: η_T = η_min, η_2T = η₀, period 2T; torch's recursion agrees."""
    schedule = schedules.cosine_annealing_lr(lr=0.1, T_max=10, eta_min=0.01)
    assert schedule.lr(10) == pytest.approx(0.01, rel=1e-15)
    assert schedule.lr(20) == pytest.approx(0.1, rel=1e-15)
    np.testing.assert_allclose(schedule.lrs(100)[20:], schedule.lrs(80), rtol=1e-13)
    lrs, _, _ = torch_trace(lambda opt: lr_scheduler.CosineAnnealingLR(opt, 10, 0.01), 100, lr=0.1)
    assert_lrs_match(schedule, lrs)


def test_cosine_recursion_in_torch_drifts_from_the_closed_form_only_by_rounding():
    """A long cycle, T = 1000 and η_min = η₀/2: the worst case the module notes describe.

    The recursion's relative error in ηₜ − η_min after t = T + 1 is about u·η_min/(½(η₀ − η_min)(1 − cos(π/T))).
    """
    lr, T, eta_min = 0.1, 1000, 0.05
    schedule = schedules.cosine_annealing_lr(lr, T, eta_min)
    lrs, _, _ = torch_trace(lambda opt: lr_scheduler.CosineAnnealingLR(opt, T, eta_min), 2 * T + 200, lr=lr)
    closed = schedule.lrs(len(lrs))
    np.testing.assert_allclose(closed[: T + 1], lrs[: T + 1], rtol=RTOL, atol=0)  # the first half-cycle agrees to 1e-12
    increment = (lr - eta_min) * (1 - math.cos(math.pi / T)) / 2
    bound = 4 * 2.0**-53 * eta_min / increment
    drift = np.abs(closed - lrs) / np.abs(closed - eta_min).clip(min=increment)
    assert drift.max() < bound


def test_step_and_multistep_and_exponential_closed_forms():
    assert schedules.step_lr(1.0, 3, 0.5).lrs(7).tolist() == [1, 1, 1, 0.5, 0.5, 0.5, 0.25]
    assert schedules.multi_step_lr(1.0, [2, 5], 0.1).lr(4) == pytest.approx(0.1)
    assert schedules.multi_step_lr(1.0, [2, 5], 0.1).lr(5) == pytest.approx(0.01)
    assert schedules.exponential_lr(2.0, 0.5).lr(3) == 0.25
    assert schedules.linear_lr(1.0, 0.25, 1.0, 3).lrs(5).tolist() == [0.25, 0.5, 0.75, 1.0, 1.0]
    assert schedules.constant(0.3).lrs(3).tolist() == [0.3, 0.3, 0.3]


# --------------------------------------------------------------------------- composition


def test_warmup_cosine_matches_torch_sequential_lr():
    rng = np.random.default_rng(10)
    for _ in range(CONFIGS_PER_SCHEDULE):
        lr, warmup = loguniform(rng, 1e-4, 1.0), int(rng.integers(1, 60))
        total = warmup + int(rng.integers(1, 150))
        start_factor, eta_min = float(rng.uniform(0.01, 1.0)), lr * float(rng.uniform(0.0, 0.3))
        schedule = schedules.warmup_cosine(lr, warmup, total, start_factor, eta_min)

        def twin(opt):
            warm = lr_scheduler.LinearLR(opt, start_factor, 1.0, warmup)
            anneal = lr_scheduler.CosineAnnealingLR(opt, total - warmup, eta_min)
            return lr_scheduler.SequentialLR(opt, [warm, anneal], milestones=[warmup])

        lrs, _, _ = torch_trace(twin, total + 100, lr=lr)
        assert_lrs_match(schedule, lrs)


def test_sequential_lr_of_random_schedules_matches_torch():
    rng = np.random.default_rng(11)
    names = sorted(TORCH_TWINS)
    for _ in range(CONFIGS_PER_SCHEDULE):
        lr = loguniform(rng, 1e-4, 1.0)
        picked = [names[i] for i in rng.integers(0, len(names), size=int(rng.integers(2, 4)))]
        configs = [{**TORCH_TWINS[name][0](rng), "lr": lr} for name in picked]
        milestones = sorted(rng.choice(np.arange(1, 200), size=len(picked) - 1, replace=False).tolist())
        schedule = schedules.sequential_lr(
            [getattr(schedules, name)(**kw) for name, kw in zip(picked, configs)], milestones
        )

        def twin(opt):
            parts = [TORCH_TWINS[name][1](opt, kw) for name, kw in zip(picked, configs)]
            return lr_scheduler.SequentialLR(opt, parts, milestones=milestones)

        lrs, _, _ = torch_trace(twin, 300, lr=lr)
        assert_lrs_match(schedule, lrs)


def test_sequential_lr_passes_other_overrides_through():
    cycle = schedules.one_cycle_lr(1.0, 20)
    schedule = schedules.sequential_lr([schedules.constant(0.04), cycle], [5])
    assert schedule(2) == {"lr": 0.04}
    assert schedule(7) == cycle(2)


# --------------------------------------------------------------------------- 1cycle


def random_one_cycle(rng, momentum_key):
    three_phase = bool(rng.random() < 0.5)
    total_steps = int(rng.integers(10, 500))
    low = 1.5 / total_steps  # pct_start · total_steps > 1: the rise needs a step
    pct_start = float(rng.uniform(low, 0.45 if three_phase else 0.95))
    base_momentum = float(rng.uniform(0.5, 0.9))
    return dict(
        max_lr=loguniform(rng, 1e-3, 1.0),
        total_steps=total_steps,
        pct_start=pct_start,
        anneal_strategy=str(rng.choice(["cos", "linear"])),
        cycle_momentum=True,
        base_momentum=base_momentum,
        max_momentum=base_momentum + float(rng.uniform(0.0, 0.09)),
        div_factor=float(rng.uniform(2.0, 100.0)),
        final_div_factor=loguniform(rng, 10.0, 1e5),
        three_phase=three_phase,
        momentum_key=momentum_key,
    )


def torch_one_cycle(opt, kw):
    torch_kw = {k: v for k, v in kw.items() if k not in ("momentum_key", "beta2")}
    return lr_scheduler.OneCycleLR(opt, **torch_kw)


def test_one_cycle_lr_and_momentum_match_torch_sgd():
    rng = np.random.default_rng(20)
    for _ in range(CONFIGS_PER_SCHEDULE):
        kw = random_one_cycle(rng, "momentum")
        schedule = schedules.one_cycle_lr(**kw)
        steps = kw["total_steps"]  # t = total_steps is checked in test_one_cycle_ends_at_its_final_values
        lrs, momenta, _ = torch_trace(lambda opt: torch_one_cycle(opt, kw), steps, momentum=0.9)
        assert_lrs_match(schedule, lrs)
        np.testing.assert_allclose([schedule(t)["momentum"] for t in range(steps)], momenta, rtol=RTOL, atol=0)


def test_one_cycle_betas_match_torch_adam():
    rng = np.random.default_rng(21)
    for _ in range(CONFIGS_PER_SCHEDULE):
        beta2 = float(rng.uniform(0.9, 0.9999))
        kw = {**random_one_cycle(rng, "betas"), "beta2": beta2}
        schedule = schedules.one_cycle_lr(**kw)
        steps = kw["total_steps"]
        lrs, _, beta1s = torch_trace(lambda opt: torch_one_cycle(opt, kw), steps, "adam", betas=(0.9, beta2))
        assert_lrs_match(schedule, lrs)
        got = [schedule(t)["betas"] for t in range(steps)]
        np.testing.assert_allclose([b1 for b1, _ in got], beta1s, rtol=RTOL, atol=0)
        assert all(b2 == beta2 for _, b2 in got)


@pytest.mark.parametrize("anneal_strategy", ["linear", "cos"])
@pytest.mark.parametrize("three_phase", [False, True])
def test_one_cycle_ends_at_its_final_values(anneal_strategy, three_phase):
    """At t = total_steps torch extrapolates the last phase (a negative η when linear); this stays at η_end."""
    total = 100
    kw = dict(
        max_lr=1.0,
        total_steps=total,
        pct_start=0.3,
        anneal_strategy=anneal_strategy,
        three_phase=three_phase,
        div_factor=10.0,
        final_div_factor=100.0,
    )
    schedule = schedules.one_cycle_lr(**kw)
    assert schedule.lr(total) == pytest.approx(0.1 / 100, rel=1e-12)
    assert schedule(total)["momentum"] == pytest.approx(0.95, rel=1e-12)
    trajectory = optim.run(optim.sgd(lr=0.1, momentum=0.9), lambda x: x, [1.0, -1.0], total + 1, schedule=schedule)
    assert trajectory.path.shape == (total + 2, 2) and not trajectory.diverged


def test_one_cycle_shape():
    schedule = schedules.one_cycle_lr(1.0, 100, pct_start=0.25, div_factor=10.0, final_div_factor=100.0)
    assert schedule.lr(0) == pytest.approx(0.1)
    assert schedule.lr(24) == pytest.approx(1.0)  # the peak at pct_start · total − 1
    assert schedule.lr(99) == pytest.approx(0.1 / 100)
    assert schedule(24)["momentum"] == pytest.approx(0.85)
    assert schedule(0)["momentum"] == pytest.approx(0.95) == schedule(99)["momentum"]
    assert set(schedules.one_cycle_lr(1.0, 100, cycle_momentum=False)(5)) == {"lr"}


# --------------------------------------------------------------------------- plateau


def random_metrics(rng, n=200):
    """Noisy descent with flat stretches, exact repeats, a jump up, and sometimes a NaN."""
    metrics, value = [], float(rng.uniform(-2.0, 5.0))
    while len(metrics) < n:
        kind = rng.integers(0, 4)
        length = int(rng.integers(1, 15))
        if kind == 0:  # improving
            value -= abs(float(rng.normal(0.0, 0.2)))
            metrics += [value - 0.05 * k for k in range(length)]
        elif kind == 1:  # a plateau, with tiny wobbles
            metrics += [value + float(rng.normal(0.0, 1e-5)) for _ in range(length)]
        elif kind == 2:  # the same value exactly
            metrics += [value] * length
        else:  # worse
            metrics += [value + abs(float(rng.normal(0.0, 0.5))) for _ in range(length)]
    if rng.random() < 0.3:
        metrics[int(rng.integers(0, n))] = math.nan
    return metrics[:n]


def random_plateau_config(rng):
    lr = loguniform(rng, 1e-3, 1.0)
    return dict(
        lr=lr,
        mode=str(rng.choice(["min", "max"])),
        factor=float(rng.uniform(0.1, 0.9)),
        patience=int(rng.integers(0, 6)),
        threshold=float(rng.choice([0.0, 1e-4, 1e-2, 0.1])),
        threshold_mode=str(rng.choice(["rel", "abs"])),
        cooldown=int(rng.integers(0, 5)),
        min_lr=float(rng.choice([0.0, lr * 1e-2, lr * 0.3])),
        eps=float(rng.choice([0.0, 1e-8, lr * 1e-3])),
    )


@pytest.mark.parametrize("mode", ["min", "max"])
@pytest.mark.parametrize("threshold_mode", ["rel", "abs"])
def test_reduce_on_plateau_matches_torch_on_random_metric_sequences(mode, threshold_mode):
    rng = np.random.default_rng(["min", "max"].index(mode) * 2 + ["rel", "abs"].index(threshold_mode))
    for _ in range(CONFIGS_PER_SCHEDULE):
        kw = {**random_plateau_config(rng), "mode": mode, "threshold_mode": threshold_mode}
        metrics = random_metrics(rng)
        if mode == "max":
            metrics = [-m for m in metrics]
        p = torch.zeros(1, requires_grad=True)
        opt = torch.optim.SGD([p], lr=kw["lr"])
        twin = lr_scheduler.ReduceLROnPlateau(opt, **{k: v for k, v in kw.items() if k != "lr"})
        expected = []
        for m in metrics:
            opt.step()
            twin.step(m)
            expected.append(opt.param_groups[0]["lr"])
        got = schedules.reduce_on_plateau_lrs(metrics, **kw)
        np.testing.assert_allclose(got, expected, rtol=RTOL, atol=0)
        assert schedules.reduce_on_plateau(metrics, **kw) == expected[-1]
        assert schedules.reduce_on_plateau(metrics[:37], **kw) == expected[36]


def test_reduce_on_plateau_basics():
    flat = [1.0] * 6
    assert schedules.reduce_on_plateau([], 0.1) == 0.1
    # the first metric sets the baseline; the 2nd, 3rd bad ones exceed patience = 1 at the 3rd
    assert schedules.reduce_on_plateau_lrs(flat, 0.1, patience=1, factor=0.5).tolist() == [
        0.1,
        0.1,
        0.05,
        0.05,
        0.025,
        0.025,
    ]
    assert schedules.reduce_on_plateau(flat, 0.1, patience=0, factor=0.5, min_lr=0.03) == 0.03
    assert schedules.reduce_on_plateau_lrs(flat, 0.1, patience=0, factor=0.5, cooldown=2).tolist() == [
        0.1,
        0.05,
        0.05,
        0.05,
        0.025,
        0.025,
    ]


# --------------------------------------------------------------------------- optim.run with a schedule


def quadratic_problem():
    A = np.array([[3.0, 1.0, 0.0], [1.0, 2.0, 0.5], [0.0, 0.5, 1.0]])
    return A, np.array([1.5, -2.0, 0.7])


RUN_CASES = [
    (
        "sgd-one_cycle-momentum",
        lambda: optim.sgd(lr=0.1, momentum=0.9),
        lambda: schedules.one_cycle_lr(0.3, 80, pct_start=0.3, three_phase=True),
        lambda p: torch.optim.SGD([p], lr=0.1, momentum=0.9),
        lambda opt: lr_scheduler.OneCycleLR(opt, 0.3, 80, pct_start=0.3, three_phase=True),
    ),
    (
        "adam-one_cycle-betas",
        lambda: optim.adam(lr=0.1, betas=(0.9, 0.99)),
        lambda: schedules.one_cycle_lr(0.2, 80, anneal_strategy="linear", momentum_key="betas", beta2=0.99),
        lambda p: torch.optim.Adam([p], lr=0.1, betas=(0.9, 0.99)),
        lambda opt: lr_scheduler.OneCycleLR(opt, 0.2, 80, anneal_strategy="linear"),
    ),
    (
        "rmsprop-one_cycle-momentum",
        lambda: optim.rmsprop(lr=0.01, momentum=0.5),
        lambda: schedules.one_cycle_lr(0.02, 80, base_momentum=0.5, max_momentum=0.8),
        lambda p: torch.optim.RMSprop([p], lr=0.01, momentum=0.5),
        lambda opt: lr_scheduler.OneCycleLR(opt, 0.02, 80, base_momentum=0.5, max_momentum=0.8),
    ),
    (
        "sgd-nesterov-cosine",
        lambda: optim.sgd(lr=0.2, momentum=0.8, nesterov=True),
        lambda: schedules.cosine_annealing_lr(0.2, 30, eta_min=0.01),
        lambda p: torch.optim.SGD([p], lr=0.2, momentum=0.8, nesterov=True),
        lambda opt: lr_scheduler.CosineAnnealingLR(opt, 30, 0.01),
    ),
    (
        "adamw-warmup_cosine",
        lambda: optim.adamw(lr=0.1, weight_decay=0.1),
        lambda: schedules.warmup_cosine(0.1, 10, 80, start_factor=0.1),
        lambda p: torch.optim.AdamW([p], lr=0.1, weight_decay=0.1),
        lambda opt: lr_scheduler.SequentialLR(
            opt, [lr_scheduler.LinearLR(opt, 0.1, 1.0, 10), lr_scheduler.CosineAnnealingLR(opt, 70)], [10]
        ),
    ),
    (
        "sgd-step",
        lambda: optim.sgd(lr=0.3),
        lambda: schedules.step_lr(0.3, 7, 0.5),
        lambda p: torch.optim.SGD([p], lr=0.3),
        lambda opt: lr_scheduler.StepLR(opt, 7, 0.5),
    ),
]


@pytest.mark.parametrize("case", RUN_CASES, ids=[case[0] for case in RUN_CASES])
def test_optim_run_with_a_schedule_matches_torch_optimizer_and_scheduler(case):
    _, make_opt, make_schedule, make_torch_opt, make_torch_scheduler = case
    A, start = quadratic_problem()
    steps = 80
    path = optim.run(make_opt(), lambda theta: A @ theta, start, steps, schedule=make_schedule()).path
    p = torch.tensor(start, requires_grad=True)
    torch_opt = make_torch_opt(p)
    scheduler = make_torch_scheduler(torch_opt)
    expected = [start]
    for _ in range(steps):
        torch_opt.zero_grad()
        (0.5 * p @ torch.tensor(A) @ p).backward()  # f(θ) = ½ θᵀAθ
        torch_opt.step()
        scheduler.step()
        expected.append(p.detach().numpy().copy())
    np.testing.assert_allclose(path, np.array(expected), rtol=0, atol=1e-12)


# --------------------------------------------------------------------------- the Schedule object


def test_schedule_object():
    schedule = schedules.step_lr(0.1, 10)
    assert schedule(3) == {"lr": schedule.lr(3)}
    assert schedule.lrs(25).shape == (25,)
    assert schedule.lrs(0).shape == (0,)
    assert repr(schedule) == "step_lr(lr=0.1, step_size=10, gamma=0.1)"
    assert schedules.one_cycle_lr(1.0, 50, momentum_key="betas", beta2=0.98)(0)["betas"][1] == 0.98


# --------------------------------------------------------------------------- bad input

BAD_ARGUMENTS = [
    (schedules.constant, dict(lr=-0.1), "lr"),
    (schedules.step_lr, dict(lr=-1.0, step_size=3), "lr"),
    (schedules.step_lr, dict(lr=0.1, step_size=0), "step_size"),
    (schedules.step_lr, dict(lr=0.1, step_size=2.5), "step_size"),
    (schedules.step_lr, dict(lr=0.1, step_size=3, gamma=0.0), "gamma"),
    (schedules.step_lr, dict(lr=0.1, step_size=3, gamma=-0.5), "gamma"),
    (schedules.step_lr, dict(lr=math.nan, step_size=3), "lr"),
    (schedules.step_lr, dict(lr="0.1", step_size=3), "lr"),
    (schedules.multi_step_lr, dict(lr=0.1, milestones=[5, 3]), "increasing"),
    (schedules.multi_step_lr, dict(lr=0.1, milestones=[3, 3]), "increasing"),
    (schedules.multi_step_lr, dict(lr=0.1, milestones=[0, 3]), "milestones"),
    (schedules.multi_step_lr, dict(lr=0.1, milestones=5), "milestones"),
    (schedules.exponential_lr, dict(lr=0.1, gamma=0.0), "gamma"),
    (schedules.cosine_annealing_lr, dict(lr=0.1, T_max=0), "T_max"),
    (schedules.cosine_annealing_lr, dict(lr=0.1, T_max=10, eta_min=-1.0), "eta_min"),
    (schedules.linear_lr, dict(lr=0.1, start_factor=0.0), "start_factor"),
    (schedules.linear_lr, dict(lr=0.1, end_factor=1.5), "end_factor"),
    (schedules.linear_lr, dict(lr=0.1, total_iters=0), "total_iters"),
    (schedules.warmup_cosine, dict(lr=0.1, warmup_steps=10, total_steps=10), "total_steps"),
    (schedules.warmup_cosine, dict(lr=0.1, warmup_steps=0, total_steps=10), "warmup_steps"),
    (schedules.sequential_lr, dict(schedules=[], milestones=[]), "schedules"),
    (schedules.sequential_lr, dict(schedules=[schedules.constant(0.1)] * 2, milestones=[]), "milestones"),
    (schedules.sequential_lr, dict(schedules=[schedules.constant(0.1)] * 3, milestones=[4, 2]), "increasing"),
    (schedules.one_cycle_lr, dict(max_lr=-1.0, total_steps=100), "max_lr"),
    (schedules.one_cycle_lr, dict(max_lr=1.0, total_steps=0), "total_steps"),
    (schedules.one_cycle_lr, dict(max_lr=1.0, total_steps=100, pct_start=0.0), "pct_start"),
    (schedules.one_cycle_lr, dict(max_lr=1.0, total_steps=100, pct_start=1.0), "pct_start"),
    (schedules.one_cycle_lr, dict(max_lr=1.0, total_steps=100, pct_start=0.01), "pct_start"),
    (schedules.one_cycle_lr, dict(max_lr=1.0, total_steps=100, pct_start=0.6, three_phase=True), "pct_start"),
    (schedules.one_cycle_lr, dict(max_lr=1.0, total_steps=100, anneal_strategy="exp"), "anneal_strategy"),
    (schedules.one_cycle_lr, dict(max_lr=1.0, total_steps=100, base_momentum=1.0), "base_momentum"),
    (schedules.one_cycle_lr, dict(max_lr=1.0, total_steps=100, div_factor=0.0), "div_factor"),
    (schedules.one_cycle_lr, dict(max_lr=1.0, total_steps=100, final_div_factor=-1.0), "final_div_factor"),
    (schedules.one_cycle_lr, dict(max_lr=1.0, total_steps=100, momentum_key="beta1"), "momentum_key"),
    (schedules.one_cycle_lr, dict(max_lr=1.0, total_steps=100, cycle_momentum="yes"), "cycle_momentum"),
    (schedules.reduce_on_plateau, dict(metrics=[1.0], lr=0.1, mode="lowest"), "mode"),
    (schedules.reduce_on_plateau, dict(metrics=[1.0], lr=0.1, threshold_mode="relative"), "threshold_mode"),
    (schedules.reduce_on_plateau, dict(metrics=[1.0], lr=0.1, factor=1.0), "factor"),
    (schedules.reduce_on_plateau, dict(metrics=[1.0], lr=0.1, patience=-1), "patience"),
    (schedules.reduce_on_plateau, dict(metrics=[1.0], lr=0.1, cooldown=1.5), "cooldown"),
    (schedules.reduce_on_plateau, dict(metrics=[1.0], lr=0.1, min_lr=-1.0), "min_lr"),
    (schedules.reduce_on_plateau, dict(metrics=[1.0], lr=0.1, eps=-1.0), "eps"),
    (schedules.reduce_on_plateau, dict(metrics=[1.0], lr=0.1, threshold=-0.1), "threshold"),
    (schedules.reduce_on_plateau, dict(metrics=["low"], lr=0.1), "metrics"),
    (schedules.reduce_on_plateau, dict(metrics=1.0, lr=0.1), "metrics"),
    (schedules.reduce_on_plateau, dict(metrics=[1.0], lr=-0.1), "lr"),
]


@pytest.mark.parametrize(
    "factory,kw,word", BAD_ARGUMENTS, ids=[f"{f.__name__}-{w}-{i}" for i, (f, _, w) in enumerate(BAD_ARGUMENTS)]
)
def test_bad_arguments_raise_value_error_naming_the_parameter(factory, kw, word):
    with pytest.raises(ValueError, match=word):
        factory(**kw)


def test_bad_steps_raise_value_error():
    for schedule in (schedules.step_lr(0.1, 3), schedules.one_cycle_lr(1.0, 10), schedules.warmup_cosine(0.1, 2, 10)):
        for t in (-1, 1.5, True, "3"):
            with pytest.raises(ValueError, match="t"):
                schedule(t)
            with pytest.raises(ValueError, match="t"):
                schedule.lr(t)
    with pytest.raises(ValueError, match="total_steps"):
        schedules.one_cycle_lr(1.0, 10)(11)
    with pytest.raises(ValueError, match="steps"):
        schedules.constant(0.1).lrs(-1)


# --------------------------------------------------------------------------- the LR range test


@pytest.mark.parametrize("kappa,angle", [(1.0, 0.0), (10.0, 0.0), (10.0, 0.7), (100.0, 0.3)])
def test_lr_range_test_suggests_a_stable_lr_on_a_quadratic(kappa, angle):
    """Gradient descent on ½θᵀHθ diverges for η > 2/λ_max = 2/κ; the suggestion stays below, but not far."""
    surface = surfaces.quadratic(kappa, angle)
    result = lr_finder.lr_range_test(optim.sgd(), surface.f, surface.grad, surface.start, steps=100)
    limit = 2 / kappa
    assert limit / 100 < result.suggested_lr < limit
    assert result.lrs[-1] > limit  # the sweep ran into the divergence …
    assert len(result.lrs) < 100  # … and stopped there
    assert result.losses[-1] > 4 * result.losses.min()


def test_lr_range_test_sweep_is_geometric_and_rules_are_as_documented():
    surface = surfaces.quadratic(10.0)
    sweep = dict(opt=optim.sgd(), loss_fn=surface.f, grad_fn=surface.grad, start=surface.start)
    sweep.update(lr_min=1e-4, lr_max=0.1, steps=31, smoothing=0.0)
    result = lr_finder.lr_range_test(**sweep)
    np.testing.assert_allclose(result.lrs, 1e-4 * 10 ** (np.arange(31) / 10), rtol=1e-12)  # no divergence below 0.2
    # smoothing = 0: the recorded losses are the losses after each step, as a plain loop computes them
    theta, expected = surface.start, []
    for lr in result.lrs:
        theta = theta - lr * surface.grad(theta)
        expected.append(surface.f(theta))
    np.testing.assert_allclose(result.losses, expected, rtol=1e-12)
    slopes = np.gradient(result.losses, np.log(result.lrs))
    assert result.suggested_lr == result.lrs[np.argmin(slopes)]
    tenth = lr_finder.lr_range_test(**sweep, rule="min_over_10")
    assert tenth.suggested_lr == pytest.approx(result.lrs[np.argmin(result.losses)] / 10)


def test_lr_range_test_smoothing_is_a_bias_corrected_moving_average():
    surface = surfaces.quadratic(10.0)
    sweep = dict(opt=optim.sgd(), loss_fn=surface.f, grad_fn=surface.grad, start=surface.start, steps=20, lr_max=0.05)
    raw = lr_finder.lr_range_test(**sweep, smoothing=0.0)
    beta = 0.9
    smooth = lr_finder.lr_range_test(**sweep, smoothing=beta)
    weights = beta ** np.arange(20)[::-1]
    expected = [np.dot(weights[-(i + 1) :], raw.losses[: i + 1]) / weights[-(i + 1) :].sum() for i in range(20)]
    np.testing.assert_allclose(smooth.losses, expected, rtol=1e-12)


def test_lr_range_test_with_adam_keeps_the_other_hyperparameters():
    surface = surfaces.rosenbrock()
    result = lr_finder.lr_range_test(optim.adam(betas=(0.8, 0.99)), surface.f, surface.grad, surface.start, lr_max=1.0)
    assert 1e-5 <= result.suggested_lr <= 1.0
    assert np.all(np.isfinite(result.losses))


LR_RANGE_BAD = [
    (dict(opt="sgd"), "opt"),
    (dict(lr_min=0.0), "lr_min"),
    (dict(lr_max=1e-6), "lr_max"),
    (dict(steps=1), "steps"),
    (dict(smoothing=1.0), "smoothing"),
    (dict(divergence_factor=1.0), "divergence_factor"),
    (dict(rule="valley"), "rule"),
    (dict(start=[np.nan, 0.0]), "start"),
    (dict(start=[[0.0, 1.0]]), "start"),
]


@pytest.mark.parametrize("kw,word", LR_RANGE_BAD, ids=[w for _, w in LR_RANGE_BAD])
def test_lr_range_test_bad_arguments(kw, word):
    surface = surfaces.quadratic(10.0)
    args = {**dict(opt=optim.sgd(), loss_fn=surface.f, grad_fn=surface.grad, start=surface.start), **kw}
    with pytest.raises(ValueError, match=word):
        lr_finder.lr_range_test(**args)


def test_lr_range_test_that_diverges_at_once_says_so():
    surface = surfaces.quadratic(10.0)
    with pytest.raises(ValueError, match="lr_min"):
        lr_finder.lr_range_test(optim.sgd(), surface.f, surface.grad, surface.start, lr_min=1e200, lr_max=1e300)
