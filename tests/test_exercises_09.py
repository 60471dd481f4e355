"""The checks of notebook 09 (regularization): right answers pass, wrong ones get a hint and never the answer."""

import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from helpers import exercises
from helpers import regularization as reg

NOT_NUMBERS = [None, "ten", [1, 2], float("nan"), float("inf")]


def failed_with_hint(capsys):
    return capsys.readouterr().out.startswith("✗ Not yet. Hint:")


# --------------------------------------------------------------------------- 1 · the elastic-net prox


def elastic_net_by_grid(z, c1, c2):
    """argmin_u ½(u − z)² + c1|u| + (c2/2)u² per coordinate by brute force on a fine grid, in torch."""
    grid = torch.linspace(-8, 8, 160_001, dtype=torch.float64)
    objective = 0.5 * (grid[None, :] - torch.tensor(z)[:, None]) ** 2 + c1 * grid.abs() + c2 / 2 * grid**2
    return grid[objective.argmin(dim=1)].numpy()


def test_the_closed_form_behind_the_elastic_net_check_is_the_minimizer():
    z = np.array([-3.0, -0.5, -0.2, 0.0, 0.25, 0.9, 4.0])
    for c1, c2 in ((0.3, 0.5), (0.7, 2.0)):
        assert np.abs(exercises._elastic_net_prox_reference(z, c1, c2) - elastic_net_by_grid(z, c1, c2)).max() < 2e-4


def test_elastic_net_prox_right_answers_pass(capsys):
    assert exercises.check_elastic_net_prox(lambda z, c1, c2: reg.soft_threshold(z, c1) / (1 + c2))
    assert exercises.check_elastic_net_prox(
        lambda z, c1, c2: F.softshrink(torch.tensor(z), c1).numpy() / (1 + c2))
    assert capsys.readouterr().out.count("✓") == 2


@pytest.mark.parametrize("wrong, hint", [
    (lambda z, c1, c2: reg.soft_threshold(z, c1), "L1 prox alone"),
    (lambda z, c1, c2: reg.soft_threshold(z / (1 + c2), c1), "threshold applies to z itself"),
    (lambda z, c1, c2: z / (1 + c2), "L2 prox alone"),
    (lambda z, c1, c2: z, "one coordinate at a time"),
    (lambda z, c1, c2: z[:3], "one value per coordinate"),
    (lambda z, c1, c2: 1 / 0, "ZeroDivisionError"),
    ("not a function", "pass your function"),
])
def test_elastic_net_prox_wrong_answers_get_a_hint(wrong, hint, capsys):
    assert not exercises.check_elastic_net_prox(wrong)
    out = capsys.readouterr().out
    assert out.startswith("✗ Not yet. Hint:") and hint in out


# --------------------------------------------------------------------------- 2 · half-life of weight decay


def test_decay_halving(capsys):
    theta, steps = torch.ones(1, dtype=torch.float64, requires_grad=True), 0
    opt = torch.optim.SGD([theta], lr=0.1, weight_decay=5e-3)
    while theta.item() > 0.5:  # zero loss gradient: only the decay moves θ
        theta.grad = torch.zeros_like(theta)
        opt.step()
        steps += 1
    assert exercises.check_decay_halving(steps)
    assert capsys.readouterr().out.startswith("✓")
    for wrong, hint in ((steps - 1, "round up"), (139, "1 − η·ω₂"), (round(math.log(2) / 5e-3), "1 − η·ω₂"), (100, "(1 − ηω₂)ᵏ")):
        assert not exercises.check_decay_halving(wrong)
        out = capsys.readouterr().out
        assert out.startswith("✗ Not yet. Hint:") and hint in out and str(steps) not in out
    for answer in NOT_NUMBERS:
        assert not exercises.check_decay_halving(answer)
        assert failed_with_hint(capsys)


# --------------------------------------------------------------------------- 3 · early stopping by hand


def test_early_stopping_epochs_agree_with_the_helper(capsys):
    losses = [1.00, 0.80, 0.70, 0.72, 0.69, 0.71, 0.73, 0.74, 0.70, 0.60]
    decision = reg.early_stopping(losses, patience=3)
    assert decision.stopped
    assert exercises.check_early_stopping_epochs(decision.best_epoch, decision.stop_epoch)
    assert capsys.readouterr().out.startswith("✓")


@pytest.mark.parametrize("best, stop, hint", [
    (10, 10, "cannot see the future"),
    (4, 7, "count epochs from 1"),
    (5, 9, "best epoch is right"),
    (3, 6, "walk through the list"),
    (None, 8, "two whole epoch numbers"),
    ("five", "eight", "two whole epoch numbers"),
])
def test_early_stopping_epochs_wrong_answers(best, stop, hint, capsys):
    assert not exercises.check_early_stopping_epochs(best, stop)
    out = capsys.readouterr().out
    assert out.startswith("✗ Not yet. Hint:") and hint in out


# --------------------------------------------------------------------------- 4 · inverted dropout


def test_dropout_values_agree_with_torch(capsys):
    torch.manual_seed(0)
    out = F.dropout(torch.full((1000,), 2.0, dtype=torch.float64), p=0.25, training=True)
    survivor = out[out != 0][0].item()
    evaluation = F.dropout(torch.tensor([2.0]), p=0.25, training=False).item()
    assert exercises.check_dropout_values(survivor, evaluation)
    assert exercises.check_dropout_values(2.667, 2)  # rounded
    assert capsys.readouterr().out.count("✓") == 2


@pytest.mark.parametrize("survivor, evaluation, hint", [
    (2.0, 2.0, "rescales the survivors"),
    (1.5, 2.0, "probability 1 − p"),
    (8.0, 2.0, "probability 1 − p"),
    (2 / 0.75, 1.5, "already happened in training"),
    (2 / 0.75, 2 / 0.75, "already happened in training"),
    (3.0, 3.0, "use (8)"),
    (None, 2.0, "two numbers"),
    (2 / 0.75, "two", "two numbers"),
])
def test_dropout_values_wrong_answers(survivor, evaluation, hint, capsys):
    assert not exercises.check_dropout_values(survivor, evaluation)
    out = capsys.readouterr().out
    assert out.startswith("✗ Not yet. Hint:") and hint in out and "2.667" not in out
