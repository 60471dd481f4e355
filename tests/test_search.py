"""helpers.search: the folds partition the data, cross-validation by hand, the distributions, the searches."""

import math
from fractions import Fraction

import numpy as np
import pytest

from helpers import search

# --------------------------------------------------------------------------- k-fold


def reference_kfold(n, k, order):
    """The plain way: deal `order` out into k consecutive blocks, the first n mod k one longer."""
    folds, start = [], 0
    for fold in range(k):
        size = n // k + (1 if fold < n % k else 0)
        validation = sorted(order[start : start + size])
        train = sorted(i for i in range(n) if i not in set(validation))
        folds.append((train, validation))
        start += size
    return folds


@pytest.mark.parametrize("n,k", [(2, 2), (10, 2), (10, 3), (11, 5), (17, 17), (100, 7), (1000, 10)])
@pytest.mark.parametrize("shuffle", [False, True])
def test_kfold_partitions_the_data(n, k, shuffle):
    folds = search.kfold_indices(n, k, seed=3, shuffle=shuffle)
    assert len(folds) == k
    validation = np.concatenate([val for _, val in folds])
    np.testing.assert_array_equal(np.sort(validation), np.arange(n))  # each index in exactly one fold
    sizes = [len(val) for _, val in folds]
    assert max(sizes) - min(sizes) <= 1
    for train, val in folds:
        assert len(np.intersect1d(train, val)) == 0
        np.testing.assert_array_equal(np.sort(np.concatenate([train, val])), np.arange(n))
    order = np.random.default_rng(3).permutation(n) if shuffle else np.arange(n)
    for (train, val), (ref_train, ref_val) in zip(folds, reference_kfold(n, k, order.tolist())):
        assert train.tolist() == ref_train and val.tolist() == ref_val


def test_kfold_is_seeded():
    a, b = search.kfold_indices(50, 5, seed=1), search.kfold_indices(50, 5, seed=1)
    assert all((x[1] == y[1]).all() for x, y in zip(a, b))
    c = search.kfold_indices(50, 5, seed=2)
    assert any((x[1] != y[1]).any() for x, y in zip(a, c))
    assert search.kfold_indices(6, 3, shuffle=False)[0][1].tolist() == [0, 1]


# --------------------------------------------------------------------------- cross-validation


def ridge_fit_and_score(alpha):
    """Ridge without intercept, w = (XᵀX + αI)⁻¹Xᵀy; the score is the validation mean squared error."""

    def fit_and_score(X_train, y_train, X_val, y_val):
        w = np.linalg.solve(X_train.T @ X_train + alpha * np.eye(X_train.shape[1]), X_train.T @ y_train)
        return np.mean((X_val @ w - y_val) ** 2)

    return fit_and_score


def test_cross_validate_ridge_matches_the_hand_computed_value():
    """One feature, x = 1…6, α = 1, three folds in order: w = Σxy/(Σx² + α) on each training part."""
    x = np.arange(1.0, 7.0)
    y = np.array([1.0, 3.0, 2.0, 5.0, 4.0, 6.0])
    result = search.cross_validate(ridge_fit_and_score(1.0), x[:, None], y, k=3, shuffle=False)
    # fold 1: validate on x = 1, 2; train on 3…6: Σxy = 6 + 20 + 20 + 36 = 82, Σx² + 1 = 87
    # fold 2: validate on x = 3, 4; train on 1, 2, 5, 6: Σxy = 1 + 6 + 20 + 36 = 63, Σx² + 1 = 67
    # fold 3: validate on x = 5, 6; train on 1…4: Σxy = 1 + 6 + 6 + 20 = 33, Σx² + 1 = 31
    w1, w2, w3 = Fraction(82, 87), Fraction(63, 67), Fraction(33, 31)
    fold_mse = [
        ((1 - 1 * w1) ** 2 + (3 - 2 * w1) ** 2) / 2,
        ((2 - 3 * w2) ** 2 + (5 - 4 * w2) ** 2) / 2,
        ((4 - 5 * w3) ** 2 + (6 - 6 * w3) ** 2) / 2,
    ]
    np.testing.assert_allclose(result.scores, [float(v) for v in fold_mse], rtol=1e-13)
    assert result.mean == pytest.approx(float(sum(fold_mse) / 3), rel=1e-13)
    assert result.std == pytest.approx(float(np.std([float(v) for v in fold_mse])), rel=1e-12)


def test_cross_validate_uses_the_seeded_folds():
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(40, 3)), rng.normal(size=40)
    seen = []

    def record(X_train, y_train, X_val, y_val):
        seen.append(y_val)
        assert len(X_train) == len(y_train) and len(X_val) == len(y_val) == 8
        return float(len(y_val))

    result = search.cross_validate(record, X, y, k=5, seed=4)
    for (_, val), y_val in zip(search.kfold_indices(40, 5, seed=4), seen):
        np.testing.assert_array_equal(y[val], y_val)
    assert result.mean == 8.0 and result.std == 0.0


# --------------------------------------------------------------------------- distributions


def test_loguniform_samples_lie_in_range_and_their_logs_are_uniform():
    low, high, n = 1e-4, 1.0, 4000
    values = np.array([c["lr"] for c in search.sample({"lr": search.loguniform(low, high)}, n, seed=0)])
    assert values.min() >= low and values.max() <= high
    u = np.sort((np.log(values) - math.log(low)) / (math.log(high) - math.log(low)))  # should be U(0, 1)
    ks = max(np.max(np.arange(1, n + 1) / n - u), np.max(u - np.arange(n) / n))  # Kolmogorov–Smirnov D
    assert ks < 1.36 / math.sqrt(n)  # the 5 % critical value
    # the raw values are far from uniform: most of the mass sits in the low decades
    assert np.mean(values < 0.01) == pytest.approx(0.5, abs=0.05)


def test_uniform_and_choice_samples_and_tuple_specs():
    configs = search.sample({"mu": (0.0, 0.99), "lr": ("log", 1e-3, 1e-1), "opt": ["sgd", "adam"]}, 500, seed=1)
    mu = np.array([c["mu"] for c in configs])
    assert mu.min() >= 0 and mu.max() <= 0.99 and abs(mu.mean() - 0.495) < 0.05
    assert all(1e-3 <= c["lr"] <= 1e-1 for c in configs)
    assert {c["opt"] for c in configs} == {"sgd", "adam"}
    assert all(type(c["mu"]) is float for c in configs)
    assert search.sample({"mu": (0.0, 1.0)}, 5, seed=7) == search.sample({"mu": (0.0, 1.0)}, 5, seed=7)


def test_grid_size_and_points():
    configs = search.grid({"lr": search.loguniform(1e-3, 1e-1), "mu": search.uniform(0.0, 0.9), "opt": ["a", "b"]}, 3)
    assert len(configs) == 3 * 3 * 2
    assert sorted({c["lr"] for c in configs}) == pytest.approx([1e-3, 1e-2, 1e-1])
    assert sorted({c["mu"] for c in configs}) == pytest.approx([0.0, 0.45, 0.9])
    assert len(search.grid({"a": [1, 2, 3, 4], "b": [5, 6], "c": search.choice([7, 8, 9])})) == 24
    assert len({tuple(c.items()) for c in configs}) == len(configs)


# --------------------------------------------------------------------------- searches


def test_grid_and_random_search_find_the_best_config():
    def loss(c):
        return (math.log10(c["lr"]) + 2) ** 2 + (c["mu"] - 0.5) ** 2  # minimum at η = 0.01, μ = 0.5

    result = search.evaluate(loss, search.grid({"lr": [1e-3, 1e-2, 1e-1], "mu": [0.0, 0.5, 0.9]}))
    assert result.best_config == {"lr": 1e-2, "mu": 0.5} and result.best_score == 0.0
    assert len(result.configs) == len(result.scores) == 9
    high = search.evaluate(lambda c: -loss(c), search.grid({"lr": [1e-3, 1e-2], "mu": [0.5]}), mode="max")
    assert high.best_config == {"lr": 1e-2, "mu": 0.5}
    rs = search.random_search(loss, {"lr": search.loguniform(1e-4, 1), "mu": search.uniform(0, 1)}, 50, seed=0)
    assert rs.best_score == min(rs.scores) and rs.best_score < 0.1


def test_a_diverged_run_ranks_last():
    scores = [math.nan, 2.0, math.inf, 1.0, -math.inf]
    assert search.ranking(scores, "min").tolist() == [4, 3, 1, 2, 0]
    assert search.ranking(scores, "max").tolist() == [2, 1, 3, 4, 0]
    result = search.evaluate(lambda c: math.nan if c > 1 else c, [3, 0.5, 2])
    assert result.best_config == 0.5


def test_random_search_beats_grid_search_when_one_of_two_dimensions_matters():
    """Bergstra & Bengio 2012: 9 trials as a 3 × 3 grid try 3 learning rates; 9 random trials try 9."""
    space = {"lr": search.loguniform(1e-4, 1.0), "momentum": search.uniform(0.0, 0.99)}

    def loss(c):
        return (math.log10(c["lr"]) + 2.6) ** 2 + 1e-3 * c["momentum"]  # η* ≈ 2.5e-3; μ barely matters

    grid_best = search.evaluate(loss, search.grid(space, points_per_dim=3)).best_score
    random_best = np.array([search.random_search(loss, space, 9, seed=seed).best_score for seed in range(20)])
    assert np.mean(random_best < grid_best) >= 0.8
    assert np.median(random_best) < grid_best / 4
    tried = search.random_search(loss, space, 9, seed=0).configs
    assert len({c["lr"] for c in tried}) == 9
    assert len({c["lr"] for c in search.grid(space, 3)}) == 3


# --------------------------------------------------------------------------- successive halving


def test_successive_halving_keeps_the_top_third_and_triples_the_budget():
    rng = np.random.default_rng(0)
    quality = {i: float(q) for i, q in enumerate(rng.uniform(size=27))}  # config i's final loss
    calls = []

    def train(config, budget):
        calls.append((config, budget))
        return quality[config] + 1.0 / budget  # more budget, lower loss; the order is that of `quality`

    result = search.successive_halving(list(range(27)), train, min_budget=1, eta=3)
    assert [len(r.configs) for r in result.rounds] == [27, 9, 3, 1]
    assert [r.budget for r in result.rounds] == [1, 3, 9, 27]
    for previous, current in zip(result.rounds, result.rounds[1:]):
        best_first = [previous.configs[i] for i in np.argsort(previous.scores, kind="stable")]
        assert current.configs == best_first[: len(previous.configs) // 3]
    assert result.best_config == min(quality, key=quality.get)
    assert result.best_score == pytest.approx(quality[result.best_config] + 1 / 27)
    assert len(calls) == 27 + 9 + 3 + 1


def test_successive_halving_with_eta_2_doubles_and_maximizes():
    def accuracy(config, budget):
        return 1 - abs(config - 0.3) - 0.1 / budget  # best config: 0.3

    configs = [round(0.1 * i, 1) for i in range(10)]
    result = search.successive_halving(configs, accuracy, min_budget=0.5, eta=2, mode="max")
    assert [len(r.configs) for r in result.rounds] == [10, 5, 2, 1]
    assert [r.budget for r in result.rounds] == [0.5, 1.0, 2.0, 4.0]
    assert result.best_config == 0.3


def test_successive_halving_with_few_configs_and_divergence():
    result = search.successive_halving([1, 2], lambda c, b: math.nan if c == 1 else c, min_budget=1)
    assert [len(r.configs) for r in result.rounds] == [2, 1]
    assert result.best_config == 2
    single = search.successive_halving(["only"], lambda c, b: 0.5, min_budget=10)
    assert single.best_config == "only" and len(single.rounds) == 1


# --------------------------------------------------------------------------- bad input

BAD = [
    (lambda: search.loguniform(0.0, 1.0), "low"),
    (lambda: search.loguniform(1.0, 0.1), "high"),
    (lambda: search.uniform(0.0, math.inf), "high"),
    (lambda: search.uniform("a", 1.0), "low"),
    (lambda: search.choice([]), "options"),
    (lambda: search.sample({}, 3), "space"),
    (lambda: search.sample({"lr": "log"}, 3), "space"),
    (lambda: search.sample({"lr": (1.0, 2.0)}, -1), "n"),
    (lambda: search.grid({"lr": search.loguniform(1e-3, 1.0)}), "points_per_dim"),
    (lambda: search.grid({"lr": []}), "options"),
    (lambda: search.random_search(lambda c: 0.0, {"lr": (0.0, 1.0)}, 0), "n_trials"),
    (lambda: search.evaluate(lambda c: 0.0, search.grid({"lr": [1.0]}), mode="lowest"), "mode"),
    (lambda: search.evaluate(lambda c: 0.0, []), "configs"),
    (lambda: search.kfold_indices(10, 1), "k"),
    (lambda: search.kfold_indices(3, 4), "k"),
    (lambda: search.kfold_indices(1, 2), "n"),
    (lambda: search.kfold_indices(10, 2.0), "k"),
    (lambda: search.cross_validate(lambda *a: 0.0, np.zeros((5, 2)), np.zeros(4), k=2), "same length"),
    (lambda: search.successive_halving([], lambda c, b: 0.0, 1), "configs"),
    (lambda: search.successive_halving([1], lambda c, b: 0.0, 0), "min_budget"),
    (lambda: search.successive_halving([1], lambda c, b: 0.0, 1, eta=1), "eta"),
    (lambda: search.successive_halving([1], lambda c, b: 0.0, 1, mode="best"), "mode"),
]


@pytest.mark.parametrize("call,word", BAD, ids=[f"{word}-{i}" for i, (_, word) in enumerate(BAD)])
def test_bad_input_raises_value_error_naming_the_parameter(call, word):
    with pytest.raises(ValueError, match=word):
        call()


def test_edges_finds_a_best_value_near_either_end_in_decades_for_a_log_scale():
    space = {"lr": search.loguniform(1e-4, 1.0), "momentum": search.uniform(0.0, 1.0), "act": ["relu", "tanh"]}
    assert search.edges(space, {"lr": 1e-3, "momentum": 0.5, "act": "relu"}) == {}
    # 1.5e-4 is 0.04 of the four decades above 1e-4: an edge; in linear units it would be none
    assert search.edges(space, {"lr": 1.5e-4, "momentum": 0.95, "act": "tanh"}) == {"lr": "low", "momentum": "high"}
    assert search.edges(space, {"lr": 0.5, "momentum": 0.05, "act": "tanh"}) == {"lr": "high", "momentum": "low"}


def test_an_end_that_is_a_hard_limit_is_not_an_edge():
    space = {"one_minus_momentum": search.loguniform(1e-2, 1.0)}
    limits = {"one_minus_momentum": (None, 1.0)}  # μ ≥ 0: nothing lies beyond 1 − μ = 1
    assert search.edges(space, {"one_minus_momentum": 0.9}, limits=limits) == {}
    assert search.edges(space, {"one_minus_momentum": 0.011}, limits=limits) == {"one_minus_momentum": "low"}


def test_widen_moves_the_end_where_the_best_value_sat_and_respects_hard_limits():
    space = {"lr": search.loguniform(1e-3, 1e-1), "x": search.uniform(0.0, 1.0), "m": search.loguniform(0.01, 0.5)}
    wider = search.widen(space, {"lr": "low", "x": "high", "m": "high"}, limits={"m": (None, 1.0)})
    assert wider["lr"] == search.loguniform(1e-4, 1e-1)
    assert wider["x"] == search.uniform(0.0, 10.0)
    assert wider["m"] == search.loguniform(0.01, 1.0)  # 5.0 would make μ negative
    assert search.edges(wider, {"lr": 1e-3, "x": 5.0, "m": 0.1}) == {}
    assert space["lr"] == search.loguniform(1e-3, 1e-1), "the space given is left as it was"


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: search.edges({"lr": search.loguniform(1e-3, 1.0)}, {}), "config lacks 'lr'"),
        (lambda: search.edges({"lr": search.loguniform(1e-3, 1.0)}, {"lr": 5.0}), r"config\['lr'\] must be in"),
        (lambda: search.edges({"lr": search.loguniform(1e-3, 1.0)}, {"lr": 0.1}, margin=0.5), "margin"),
        (lambda: search.widen({"lr": search.loguniform(1e-3, 1.0)}, {"eta": "low"}), "'eta' is not an interval"),
        (lambda: search.widen({"lr": search.loguniform(1e-3, 1.0)}, {"lr": "left"}), "must be 'low' or 'high'"),
        (lambda: search.widen({"lr": search.loguniform(1e-3, 1.0)}, {"lr": "low"}, factor=1.0), "factor"),
    ],
)
def test_edges_and_widen_reject_bad_input(call, match):
    with pytest.raises(ValueError, match=match):
        call()
