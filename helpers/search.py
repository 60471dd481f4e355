"""Hyperparameter search: grids, random search, k-fold cross-validation and successive halving.

    space = {"lr": search.loguniform(1e-4, 1.0), "momentum": search.uniform(0.0, 0.99)}
    result = search.random_search(objective, space, n_trials=20, seed=0)   # objective(config) → loss
    result.best_config, result.best_score

A space maps each hyperparameter to a distribution: `loguniform(low, high)` for scales such as η, where
1e-4 → 1e-3 matters as much as 0.1 → 1; `uniform(low, high)`; `choice([...])`. Tuples and lists work
too: (low, high) is uniform, ("log", low, high) log-uniform, a list a choice.

Every search takes `mode`: "min" when the objective is a loss, "max" when it is a score such as
accuracy. A NaN or infinite loss (a diverged run) ranks last, never first. Randomness comes only from
`seed`, so each call is reproducible.
"""

import itertools
import math
from typing import Any, NamedTuple

import numpy as np

from helpers._checks import integer, positive, real

MODES = ("min", "max")


# --------------------------------------------------------------------------- distributions


class LogUniform(NamedTuple):
    """log θ uniform on [log low, log high]: every decade between low and high is equally likely."""

    low: float
    high: float

    def sample(self, rng, n):
        return np.exp(rng.uniform(math.log(self.low), math.log(self.high), size=n))  # θ = exp(U(log a, log b))

    def grid(self, n):
        return np.geomspace(self.low, self.high, n)  # equal ratios between neighbours


class Uniform(NamedTuple):
    """θ uniform on [low, high]."""

    low: float
    high: float

    def sample(self, rng, n):
        return rng.uniform(self.low, self.high, size=n)

    def grid(self, n):
        return np.linspace(self.low, self.high, n)


class Choice(NamedTuple):
    """One of the options, each equally likely; a grid takes all of them."""

    options: tuple

    def sample(self, rng, n):
        return [self.options[i] for i in rng.integers(0, len(self.options), size=n)]

    def grid(self, n):
        return list(self.options)


def _bounds(name, low, high, log_scale):
    low, high = real(f"{name}: low", low), real(f"{name}: high", high)
    if log_scale and low <= 0:
        raise ValueError(f"{name}: low must be > 0 (a log scale), got {low!r}")
    if high <= low:
        raise ValueError(f"{name}: high must exceed low ({low!r}), got {high!r}")
    return low, high


def loguniform(low, high):
    """A log-uniform distribution on [low, high], 0 < low < high: the one for learning rates."""
    return LogUniform(*_bounds("loguniform", low, high, log_scale=True))


def uniform(low, high):
    """A uniform distribution on [low, high], low < high."""
    return Uniform(*_bounds("uniform", low, high, log_scale=False))


def choice(options):
    """A uniform pick among the options (a non-empty list)."""
    if isinstance(options, (str, bytes)) or not hasattr(options, "__len__") or len(options) == 0:
        raise ValueError(f"choice: options must be a non-empty list, got {options!r}")
    return Choice(tuple(options))


def _distribution(name, spec):
    """A space entry as a distribution: LogUniform, Uniform, Choice, a tuple or a list."""
    if isinstance(spec, (LogUniform, Uniform, Choice)):
        return spec
    if isinstance(spec, tuple) and len(spec) == 3 and spec[0] == "log":
        return loguniform(spec[1], spec[2])
    if isinstance(spec, tuple) and len(spec) == 2:
        return uniform(*spec)
    if isinstance(spec, list):
        return choice(spec)
    raise ValueError(
        f"space[{name!r}] must be loguniform(a, b), uniform(a, b), choice([...]), (a, b), ('log', a, b) "
        f"or a list; got {spec!r}"
    )


def _space(space):
    if not isinstance(space, dict) or not space:
        raise ValueError(f"space must be a non-empty dict of hyperparameter → distribution, got {space!r}")
    return {name: _distribution(name, spec) for name, spec in space.items()}


def _python(value):
    """numpy scalars as plain Python numbers, so configs print and compare cleanly."""
    return value.item() if isinstance(value, np.generic) else value


# --------------------------------------------------------------------------- configurations


def sample(space, n, seed=0):
    """n configurations drawn independently from `space`, reproducibly from `seed`."""
    space, n = _space(space), integer("n", n, 0)
    rng = np.random.default_rng(seed)
    columns = {name: dist.sample(rng, n) for name, dist in space.items()}
    return [{name: _python(columns[name][i]) for name in space} for i in range(n)]


def grid(space, points_per_dim=None):
    """Every combination: lists are taken as they are; distributions give `points_per_dim` points each
    (geometric for loguniform, evenly spaced for uniform, all options for choice).

    The grid has ∏ (points along each dimension) configurations.
    """
    if not isinstance(space, dict) or not space:
        raise ValueError(f"space must be a non-empty dict of hyperparameter → values, got {space!r}")
    axes = {}
    for name, spec in space.items():
        dist = _distribution(name, spec)
        if isinstance(spec, list):
            axes[name] = spec
        elif isinstance(dist, Choice):
            axes[name] = list(dist.options)
        else:
            axes[name] = [_python(v) for v in dist.grid(integer("points_per_dim", points_per_dim, 2))]
    return [dict(zip(axes, values)) for values in itertools.product(*axes.values())]


# --------------------------------------------------------------------------- searches


class SearchResult(NamedTuple):
    """Every configuration tried, its loss or score, and the best of them."""

    best_config: Any
    best_score: float
    configs: list
    scores: np.ndarray


def _mode(mode):
    if mode not in MODES:
        raise ValueError(f"mode must be 'min' (a loss) or 'max' (a score); got {mode!r}")
    return mode


def ranking(scores, mode="min"):
    """Indices of `scores` from best to worst; ties keep their order; NaN and the wrong infinity last."""
    _mode(mode)
    scores = np.asarray(scores, dtype=np.float64)
    keys = scores if mode == "min" else -scores
    return np.lexsort((keys, np.isnan(keys)))  # NaN (a diverged run) after everything, even the wrong infinity


def evaluate(objective, configs, mode="min"):
    """objective(config) for each config, and the best of them."""
    _mode(mode)
    configs = list(configs)
    if not configs:
        raise ValueError("configs must hold at least one configuration")
    scores = np.array([float(objective(config)) for config in configs], dtype=np.float64)
    best = int(ranking(scores, mode)[0])
    return SearchResult(configs[best], float(scores[best]), configs, scores)


def random_search(objective, space, n_trials, seed=0, mode="min"):
    """objective(config) at `n_trials` configurations drawn from `space`.

    With the same budget as a grid, random search tries n_trials distinct values of every
    hyperparameter instead of n_trials^(1/d), which wins when only a few of them matter
    (Bergstra & Bengio 2012).
    """
    return evaluate(objective, sample(space, integer("n_trials", n_trials, 1), seed), mode)


# --------------------------------------------------------------------------- the edges of a search space


def _position(dist, value):
    """Where `value` lies in the interval of `dist`, from 0 (low) to 1 (high), in log units for a log-uniform."""
    if isinstance(dist, LogUniform):
        return (math.log(value) - math.log(dist.low)) / (math.log(dist.high) - math.log(dist.low))
    return (value - dist.low) / (dist.high - dist.low)


def edges(space, config, margin=0.1, limits=None):
    """{name: "low" or "high"} for each hyperparameter of `config` within `margin` of its interval's end.

    A best value at the edge of the searched interval says the best may lie outside it: widen the
    interval and search again. `margin` is a fraction of the interval (of its decades for a log-uniform).
    An end that is also a hard limit in `limits` ({name: (low, high)}, None for no limit), such as
    1 − μ ≤ 1, is not an edge: nothing lies beyond it. Choices have no edges.
    """
    space, margin = _space(space), real("margin", margin, 0.0, 0.5, low_open=True, high_open=True)
    limits = {} if limits is None else limits
    found = {}
    for name, dist in space.items():
        if isinstance(dist, Choice):
            continue
        if name not in config:
            raise ValueError(f"config lacks {name!r}, which the space searches")
        position = _position(dist, real(f"config[{name!r}]", config[name], dist.low, dist.high))
        hard_low, hard_high = limits.get(name, (None, None))
        if position < margin and dist.low != hard_low:
            found[name] = "low"
        elif position > 1 - margin and dist.high != hard_high:
            found[name] = "high"
    return found


def widen(space, at_edges, factor=10.0, limits=None):
    """`space` with each interval named in `at_edges` (as `edges` returns them) extended on that side.

    A log-uniform's end moves by `factor` (a decade by default), a uniform's by `factor` − 1 times its
    width; a hard limit in `limits` ({name: (low, high)}) is never crossed.
    """
    space, factor = _space(space), real("factor", factor, 1.0, low_open=True)
    limits = {} if limits is None else limits
    widened = dict(space)
    for name, side in at_edges.items():
        dist = space.get(name)
        if dist is None or isinstance(dist, Choice):
            raise ValueError(f"{name!r} is not an interval of the space; intervals: {', '.join(space)}")
        if side not in ("low", "high"):
            raise ValueError(f"at_edges[{name!r}] must be 'low' or 'high', got {side!r}")
        low, high = dist.low, dist.high
        if isinstance(dist, LogUniform):
            low, high = (low / factor, high) if side == "low" else (low, high * factor)
        else:
            width = (factor - 1) * (high - low)
            low, high = (low - width, high) if side == "low" else (low, high + width)
        hard_low, hard_high = limits.get(name, (None, None))
        low = low if hard_low is None else max(low, hard_low)
        high = high if hard_high is None else min(high, hard_high)
        widened[name] = type(dist)(low, high)
    return widened


# --------------------------------------------------------------------------- cross-validation


def kfold_indices(n, k, seed=0, shuffle=True):
    """k (train, validation) index pairs that split range(n) into k validation folds.

    Every index is in exactly one validation fold; the first n mod k folds hold ⌈n/k⌉ indices, the
    rest ⌊n/k⌋ (as scikit-learn's KFold). With shuffle, the indices are permuted first, by `seed`.
    Both arrays of a pair are sorted.
    """
    n = integer("n", n, 2)
    k = integer("k", k, 2)
    if k > n:
        raise ValueError(f"k must be ≤ n = {n} so that every fold holds an index, got {k}")
    order = np.random.default_rng(seed).permutation(n) if shuffle else np.arange(n)
    sizes = np.full(k, n // k)
    sizes[: n % k] += 1  # the first n mod k folds take one more
    stops = np.cumsum(sizes)
    folds = []
    for start, stop in zip(stops - sizes, stops):
        validation = np.sort(order[start:stop])
        train = np.sort(np.concatenate([order[:start], order[stop:]]))
        folds.append((train, validation))
    return folds


class CrossValidation(NamedTuple):
    """The score on each validation fold, their mean and their standard deviation (ddof = 0)."""

    scores: np.ndarray
    mean: float
    std: float


def cross_validate(fit_and_score, X, y, k=5, seed=0, shuffle=True):
    """fit_and_score(X_train, y_train, X_val, y_val) → score on each of the k folds of `kfold_indices`."""
    X = X if hasattr(X, "shape") else np.asarray(X)
    y = y if hasattr(y, "shape") else np.asarray(y)
    if len(X) != len(y):
        raise ValueError(f"X and y must have the same length, got {len(X)} and {len(y)}")
    folds = kfold_indices(len(X), k, seed, shuffle)
    scores = np.array([float(fit_and_score(X[train], y[train], X[val], y[val])) for train, val in folds])
    return CrossValidation(scores, float(scores.mean()), float(scores.std()))


# --------------------------------------------------------------------------- successive halving


class HalvingRound(NamedTuple):
    """One rung: the configurations still in the race, the budget each got, and their results."""

    budget: Any
    configs: list
    scores: np.ndarray


class HalvingResult(NamedTuple):
    best_config: Any
    best_score: float
    rounds: list


def successive_halving(configs, train_fn, min_budget, eta=3, mode="min"):
    """Train many configurations briefly, keep the best 1/η, give them η times the budget, repeat.

    Round i trains each survivor with budget bᵢ = min_budget · ηⁱ (epochs, steps, samples…) by calling
    train_fn(config, bᵢ) → loss or score, then keeps the best ⌊nᵢ/η⌋ (at least one). It ends with the
    round in which a single configuration was trained, the winner, at the largest budget (Jamieson &
    Talwalkar 2016; the inner loop of Hyperband). n configurations take ⌊log_η n⌋ + 1 rounds, and each
    round costs about n·min_budget, so the whole race costs about as much as training all n for
    (⌊log_η n⌋ + 1)·min_budget instead of all n to the winner's budget.
    """
    configs = list(configs)
    if not configs:
        raise ValueError("configs must hold at least one configuration")
    positive("min_budget", min_budget)
    eta = integer("eta", eta, 2)
    _mode(mode)

    rounds, budget = [], min_budget
    while True:
        scores = np.array([float(train_fn(config, budget)) for config in configs], dtype=np.float64)
        rounds.append(HalvingRound(budget, configs, scores))
        order = ranking(scores, mode)
        if len(configs) == 1:
            return HalvingResult(configs[0], float(scores[0]), rounds)
        configs = [configs[i] for i in order[: max(1, len(configs) // eta)]]  # the best ⌊n/η⌋ go on
        budget = budget * eta  # bᵢ₊₁ = η·bᵢ
