"""helpers.race: clipping against torch.nn.utils, the summaries, the racers, the tuning protocol, basin maps."""

import math

import numpy as np
import pytest
import torch

from helpers import descent, optim, race, search, stochastic, surfaces

# --------------------------------------------------------------------------- clipping


def torch_clipped(g, clip, max_norm=None, clip_value=None):
    p = torch.zeros(len(g), dtype=torch.float64, requires_grad=True)
    p.grad = torch.tensor(g, dtype=torch.float64)
    if max_norm is not None:
        torch.nn.utils.clip_grad_norm_([p], max_norm)
    else:
        torch.nn.utils.clip_grad_value_([p], clip_value)
    return p.grad.numpy()


@pytest.mark.parametrize("scale", [1e-3, 0.5, 1.0, 3.0, 1e4])
@pytest.mark.parametrize("dim", [1, 2, 5])
def test_clip_by_norm_matches_torch(scale, dim):
    rng = np.random.default_rng(dim)
    for _ in range(20):
        g = rng.normal(size=dim) * scale
        for max_norm in (0.1, 1.0, 7.0):
            np.testing.assert_allclose(
                race.clip_by_norm(g, max_norm), torch_clipped(g, None, max_norm=max_norm), rtol=1e-13, atol=1e-15
            )


@pytest.mark.parametrize("scale", [1e-3, 1.0, 1e4])
def test_clip_by_value_matches_torch(scale):
    rng = np.random.default_rng(1)
    for _ in range(20):
        g = rng.normal(size=4) * scale
        for clip in (0.1, 1.0, 7.0):
            np.testing.assert_array_equal(race.clip_by_value(g, clip), torch_clipped(g, None, clip_value=clip))


def test_clipping_a_batch_clips_each_row_on_its_own():
    g = np.array([[30.0, -40.0], [0.3, 0.4], [0.0, 0.0]])
    clipped = race.clip_by_norm(g, 1.0)
    for row, original in zip(clipped, g):
        np.testing.assert_allclose(row, torch_clipped(original, None, max_norm=1.0), rtol=1e-13, atol=1e-15)
    np.testing.assert_allclose(clipped[0], [0.6, -0.8], rtol=1e-6)  # direction kept, norm ≈ 1
    np.testing.assert_array_equal(clipped[1:], g[1:])  # below the threshold: untouched, zero stays zero
    np.testing.assert_array_equal(race.clip_by_value(g, 1.0)[0], [1.0, -1.0])  # direction turned to the diagonal


def test_clipping_rejects_bad_thresholds():
    for bad in (0, -1.0, math.inf, math.nan, "1", None, True):
        with pytest.raises(ValueError, match="max_norm"):
            race.clip_by_norm([1.0, 2.0], bad)
        with pytest.raises(ValueError, match="clip_value"):
            race.clip_by_value([1.0, 2.0], bad)
    with pytest.raises(ValueError, match="eps"):
        race.clip_by_norm([1.0, 2.0], 1.0, eps=-1e-6)


def test_clipped_gradient_runs_like_torch_with_clip_grad_norm():
    cliff = surfaces.cliff()
    ours = optim.run(optim.sgd(lr=0.3, momentum=0.5), race.clipped(cliff.grad, max_norm=1.0), cliff.start, 60).path
    p = torch.tensor(cliff.start, dtype=torch.float64, requires_grad=True)
    twin = torch.optim.SGD([p], lr=0.3, momentum=0.5)
    theirs = [p.detach().clone().numpy()]
    for _ in range(60):
        twin.zero_grad()
        cliff.f(p).backward()
        torch.nn.utils.clip_grad_norm_([p], 1.0)
        twin.step()
        theirs.append(p.detach().clone().numpy())
    np.testing.assert_allclose(ours, np.array(theirs), rtol=0, atol=1e-12)


def test_clipped_gradient_by_value_and_reset_passes_through():
    surface = surfaces.saddle()
    noisy = stochastic.noisy(surface.grad, sigma=5.0, seed=3)
    grad = race.clipped(noisy, clip_value=0.5)
    first = [grad(np.array([1.0, 2.0])) for _ in range(3)]
    grad.reset()
    again = [grad(np.array([1.0, 2.0])) for _ in range(3)]
    np.testing.assert_array_equal(first, again)  # the noise was rewound
    assert np.abs(first).max() <= 0.5
    runs = [optim.run(optim.sgd(lr=0.1), grad, np.array([1.0, 1.0]), 20).path for _ in range(2)]
    np.testing.assert_array_equal(*runs)  # optim.run resets it: each run sees the same noise
    assert "clip_value=0.5" in repr(grad)
    plain = race.clipped(surface.grad, max_norm=2.0)
    plain.reset()  # nothing to reset: no error
    np.testing.assert_array_equal(plain(np.array([0.1, 0.1])), surface.grad(np.array([0.1, 0.1])))


def test_clipped_needs_exactly_one_rule_and_a_callable():
    with pytest.raises(ValueError, match="exactly one"):
        race.clipped(np.sin)
    with pytest.raises(ValueError, match="exactly one"):
        race.clipped(np.sin, max_norm=1.0, clip_value=1.0)
    with pytest.raises(ValueError, match="callable"):
        race.clipped([1, 2], max_norm=1.0)
    with pytest.raises(ValueError, match="max_norm"):
        race.clipped(np.sin, max_norm=0.0)


# --------------------------------------------------------------------------- gaps and summaries


def test_final_gaps_mark_diverged_runs_as_infinite_and_round_off_as_zero():
    bowl = surfaces.quadratic(kappa=10.0)
    starts = np.array([[1.0, 1.0], [0.0, 0.0], [2.0, -1.0]])
    good = optim.run(optim.sgd(lr=0.1), bowl.grad, starts, 50)
    gaps = race.final_gaps(bowl, good)
    np.testing.assert_allclose(gaps, bowl.f(good.final), rtol=1e-15)
    assert gaps[1] == 0.0
    bad = optim.run(optim.sgd(lr=0.3), bowl.grad, starts, 200)  # η > 2/λ_max = 0.2
    assert list(race.final_gaps(bowl, bad)) == [math.inf, 0.0, math.inf]
    single = optim.run(optim.sgd(lr=0.3), bowl.grad, starts[0], 200)
    assert race.final_gaps(bowl, single) == math.inf
    shifted = bowl._replace(f=lambda xy: bowl.f(xy) - 1e-17)  # f below the listed f* by round-off
    assert (race.final_gaps(shifted, good) >= 0).all()
    with pytest.raises(ValueError, match="Trajectory"):
        race.final_gaps(bowl, starts)


def test_summarize_agrees_with_numpy_on_finite_gaps():
    rng = np.random.default_rng(0)
    for n in (1, 2, 5, 48, 101):
        gaps = 10 ** rng.uniform(-12, 1, n)
        s = race.summarize(gaps)
        assert [s.q25, s.q75] == list(np.percentile(gaps, [25, 75])) and s.median == np.median(gaps)
        assert s.success_rate == np.mean(gaps < descent.TOLERANCE) and s.diverged_rate == 0 and s.n == n
        assert s.iqr == pytest.approx(s.q75 - s.q25)


def test_summarize_keeps_diverged_runs_as_the_worst_results():
    s = race.summarize([1e-8, 1e-7, 1e-3, math.inf])
    assert s.median == pytest.approx((1e-7 + 1e-3) / 2)  # ∞ counts: it pushes the median up, it is not dropped
    assert s.q75 == math.inf and s.iqr == math.inf  # np.percentile would say NaN here
    assert s.success_rate == 0.5 and s.diverged_rate == 0.25
    assert race.summarize([math.inf] * 3).median == math.inf
    assert race.summarize([0.0, 1.0], tol=0.5).success_rate == 0.5


def test_summarize_rejects_what_is_not_a_gap():
    for bad in ([], [1.0, math.nan], [-1.0]):
        with pytest.raises(ValueError, match="gaps"):
            race.summarize(bad)
    with pytest.raises(ValueError, match="tol"):
        race.summarize([1.0], tol=0)


def test_ranking_and_table():
    summaries = {
        "a": race.summarize([1e-30, 2e-30]),
        "b": race.summarize([1.5e-30]),
        "c": race.summarize([1e-3]),
        "d": race.summarize([1e-3, 1e-3, math.inf]),
        "e": race.summarize([1e-9]),
    }
    assert race.ranking(summaries) == [["a", "b"], ["e"], ["c", "d"]]  # equal medians and success rates tie
    assert race.ranking({"x": race.summarize([1e-3, 1.0]), "y": race.summarize([1e-3, 1e-9])}) == [["y"], ["x"]]
    text = race.table(summaries)
    assert text.splitlines()[0].split()[:2] == ["optimizer", "median"]
    assert "inf" in text and all(name in text for name in summaries)
    with pytest.raises(ValueError, match="digits"):
        race.ranking(summaries, digits=0)


# --------------------------------------------------------------------------- the racers


def test_the_seven_racers_are_the_optimizers_of_the_course():
    assert list(race.RACERS) == ["SGD", "momentum", "Nesterov", "AdaGrad", "RMSprop", "Adam", "AdamW"]
    torch_names = {name: racer.build({"lr": 0.01}).torch_name for name, racer in race.RACERS.items()}
    assert torch_names == {
        "SGD": "SGD",
        "momentum": "SGD",
        "Nesterov": "SGD",
        "AdaGrad": "Adagrad",
        "RMSprop": "RMSprop",
        "Adam": "Adam",
        "AdamW": "AdamW",
    }


def test_defaults_are_torchs_with_momentum_for_the_momentum_methods():
    hparams = {name: racer.build({"lr": 0.01}).hparams for name, racer in race.RACERS.items()}
    assert hparams["SGD"]["momentum"] == 0
    assert hparams["momentum"]["momentum"] == pytest.approx(0.9) and not hparams["momentum"]["nesterov"]
    assert hparams["Nesterov"]["momentum"] == pytest.approx(0.9) and hparams["Nesterov"]["nesterov"]
    assert hparams["AdaGrad"]["eps"] == 1e-10
    assert hparams["RMSprop"]["alpha"] == pytest.approx(0.99) and hparams["RMSprop"]["eps"] == 1e-8
    assert np.allclose(hparams["Adam"]["betas"], (0.9, 0.999)) and hparams["Adam"]["eps"] == 1e-8
    assert hparams["AdamW"]["weight_decay"] == 1e-2
    for name, racer in race.RACERS.items():
        assert set(racer.defaults) == set(racer.space) - {"lr"}, name
        assert racer.lr_space() == {"lr": racer.space["lr"]}


def test_configs_map_to_hyperparameters():
    adam = race.RACERS["Adam"]
    kwargs = adam.hparams({"lr": 0.1, "one_minus_beta1": 0.5, "one_minus_beta2": 0.01, "eps": 1e-3})
    assert kwargs == {"lr": 0.1, "eps": 1e-3, "betas": (0.5, 0.99)}
    assert race.RACERS["RMSprop"].hparams({"lr": 0.1, "one_minus_alpha": 0.1})["alpha"] == pytest.approx(0.9)
    assert race.RACERS["Nesterov"].hparams({"lr": 0.1, "one_minus_momentum": 0.25}) == {
        "nesterov": True,
        "lr": 0.1,
        "momentum": 0.75,
    }
    with pytest.raises(ValueError, match="no hyperparameter beta1"):
        adam.hparams({"lr": 0.1, "beta1": 0.9})
    with pytest.raises(ValueError, match="lacks lr"):
        adam.hparams({})
    with pytest.raises(ValueError, match="lr"):
        race.RACERS["SGD"].build({"lr": -1.0})  # optim's own check


@pytest.mark.parametrize("name", list(race.RACERS))
def test_every_point_of_every_space_is_a_valid_optimizer(name):
    racer = race.RACERS[name]
    configs = search.sample(racer.space, 300, seed=0) + search.grid(racer.space, points_per_dim=2)
    for config in configs:
        racer.build(config)  # raises ValueError on an invalid hyperparameter
    for key, space in racer.space.items():
        assert isinstance(space, search.LogUniform), key


# --------------------------------------------------------------------------- the tuning protocol


def test_random_starts_fill_the_plot_box_reproducibly():
    surface = surfaces.himmelblau()
    starts = race.random_starts(surface, 500, seed=1)
    assert starts.shape == (500, 2)
    assert (starts[:, 0] >= surface.xlim[0]).all() and (starts[:, 0] <= surface.xlim[1]).all()
    assert (starts[:, 1] >= surface.ylim[0]).all() and (starts[:, 1] <= surface.ylim[1]).all()
    np.testing.assert_array_equal(starts, race.random_starts(surface, 500, seed=1))
    assert not np.array_equal(starts, race.random_starts(surface, 500, seed=2))
    with pytest.raises(ValueError, match="n must"):
        race.random_starts(surface, 0)


@pytest.fixture(scope="module")
def setting():
    surface = surfaces.himmelblau()
    return surface, race.random_starts(surface, 6, seed=1), race.random_starts(surface, 10, seed=2)


def test_trial_pool_scores_each_configuration_by_its_tuning_median(setting):
    surface, tune, test = setting
    racer = race.RACERS["momentum"]
    pool = race.trial_pool(racer, surface, tune, test, steps=50, n_trials=5, seed=3)
    assert pool.configs == search.sample(racer.space, 5, seed=3)
    assert pool.tune_scores.shape == (5,) and pool.test_gaps.shape == (5, 10)
    for config, score, gaps in zip(pool.configs, pool.tune_scores, pool.test_gaps):
        opt = racer.build(config)
        assert score == np.median(race.final_gaps(surface, optim.run(opt, surface.grad, tune, 50)))
        np.testing.assert_array_equal(gaps, race.final_gaps(surface, optim.run(opt, surface.grad, test, 50)))
    only_lr = race.trial_pool(racer, surface, tune, test, 50, 5, seed=3, space=racer.lr_space())
    assert [c["lr"] for c in only_lr.configs] == [c["lr"] for c in pool.configs]  # η is drawn first: the same ηs
    assert all(set(c) == {"lr"} for c in only_lr.configs)


def test_trial_pool_takes_a_gradient_function(setting):
    surface, tune, test = setting
    noisy = stochastic.noisy(surface.grad, sigma=0.1, seed=0)
    racer = race.RACERS["SGD"]
    pool = race.trial_pool(racer, surface, tune, test, 30, 2, seed=0, grad_fn=noisy)
    again = race.trial_pool(racer, surface, tune, test, 30, 2, seed=0, grad_fn=noisy)
    np.testing.assert_array_equal(pool.test_gaps, again.test_gaps)
    assert not np.array_equal(pool.test_gaps, race.trial_pool(racer, surface, tune, test, 30, 2, seed=0).test_gaps)


def test_a_search_over_the_whole_pool_is_random_search(setting):
    surface, tune, test = setting
    racer = race.RACERS["Adam"]
    pool = race.trial_pool(racer, surface, tune, test, steps=40, n_trials=8, seed=5)

    def objective(config):
        return np.median(race.final_gaps(surface, optim.run(racer.build(config), surface.grad, tune, 40)))

    expected = search.random_search(objective, racer.space, n_trials=8, seed=5)
    searches = race.resample_searches(pool, budget=8, repeats=3, seed=0)
    assert all(pool.configs[i] == expected.best_config for i in searches.chosen)
    np.testing.assert_array_equal(searches.test_gaps, pool.test_gaps[searches.chosen])


def test_resampled_searches_keep_the_best_of_their_draws():
    pool = race.TrialPool(
        race.RACERS["SGD"],
        [{"lr": x} for x in (0.1, 0.2, 0.3, 0.4, 0.5)],
        np.array([3.0, np.inf, 1.0, 1.0, 2.0]),
        np.arange(5)[:, None] * np.ones((5, 4)),
    )
    searches = race.resample_searches(pool, budget=2, repeats=200, seed=1)
    rng = np.random.default_rng(1)
    for chosen in searches.chosen:
        tried = np.sort(rng.choice(5, size=2, replace=False))
        assert chosen == tried[np.argmin(pool.tune_scores[tried])]  # ties and order: the first of the sorted draw
    assert set(searches.chosen) <= {0, 2, 3, 4} and 1 not in searches.chosen  # the diverged trial never wins
    assert race.resample_searches(pool, budget=5, repeats=4).chosen.tolist() == [2, 2, 2, 2]
    np.testing.assert_array_equal(searches.test_gaps[:, 0], searches.chosen)
    with pytest.raises(ValueError, match="budget"):
        race.resample_searches(pool, budget=6, repeats=1)
    with pytest.raises(ValueError, match="repeats"):
        race.resample_searches(pool, budget=1, repeats=0)
    with pytest.raises(ValueError, match="TrialPool"):
        race.resample_searches({"configs": []}, budget=1, repeats=1)


def test_trial_pool_rejects_bad_input(setting):
    surface, tune, test = setting
    racer = race.RACERS["SGD"]
    with pytest.raises(ValueError, match="Racer"):
        race.trial_pool("SGD", surface, tune, test, 10, 2)
    with pytest.raises(ValueError, match="tune_starts"):
        race.trial_pool(racer, surface, tune[:, :1], test, 10, 2)
    with pytest.raises(ValueError, match="test_starts"):
        race.trial_pool(racer, surface, tune, np.full((2, 2), np.nan), 10, 2)
    with pytest.raises(ValueError, match="steps"):
        race.trial_pool(racer, surface, tune, test, 0, 2)
    with pytest.raises(ValueError, match="n_trials"):
        race.trial_pool(racer, surface, tune, test, 10, 0)


# --------------------------------------------------------------------------- basins


def test_nearest_minimum_labels_points_within_the_radius():
    surface = surfaces.himmelblau()
    points = np.vstack([surface.minima + 0.01, [[0.0, 0.0]]])
    assert race.nearest_minimum(surface, points).tolist() == [0, 1, 2, 3, -1]
    assert race.nearest_minimum(surface, points.reshape(1, 5, 2)).shape == (1, 5)
    with pytest.raises(ValueError, match="radius"):
        race.nearest_minimum(surface, points, radius=0)


def test_basin_map_labels_a_grid_of_starts():
    surface = surfaces.himmelblau()
    basins = race.basin_map(surface, optim.sgd(lr=0.01), resolution=12, steps=300)
    assert basins.labels.shape == (12, 12) and basins.run.path.shape == (301, 144, 2)
    np.testing.assert_array_equal(basins.x, np.linspace(*surface.xlim, 12))
    # labels[i, j] belongs to the start (x[j], y[i]), whose run ends at the minimum with that label
    for i, j in [(0, 0), (11, 11), (3, 8)]:
        run = optim.run(optim.sgd(lr=0.01), surface.grad, np.array([basins.x[j], basins.y[i]]), 300)
        assert race.nearest_minimum(surface, run.final) == basins.labels[i, j]
    fractions = basins.fractions(4)
    assert fractions.sum() == pytest.approx(1.0) and (fractions[:4] > 0.1).all()
    too_big = race.basin_map(surface, optim.sgd(lr=0.2), resolution=4, steps=50)
    assert (too_big.labels == -2).any() and too_big.fractions(4)[-1] > 0


def test_basin_map_rejects_bad_input():
    surface = surfaces.himmelblau()
    with pytest.raises(ValueError, match="Optimizer"):
        race.basin_map(surface, "adam")
    with pytest.raises(ValueError, match="resolution"):
        race.basin_map(surface, optim.adam(), resolution=1)
    with pytest.raises(ValueError, match="steps"):
        race.basin_map(surface, optim.adam(), steps=0)
