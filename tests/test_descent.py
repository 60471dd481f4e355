"""helpers.descent: an optimizer on a surface with the default pictures' settings, and the summary line."""

import numpy as np
import pytest

from helpers import descent, optim, surfaces


def test_summary_reports_convergence_and_divergence():
    surface = surfaces.quadratic()
    converged = descent.descend(surface, "sgd", steps=200, lr=0.1)
    first = int(np.argmax(surface.f(converged.path) < descent.TOLERANCE))
    assert f"at step {first}" in descent.summary(surface, converged)
    assert "not reached" in descent.summary(surface, descent.descend(surface, "sgd", steps=3, lr=0.1))
    diverged = descent.descend(surface, "sgd", steps=100, lr=1.0)
    assert f"diverged at step {diverged.diverged_at}" in descent.summary(surface, diverged)


@pytest.mark.parametrize("optimizer", list(optim.FACTORIES))
def test_default_pictures_do_not_diverge(optimizer):
    for name in surfaces.NAMES:
        run = descent.descend(name, optimizer)
        assert not run.diverged, f"{optimizer} on {name} diverges with the default η"


def test_settings_merge_defaults_an_optimizer_and_overrides():
    name, hparams = descent.settings("adam", "rosenbrock", eps=1e-6)
    assert name == "adam" and hparams["lr"] == descent.DEFAULT_LR["adam"]["rosenbrock"]
    assert hparams["eps"] == 1e-6 and hparams["betas"] == (0.9, 0.999)
    name, hparams = descent.settings(optim.sgd(lr=0.02, momentum=0.5), "beale", momentum=0.7)
    assert name == "sgd" and hparams["lr"] == 0.02 and hparams["momentum"] == 0.7
    _, hparams = descent.settings(optim.adam(bias_correction=False), "beale")
    assert hparams["bias_correction"] is False


def test_explore_run_is_the_default_run_with_its_title():
    explored = descent.explore_run("quadratic", "sgd", steps=50, kappa=20.0, momentum=0.5)
    expected = descent.descend(surfaces.quadratic(kappa=20.0), "sgd", steps=50, momentum=0.5)
    np.testing.assert_array_equal(explored.run.path, expected.path)
    assert explored.optimizer == "sgd" and explored.hparams["momentum"] == 0.5
    assert explored.title.startswith("sgd(lr=0.15, momentum=0.5) on quadratic (κ = 20)\nfinal f − f*")


def test_f_star_is_the_lowest_listed_minimum():
    for name in surfaces.NAMES:
        surface = surfaces.get(name)
        assert surface.f_star == min(float(surface.f(m)) for m in surface.minima)


@pytest.mark.parametrize(
    "call, word",
    [
        (lambda: descent.summary(surfaces.beale(), optim.Trajectory(np.zeros((3, 2, 2)), -1)), "single run"),
        (lambda: descent.descend("rosenbrock", "lbfgs"), "lbfgs"),
        (lambda: descent.descend("rosenbrock", "adam", momentum=0.9), "momentum"),
        (lambda: descent.descend("rosenbrock", "adam", lr=-1.0), "lr"),
        (lambda: descent.descend("banana", "adam"), "banana"),
        (lambda: descent.surface_named("rosenbrock", kappa=3.0), "kappa"),
        (lambda: descent.surface_named(surfaces.beale(), kappa=3.0), "kappa"),
        (lambda: descent.explore_run("beale", kappa=3.0), "kappa"),
    ],
)
def test_bad_input_raises_a_value_error_naming_it(call, word):
    with pytest.raises(ValueError, match=word):
        call()
