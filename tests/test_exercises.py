"""The exercise checks: every check answers its table (tests/exercise_cases.py) as it says, any answer of the wrong
kind gets a hint, no hint gives the answer away, and the answers the checks accept are what torch and the helpers
compute."""

import importlib
import inspect
import math
import subprocess
import sys

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from exercise_cases import TABLES, Table, filter_normalize, halving_schedule
from torch import nn

from helpers import exercises, models, optim, race, search, surfaces
from helpers import regularization as reg
from helpers.exercises import _NAMES_BY_MODULE, Verdict

PASS, FAIL = "✓ ", "✗ Not yet. Hint: "
WRONG_KINDS = [None, "abc", [], [1, 2], math.nan, math.inf, {"answer": 1}]


def answers_of(check, entry):
    """A table lists a one-answer check's answers bare and a several-answer check's as tuples."""
    return entry if len(inspect.signature(check).parameters) > 1 else (entry,)


def run(check_name, entry, capsys):
    check = getattr(exercises, check_name)
    verdict = check(*answers_of(check, entry))
    printed = capsys.readouterr().out
    assert isinstance(verdict, Verdict)
    assert printed.count("\n") == 1 and printed.endswith("\n"), "a check prints exactly one line"
    return bool(verdict), printed


def rows(kind):
    return [
        pytest.param(name, row, id=f"{name}-{kind}{index}")
        for name, table in TABLES.items()
        for index, row in enumerate(getattr(table, kind))
    ]


CHECK_NAMES = [name for names in _NAMES_BY_MODULE.values() for name in names if name.startswith("check_")]


# --------------------------------------------------------------------------- the table


def test_every_check_has_a_table_with_right_and_wrong_answers():
    assert sorted(TABLES) == sorted(CHECK_NAMES)
    assert all(isinstance(table, Table) and table.right and table.wrong for table in TABLES.values())


@pytest.mark.parametrize("check_name, answers", rows("right"))
def test_right_answers_pass(check_name, answers, capsys):
    passed, printed = run(check_name, answers, capsys)
    assert passed and printed.startswith(PASS)


@pytest.mark.parametrize("check_name, row", rows("wrong"))
def test_wrong_answers_get_their_hint_and_never_the_answer(check_name, row, capsys):
    answers, fragment = row
    passed, printed = run(check_name, answers, capsys)
    assert not passed and printed.startswith(FAIL)
    assert fragment in printed
    for secret in TABLES[check_name].secrets:
        assert secret not in printed


def wrong_kind_cases():
    """Each answer of each check in turn replaced by something of the wrong kind, the others right."""
    return [
        pytest.param(name, position, wrong, id=f"{name}-{position}-{index}")
        for name in CHECK_NAMES
        for position in range(len(inspect.signature(getattr(exercises, name)).parameters))
        for index, wrong in enumerate(WRONG_KINDS)
    ]


@pytest.mark.parametrize("check_name, position, wrong", wrong_kind_cases())
def test_answers_of_the_wrong_kind_get_a_hint(check_name, position, wrong, capsys):
    check = getattr(exercises, check_name)
    answers = list(answers_of(check, TABLES[check_name].right[0]))
    answers[position] = wrong
    passed, printed = run(check_name, tuple(answers) if len(answers) > 1 else answers[0], capsys)
    assert not passed and printed.startswith(FAIL)


def test_checks_take_their_answers_by_keyword_too(capsys):
    assert exercises.check_optimal_step(rate=0.8, eta=0.2)
    assert exercises.check_mae_gradient(mae_grad=TABLES["check_mae_gradient"].right[0])
    assert capsys.readouterr().out.count(PASS) == 2


def test_a_verdict_is_silent_as_a_cell_value():
    verdict = exercises.check_one_step(2.4)
    assert bool(verdict) and repr(verdict) == "✓" and repr(Verdict(False)) == "✗"
    assert verdict._ipython_display_() is None


# --------------------------------------------------------------------------- the package


def test_importing_the_exercises_loads_neither_torch_nor_the_other_helpers():
    code = (
        "import sys; import helpers.exercises as e; dir(e); "
        "print(sorted(m for m in sys.modules if m == 'torch' or m.startswith('helpers')))"
    )
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert loaded.strip() == "['helpers', 'helpers.exercises', 'helpers.exercises._core']"


def test_each_name_is_listed_under_the_notebook_module_that_defines_it():
    for module_name, names in _NAMES_BY_MODULE.items():
        module = importlib.import_module(f"helpers.exercises.{module_name}")
        defined = {name for name in vars(module) if name.startswith("check_")}
        assert defined == {name for name in names if name.startswith("check_")}, module_name
        assert all(hasattr(module, name) for name in names)
    assert len(CHECK_NAMES) == 53


def test_dir_shows_every_check_and_an_unknown_name_is_an_attribute_error():
    assert set(CHECK_NAMES) | {"Verdict", "RACE_GAPS"} <= set(dir(exercises))
    with pytest.raises(AttributeError, match="check_nothing"):
        exercises.check_nothing  # noqa: B018


def test_a_near_miss_needs_one_entry_per_answer():
    from helpers.exercises._core import numeric

    with pytest.raises(ValueError, match="one per answer"):
        numeric(expected=(1, 2), praise="", hint="", near_misses=[(1, "half a row")])(lambda first, second: None)


def test_a_check_keeps_its_name_parameters_and_docstring():
    check = exercises.check_optimal_step
    assert check.__name__ == "check_optimal_step" and list(inspect.signature(check).parameters) == ["eta", "rate"]
    assert check.__doc__.startswith("η* and the per-step contraction")


# --------------------------------------------------------------------------- answers from torch and the helpers


def test_the_first_adagrad_step_is_optims():
    run_ = optim.run(
        optim.adagrad(lr=0.1, initial_accumulator_value=1.0), lambda theta: np.array([3.0, 0.01]), np.zeros(2), steps=1
    )
    assert exercises.check_adagrad_first_step(run_.final)


def test_ramp_steps_are_adagrads():
    t, travelled = 0, 0.0
    while travelled < 10:  # the loop the question describes, step by step
        t += 1
        travelled += 0.1 * 5.0 / (math.sqrt(25.0 * t) + 1e-10)
    run_ = optim.run(optim.adagrad(lr=0.1), lambda theta: np.full_like(theta, 5.0), np.zeros(1), steps=t)
    assert run_.path[-1, 0] <= -10 < run_.path[-2, 0]
    assert t == TABLES["check_ramp_steps"].right[0] and exercises.check_ramp_steps(t)


def test_adamw_decay_is_optims():
    run_ = optim.run(optim.adamw(lr=1e-3, weight_decay=0.1), lambda theta: np.zeros_like(theta), np.ones(1), 1000)
    assert exercises.check_adamw_decay(run_.final[0])


def test_gap_summary_and_clipping_are_races():
    summary = race.summarize(np.array(exercises.RACE_GAPS))
    assert exercises.check_gap_summary(summary.median, summary.success_rate)
    g = np.array([12.0, -5.0])
    assert exercises.check_clipped_gradients(race.clip_by_norm(g, 1.0), race.clip_by_value(g, 1.0))


def test_basins_changed_is_what_basin_map_measures(capsys):
    surface = surfaces.himmelblau()
    gd, half, heavy = (
        race.basin_map(surface, optim.sgd(lr=0.01, momentum=mu), resolution=60, steps=300) for mu in (0.0, 0.5, 0.9)
    )
    right = np.mean(gd.labels != half.labels)
    assert 0.05 < right < 0.2 and right == TABLES["check_basins_changed"].right[0]
    assert exercises.check_basins_changed(right)
    assert not exercises.check_basins_changed(np.mean(gd.labels != heavy.labels))
    assert "μ = 0.9" in capsys.readouterr().out


def test_saddle_escape_is_the_measured_run():
    path = optim.run(optim.sgd(lr=0.05), surfaces.saddle().grad, np.array([0.0, 1e-6]), 400).path
    measured = int(np.flatnonzero(np.abs(path[:, 1]) > 1)[0])
    assert measured - math.log(1e6) / math.log(1.1) > 2  # the linear prediction is off by a few steps: told apart
    assert measured == TABLES["check_saddle_escape"].right[0] and exercises.check_saddle_escape(measured)


def lrs_of(make_scheduler, steps, lr, metrics=None):
    p = torch.zeros(1, requires_grad=True)
    opt = torch.optim.SGD([p], lr=lr, momentum=0.9)
    scheduler = make_scheduler(opt)
    seen = [opt.param_groups[0]["lr"]]
    for i in range(steps):
        opt.step()
        scheduler.step(*([] if metrics is None else [metrics[i]]))
        seen.append(opt.param_groups[0]["lr"])
    return seen


def test_schedule_answers_are_torchs():
    lr_scheduler = torch.optim.lr_scheduler
    assert exercises.check_step_lr_value(lrs_of(lambda o: lr_scheduler.StepLR(o, step_size=30, gamma=0.1), 75, 0.1)[75])
    cosine = lrs_of(lambda o: lr_scheduler.CosineAnnealingLR(o, T_max=100, eta_min=0.001), 50, 0.1)
    assert exercises.check_cosine_midpoint(cosine[50])
    cycle = lrs_of(lambda o: lr_scheduler.OneCycleLR(o, max_lr=0.4, total_steps=1000), 999, 0.4)
    assert exercises.check_one_cycle_ends(cycle[0], cycle[999])
    metrics = exercises.PLATEAU_EXERCISE_METRICS
    plateau = lrs_of(lambda o: lr_scheduler.ReduceLROnPlateau(o, factor=0.5, patience=2), len(metrics), 0.1, metrics)
    assert exercises.check_plateau_lr(plateau[-1])


def test_the_elastic_net_reference_is_the_minimizer():
    from helpers.exercises.regularization import _elastic_net_prox_reference

    z = np.array([-3.0, -0.5, -0.2, 0.0, 0.25, 0.9, 4.0])
    grid = torch.linspace(-8, 8, 160_001, dtype=torch.float64)  # argmin by brute force, in torch
    for c1, c2 in ((0.3, 0.5), (0.7, 2.0)):
        objective = 0.5 * (grid[None, :] - torch.tensor(z)[:, None]) ** 2 + c1 * grid.abs() + c2 / 2 * grid**2
        assert np.abs(_elastic_net_prox_reference(z, c1, c2) - grid[objective.argmin(dim=1)].numpy()).max() < 2e-4


def test_decay_halving_is_torchs():
    theta, steps = torch.ones(1, dtype=torch.float64, requires_grad=True), 0
    opt = torch.optim.SGD([theta], lr=0.1, weight_decay=5e-3)
    while theta.item() > 0.5:  # zero loss gradient: only the decay moves θ
        theta.grad = torch.zeros_like(theta)
        opt.step()
        steps += 1
    assert steps == TABLES["check_decay_halving"].right[0] and exercises.check_decay_halving(steps)


def test_early_stopping_and_dropout_answers_are_the_helpers_and_torchs():
    decision = reg.early_stopping([1.00, 0.80, 0.70, 0.72, 0.69, 0.71, 0.73, 0.74, 0.70, 0.60], patience=3)
    assert decision.stopped and exercises.check_early_stopping_epochs(decision.best_epoch, decision.stop_epoch)
    torch.manual_seed(0)
    out = F.dropout(torch.full((1000,), 2.0, dtype=torch.float64), p=0.25, training=True)
    evaluation = F.dropout(torch.tensor([2.0]), p=0.25, training=False).item()
    assert exercises.check_dropout_values(out[out != 0][0].item(), evaluation)


def test_search_answers_are_what_the_helpers_produce():
    space = {"a": search.uniform(0, 1), "b": search.uniform(0, 1)}
    grid, sample = search.grid(space, 4), search.sample(space, 16, seed=3)
    assert exercises.check_distinct_values(len({c["a"] for c in grid}), len({c["a"] for c in sample}))
    assert exercises.check_trials_for_top_fraction(next(n for n in range(1, 1000) if 1 - 0.95**n >= 0.95))
    for n, min_budget, r in [(27, 10, 3), (9, 2, 3), (50, 1, 2)]:
        trained = []

        def train(config, budget, trained=trained):
            trained.append(budget)
            return config

        search.successive_halving(list(range(n)), train, min_budget, eta=r)
        assert sum(budget * count for budget, count in halving_schedule(n, min_budget, r)) == sum(trained)


def test_decade_fractions_are_what_sampling_gives():
    samples = search.sample({"log": search.loguniform(1e-4, 0.5), "flat": search.uniform(1e-4, 0.5)}, 200_000, seed=0)
    shares = {name: np.mean([1e-3 <= s[name] <= 1e-2 for s in samples]) for name in ("log", "flat")}
    assert shares["log"] == pytest.approx(1 / math.log10(5000), abs=0.005)
    assert shares["flat"] == pytest.approx(0.018, abs=0.001)


def test_cnn_counts_are_torchs():
    assert exercises.check_conv_parameters(models.count_parameters(nn.Conv2d(32, 64, kernel_size=3)))
    after_conv = nn.Conv2d(1, 8, kernel_size=3, stride=2)(torch.zeros(1, 1, 28, 28))
    assert exercises.check_output_sizes(after_conv.shape[-1], nn.MaxPool2d(2)(after_conv).shape[-1])
    layer = nn.Conv2d(32, 64, kernel_size=3, padding=1)
    assert exercises.check_conv_macs(models.count_macs(layer, (1, 32, 14, 14)))
    unpadded = models.count_macs(nn.Conv2d(32, 64, 3), (1, 32, 14, 14))
    assert not exercises.check_conv_macs(unpadded)


def test_filter_normalize_check_leaves_the_global_generator_alone():
    state = torch.get_rng_state()
    exercises.check_filter_normalize(filter_normalize)
    assert torch.equal(state, torch.get_rng_state())
