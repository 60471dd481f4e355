"""The checks of notebook 08 (learning-rate schedules): right answers pass, wrong ones get a hint and never raise."""

import pytest
import torch

from helpers import exercises

CHECKS = [
    (exercises.check_step_lr_value, 1e-3, [1e-4, 0.01, 0.1 * 0.1**2.5, 0.1]),
    (exercises.check_cosine_midpoint, 0.0505, [0.05, 0.1, 0.001, 0.0]),
    (exercises.check_plateau_lr, 0.05, [0.1, 0.025, 0.0125, 0.5]),
]
NOT_NUMBERS = [None, "ten", [1, 2], float("nan"), float("inf")]


@pytest.mark.parametrize("check, right, wrong", CHECKS, ids=lambda c: getattr(c, "__name__", ""))
def test_right_answer_passes_and_wrong_answers_fail(check, right, wrong, capsys):
    assert check(right)
    assert capsys.readouterr().out.startswith("✓")
    for answer in wrong:
        assert not check(answer)
        assert capsys.readouterr().out.startswith("✗ Not yet. Hint:")


@pytest.mark.parametrize("check", [c for c, _, _ in CHECKS], ids=lambda c: c.__name__)
@pytest.mark.parametrize("answer", NOT_NUMBERS, ids=repr)
def test_answers_of_the_wrong_kind_get_a_hint(check, answer, capsys):
    assert not check(answer)
    assert "Hint:" in capsys.readouterr().out


def test_one_cycle_needs_both_ends_right(capsys):
    assert exercises.check_one_cycle_ends(0.016, 1.6e-6)
    assert capsys.readouterr().out.startswith("✓")
    for initial, final in [(0.016, 4e-5), (0.4, 1.6e-6), (0.4, 4e-5), (None, None), ("a", 1.6e-6), (0.016, float("nan"))]:
        assert not exercises.check_one_cycle_ends(initial, final)
        assert "Hint:" in capsys.readouterr().out


def test_hints_never_give_the_answer(capsys):
    for check, right, wrong in CHECKS:
        for answer in wrong:
            check(answer)
        hints = capsys.readouterr().out
        assert f"{right:g}" not in hints
    exercises.check_one_cycle_ends(0.1, 0.1)
    hints = capsys.readouterr().out
    assert "0.016" not in hints and "1.6" not in hints


def test_a_near_miss_gets_a_pointed_hint(capsys):
    exercises.check_step_lr_value(1e-4)
    assert "rounded down" in capsys.readouterr().out
    exercises.check_cosine_midpoint(0.05)
    assert "η_min" in capsys.readouterr().out
    exercises.check_one_cycle_ends(0.016, 4e-5)
    assert "initial" in capsys.readouterr().out
    exercises.check_plateau_lr(0.025)
    assert "starts again" in capsys.readouterr().out


def test_the_expected_answers_are_torchs():
    """The answers the checks accept are what torch.optim.lr_scheduler computes."""
    p = torch.zeros(1, requires_grad=True)

    def lrs_of(make, steps, lr, metrics=None):
        opt = torch.optim.SGD([p], lr=lr, momentum=0.9)
        scheduler = make(opt)
        seen = [opt.param_groups[0]["lr"]]
        for i in range(steps):
            opt.step()
            scheduler.step(*([] if metrics is None else [metrics[i]]))
            seen.append(opt.param_groups[0]["lr"])
        return seen

    step = lrs_of(lambda o: torch.optim.lr_scheduler.StepLR(o, step_size=30, gamma=0.1), 75, 0.1)
    assert exercises.check_step_lr_value(step[75])
    cosine = lrs_of(lambda o: torch.optim.lr_scheduler.CosineAnnealingLR(o, T_max=100, eta_min=0.001), 50, 0.1)
    assert exercises.check_cosine_midpoint(cosine[50])
    cycle = lrs_of(lambda o: torch.optim.lr_scheduler.OneCycleLR(o, max_lr=0.4, total_steps=1000), 999, 0.4)
    assert exercises.check_one_cycle_ends(cycle[0], cycle[999])
    metrics = exercises.PLATEAU_EXERCISE_METRICS
    plateau = lrs_of(lambda o: torch.optim.lr_scheduler.ReduceLROnPlateau(o, factor=0.5, patience=2), len(metrics),
                     0.1, metrics)
    assert exercises.check_plateau_lr(plateau[-1])
