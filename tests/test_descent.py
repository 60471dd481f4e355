"""helpers.descent: an optimizer on a surface with the default pictures' settings, and the summary line."""

import re

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


def test_gaps_follow_the_run_and_stop_where_its_numbers_end():
    surface = surfaces.quadratic()
    run = descent.descend(surface, "sgd", steps=50, lr=0.1)
    np.testing.assert_allclose(descent.gaps(surface, run), surface.f(run.path) - surface.f_star)
    ratios = descent.gaps(surface, run)[10:40]
    ratios = ratios[1:] / ratios[:-1]
    np.testing.assert_allclose(ratios, ratios[0], rtol=1e-6)  # linear convergence: a constant ratio per step
    diverged = descent.descend(surface, "sgd", steps=100, lr=1.0)
    values = descent.gaps(surface, diverged)
    assert len(values) == len(diverged.path) and np.isfinite(values).all()
    path = np.array([[0.0, 1.0], [1e200, 1e200], [np.nan, 0.0]])  # f overflows before θ does
    assert len(descent.gaps(surface, path)) == 1
    with pytest.raises(ValueError, match="single run"):
        descent.gaps(surface, np.zeros((3, 4, 2)))


def test_outcome_is_the_summary_in_a_few_words():
    surface = surfaces.quadratic()
    assert descent.outcome(surface, descent.descend(surface, "sgd", steps=100, lr=1.0)).startswith("diverged at step")
    assert descent.outcome(surface, descent.descend(surface, "sgd", steps=200, lr=0.1)).startswith("f − f* < 1e-06 at")
    assert descent.outcome(surface, descent.descend(surface, "sgd", steps=3, lr=0.1)).startswith("final f − f* = ")


def test_a_given_start_replaces_the_surfaces():
    run = descent.descend("himmelblau", "adam", steps=5, start=(1.0, -2.0))
    np.testing.assert_array_equal(run.path[0], [1.0, -2.0])
    for bad in [(1.0,), (np.inf, 0.0), "here", [[0.0, 1.0]]]:
        with pytest.raises(ValueError, match="start must be"):
            descent.descend("himmelblau", "adam", steps=5, start=bad)


def test_lineup_of_one_or_several_optimizers():
    (single,) = descent.lineup("adam", "beale", lr=0.05)
    assert single == descent.Entrant("adam", "adam", descent.settings("adam", "beale", lr=0.05)[1])
    pair = descent.lineup([optim.sgd(lr=1e-3, momentum=0.9), "adam"], "rosenbrock")
    assert [(e.label, e.optimizer) for e in pair] == [("sgd", "sgd"), ("adam", "adam")]
    assert pair[0].hparams["momentum"] == 0.9 and pair[1].hparams["lr"] == descent.DEFAULT_LR["adam"]["rosenbrock"]
    labelled = descent.lineup({"Adam": "adam", "no bias correction": optim.adam(bias_correction=False)}, "beale")
    assert [e.label for e in labelled] == ["Adam", "no bias correction"]
    assert labelled[1].hparams["bias_correction"] is False


@pytest.mark.parametrize(
    "optimizers, hparams, message",
    [
        ([], {}, "compare 1 to 3 optimizers at a time, got 0"),
        (["sgd", "adam", "rmsprop", "adagrad"], {}, "compare 1 to 3 optimizers at a time, got 4"),
        (["adam", "adam"], {}, "adam appears more than once; label each with a dict"),
        (["sgd", "adam"], {"lr": 0.1}, "hyperparameters (lr) are ambiguous with several optimizers"),
        (["sgd", 3], {}, "each optimizer must be a name or an Optimizer, got 3"),
        (["sgd", "lbfgs"], {}, "unknown optimizer 'lbfgs'"),
        ({"": "sgd"}, {}, "the labels of optimizers must be non-empty strings"),
        (42, {}, "optimizer must be a name"),
        ("adam", {"momentum": 0.9}, "adam has no hyperparameter momentum"),
    ],
)
def test_lineup_bad_input_is_named(optimizers, hparams, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        descent.lineup(optimizers, "rosenbrock", **hparams)


def test_explore_run_of_several_optimizers_starts_them_together():
    explored = descent.explore_run("rosenbrock", ["sgd", "adam"], steps=30, start=(-1.0, 2.5))
    assert list(explored.runs) == ["sgd", "adam"] and explored.steps == 30
    for _, run in explored.runs.values():
        np.testing.assert_array_equal(run.path[0], [-1.0, 2.5])
    assert explored.title == "sgd vs adam on rosenbrock from (-1, 2.5)"
    single = descent.explore_run("beale", "adam", steps=30)
    assert list(single.runs) == ["adam"] and single.run is single.runs["adam"][1]
